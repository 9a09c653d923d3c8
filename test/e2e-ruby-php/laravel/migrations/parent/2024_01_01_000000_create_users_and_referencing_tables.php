<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// users.id is an integer (increments); three tables reference it with
// integer columns.
return new class extends Migration {
    public function up()
    {
        Schema::create('users', function (Blueprint $table) {
            $table->increments('id');
            $table->text('email');
        });
        Schema::create('posts', function (Blueprint $table) {
            $table->id();
            $table->integer('author_id')->nullable();
            $table->foreign('author_id')->references('id')->on('users');
        });
        Schema::create('comments', function (Blueprint $table) {
            $table->id();
            $table->foreignId('post_id')->constrained();
            $table->integer('user_id')->nullable();
            $table->foreign('user_id')->references('id')->on('users');
        });
        Schema::create('sessions', function (Blueprint $table) {
            $table->string('sid')->primary();
            $table->integer('user_id')->nullable();
            $table->foreign('user_id')->references('id')->on('users');
        });
        DB::unprepared("INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com');
            INSERT INTO posts (author_id) VALUES (1), (2);
            INSERT INTO comments (post_id, user_id) VALUES (1, 2);
            INSERT INTO sessions VALUES ('s1', 1), ('s2', NULL);");
    }
};
