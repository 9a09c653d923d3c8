<?php
// Builds test/e2e/migrations/clean-schema.json (20 tables whose keys all
// match: serial, bigserial, uuid and text keys) with Laravel's schema
// builder: Schema::create with foreign()->references()->on() and
// foreignId()->constrained(), Schema::table to add columns and keys.

use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

final class CleanSchema
{
    public static function spec(): array
    {
        return json_decode(file_get_contents(__DIR__ . '/../../../e2e/migrations/clean-schema.json'), true);
    }

    private static function column(Blueprint $t, array $c, bool $key = false): void
    {
        $col = [
            'serial' => fn () => $t->increments($c['name']),
            'bigserial' => fn () => $t->bigIncrements($c['name']),
            'uuid' => fn () => $t->uuid($c['name']),
            'text' => fn () => $t->text($c['name']),
            'integer' => fn () => $t->integer($c['name']),
            'bigint' => fn () => $t->bigInteger($c['name']),
            'timestamptz' => fn () => $t->timestampTz($c['name']),
        ][$c['type']]();
        if (!$key) $col->nullable();
        if ($key && $c['type'] === 'uuid') $col->default(\Illuminate\Support\Facades\DB::raw('gen_random_uuid()'));
        if (!empty($c['unique'])) $col->unique();
        if (!empty($c['references'])) $t->foreign($c['name'])->references($c['references'][1])->on($c['references'][0]);
    }

    public static function createTables(int $from, int $to): void
    {
        foreach (array_slice(self::spec()['tables'], $from, $to - $from) as $table) {
            Schema::create($table['name'], function (Blueprint $t) use ($table) {
                $keys = $table['key'];
                foreach ($keys as $k) self::column($t, $k, true);
                $generated = count($keys) === 1 && in_array($keys[0]['type'], ['serial', 'bigserial'], true);
                if (!$generated) $t->primary(array_column($keys, 'name'));
                foreach ($table['columns'] as $c) self::column($t, $c);
            });
        }
    }

    public static function addReferences(): void
    {
        $spec = self::spec();
        foreach ($spec['addColumns'] as $c) {
            Schema::table($c['table'], fn (Blueprint $t) => self::column($t, $c));
        }
        foreach ($spec['addForeignKeys'] as $f) {
            Schema::table($f['table'], fn (Blueprint $t) => $t->foreign($f['column'])->references($f['references'][1])->on($f['references'][0]));
        }
    }
}
