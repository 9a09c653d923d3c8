<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// foreignId() makes an unsigned big integer (bigint): here the key it
// references is a uuid.
return new class extends Migration {
    public function up()
    {
        Schema::table('account_sessions', function (Blueprint $table) {
            $table->foreignId('account_id')->nullable()->constrained();
        });
    }
};
