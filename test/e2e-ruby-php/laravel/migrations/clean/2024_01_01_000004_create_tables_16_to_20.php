<?php

use Illuminate\Database\Migrations\Migration;

require_once __DIR__ . '/../clean_schema.php';

return new class extends Migration {
    public function up()
    {
        CleanSchema::createTables(15, 20);
    }
};
