<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// accounts gets Laravel's default key, $table->id() (bigserial);
// orders.account_id was declared an integer.
return new class extends Migration {
    public function up()
    {
        Schema::create('accounts', function (Blueprint $table) {
            $table->id();
            $table->text('name')->nullable();
        });
        Schema::create('orders', function (Blueprint $table) {
            $table->id();
            $table->integer('account_id')->nullable();
        });
    }
};
