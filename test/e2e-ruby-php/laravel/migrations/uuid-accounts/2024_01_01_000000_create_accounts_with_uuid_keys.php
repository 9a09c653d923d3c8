<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// accounts has uuid keys; account_sessions has three rows and no reference yet.
return new class extends Migration {
    public function up()
    {
        Schema::create('accounts', function (Blueprint $table) {
            $table->uuid('id')->primary();
            $table->text('name')->nullable();
        });
        Schema::create('account_sessions', function (Blueprint $table) {
            $table->string('sid')->primary();
        });
        DB::table('account_sessions')->insert([['sid' => 's1'], ['sid' => 's2'], ['sid' => 's3']]);
    }
};
