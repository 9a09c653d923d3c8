<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// users.id is an integer (increments); sessions.user_id was created as a
// uuid back when users had uuid keys (users.legacy_uuid still holds them).
return new class extends Migration {
    public function up()
    {
        Schema::create('users', function (Blueprint $table) {
            $table->increments('id');
            $table->text('email');
            $table->uuid('legacy_uuid')->nullable()->unique();
        });
        Schema::create('sessions', function (Blueprint $table) {
            $table->string('sid')->primary();
            $table->uuid('user_id')->nullable();
            $table->timestamp('expires_at')->nullable();
        });
    }

    public function down()
    {
        Schema::drop('sessions');
        Schema::drop('users');
    }
};
