<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Schema;

// Three users; six sessions: four hold a user's legacy uuid, two are NULL.
return new class extends Migration {
    public function up()
    {
        DB::table('users')->insert([
            ['email' => 'ada@example.com', 'legacy_uuid' => 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
            ['email' => 'bob@example.com', 'legacy_uuid' => 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'],
            ['email' => 'cy@example.com', 'legacy_uuid' => 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33'],
        ]);
        $sessions = [['s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], ['s2', null],
                     ['s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'], ['s4', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'],
                     ['s5', null], ['s6', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33']];
        DB::table('sessions')->insert(array_map(fn ($s) => ['sid' => $s[0], 'user_id' => $s[1], 'expires_at' => '2030-01-01'], $sessions));
    }

    public function down()
    {
        DB::table('sessions')->delete();
        DB::table('users')->delete();
    }
};
