<?php
// Laravel 8 migrations (Illuminate's Migrator, as `php artisan migrate`
// runs it) against pg_fk_guard: the story in Laravel's words, what the
// application sees, a soft mismatch, a parent key type change with its
// repair, and a clean 20-table schema.

use Illuminate\Database\QueryException;
use PHPUnit\Framework\TestCase;

final class LaravelTest extends TestCase
{
    /** @var FkgDatabase[] */
    private array $dbs = [];

    protected function tearDown(): void
    {
        foreach ($this->dbs as $db) $db->drop();
        $this->dbs = [];
        putenv('PGOPTIONS');
    }

    private function fresh(string $label, array $connection = []): FkgDatabase
    {
        $db = new FkgDatabase($label, $connection);
        $this->dbs[] = $db;
        return $db;
    }

    private static function dirs(string ...$names): array
    {
        return array_map(fn ($n) => Fkg::migrations() . "/$n", $names);
    }

    private function diag(string $text): void
    {
        @mkdir(Fkg::work(), 0777, true);
        file_put_contents(dirname(Fkg::work()) . '/laravel.log', '# ' . $this->getName() . "\n$text\n", FILE_APPEND);
    }

    /** The error as the application gets it: QueryException (SQL and
     *  bindings) wrapping the PDOException; PDO keeps no separate DETAIL or
     *  HINT, only the server's whole text in errorInfo[2]. Returns that text
     *  split into its fields. */
    private function unwrap(?Throwable $e, string $sqlstate): array
    {
        $this->assertInstanceOf(QueryException::class, $e);
        $pdo = $e->getPrevious();
        $this->assertInstanceOf(PDOException::class, $pdo);
        $this->assertSame($sqlstate, $e->getCode());
        $this->assertSame($sqlstate, $e->errorInfo[0]);
        $this->assertSame($e->errorInfo, $pdo->errorInfo);
        $this->assertSame(7, $e->errorInfo[1], 'PGRES_FATAL_ERROR');
        $text = $e->errorInfo[2];
        $this->diag($e->getMessage());
        $this->assertStringStartsWith("SQLSTATE[$sqlstate]: ", $pdo->getMessage());
        $this->assertStringContainsString($text, $pdo->getMessage());
        $this->assertStringContainsString($text, $e->getMessage());
        $this->assertStringEndsWith(' (SQL: ' . $e->getSql() . ')', $e->getMessage());
        // "ERROR:  m\nDETAIL:  d\nHINT:  h\nCONTEXT:  c" (libpq's text).
        $this->assertMatchesRegularExpression('/\AERROR:  /', $text);
        $fields = [];
        foreach (preg_split('/\n(?=(DETAIL|HINT|CONTEXT):  )/', rtrim($text, "\n")) as $i => $part) {
            if ($i === 0) { $fields['message'] = substr($part, strlen('ERROR:  ')); continue; }
            [$k, $v] = explode(':  ', $part, 2);
            $fields[strtolower($k)] = $v;
        }
        return $fields;
    }

    private function assertStoryNotRecorded(FkgDatabase $db): void
    {
        $base = ['2024_01_01_000000_create_users_and_sessions', '2024_01_01_000100_seed_users_and_sessions'];
        $this->assertSame($base, $db->recorded());
        $this->assertSame([
            ['tool' => 'Laravel', 'migration' => $base[0], 'status' => 'applied', 'recorded_in' => 'migrations'],
            ['tool' => 'Laravel', 'migration' => $base[1], 'status' => 'applied', 'recorded_in' => 'migrations'],
        ], $db->history());
        $this->assertSame('uuid', $db->columnType('sessions', 'user_id'));
        $this->assertSame([], $db->foreignKeys('sessions'));
    }

    // ---- 1 and 2: the story ----------------------------------------------

    public function testStoryChangeThenForeign(): void
    {
        $db = $this->fresh('story_change');
        [$e, $out] = $db->migrate(self::dirs('story', 'story-change'));
        $ddl = array_slice($db->ddl($e), -1);
        $this->assertSame(Fkg::fixture('story-change', $ddl), $ddl);
        $this->assertSame(['ALTER TABLE sessions ALTER user_id TYPE INT'], $ddl);
        $f = $this->unwrap($e, '42804');
        $this->assertSame('column "user_id" cannot be cast automatically to type integer', $f['message']);
        $this->assertStringStartsWith('sessions.user_id is uuid and holds keys of users.id (by its name; no foreign key is declared). No cast turns uuid into integer', $f['detail']);
        $this->assertStringContainsString('sessions holds 6 rows: 2 with user_id NULL, 4 uuid values that cannot become integer', $f['detail']);
        $this->assertStringContainsString("SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', 'id', on_unconvertible => 'map')", $f['hint']);
        $this->assertStringEndsWith("Laravel's ->change() and Doctrine Migrations convert through Doctrine DBAL without USING, and no cast can do this one: run the statements fix_plan() writes in the migration instead, with DB::unprepared() (Doctrine Migrations: \$this->addSql()).", $f['hint']);
        $this->assertSame(Fkg::CONTEXT, $f['context']);
        $this->assertStringContainsString('Migrating: 2024_02_01_000000_sessions_user_id_references_users', $out);
        $this->assertStringNotContainsString('Migrated:  2024_02_01', $out);
        $this->assertStoryNotRecorded($db);
    }

    public function testStoryForeignOnTheUuidColumn(): void
    {
        $db = $this->fresh('story_fk');
        [$e] = $db->migrate(self::dirs('story', 'story-foreign'));
        $ddl = array_slice($db->ddl($e), -1);
        $this->assertSame(Fkg::fixture('story-foreign', $ddl), $ddl);
        $this->assertSame(['alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id")'], $ddl);
        $f = $this->unwrap($e, '42804');
        $this->assertSame('foreign key constraint "sessions_user_id_foreign" cannot be implemented', $f['message']);
        $this->assertStringStartsWith('sessions.user_id is uuid; users.id is integer. ', $f['detail']);
        $this->assertStringContainsString('sessions holds 6 rows: 2 with user_id NULL, 4 uuid values that cannot become integer', $f['detail']);
        $this->assertStringContainsString("SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', 'id', on_unconvertible => 'map', constraint_name => 'sessions_user_id_foreign') writes that script", $f['hint']);
        $this->assertStringContainsString('sessions.user_id is still uuid: nothing so far has changed its type.', $f['hint']);
        // The knex/Laravel sentence, then (Laravel's migrations table is on the
        // search path) the explain() call for what the DETAIL leaves out.
        $this->assertStringEndsWith("Laravel: \$table->integer('user_id') (foreignId() would make bigint), then \$table->foreign('user_id')->references('id')->on('users'). What the DETAIL leaves out (which migrations ran): SELECT fk_guard.explain('public.sessions', 'user_id');", $f['hint']);
        $this->assertSame(Fkg::CONTEXT, $f['context']);
        $this->assertStoryNotRecorded($db);
    }

    public function testForeignIdConstrainedToAUuidKey(): void
    {
        $db = $this->fresh('foreign_id');
        [$e] = $db->migrate(self::dirs('uuid-accounts', 'foreign-id'));
        $ddl = array_slice($db->ddl($e), -2);
        $this->assertSame(Fkg::fixture('foreign-id', $ddl), $ddl);
        $this->assertSame([
            'alter table "account_sessions" add column "account_id" bigint null',
            'alter table "account_sessions" add constraint "account_sessions_account_id_foreign" foreign key ("account_id") references "accounts" ("id")',
        ], $ddl);
        $f = $this->unwrap($e, '42804');
        $this->assertSame('foreign key constraint "account_sessions_account_id_foreign" cannot be implemented', $f['message']);
        $this->assertMatchesRegularExpression('/\Aaccount_sessions\.account_id is bigint; accounts\.id is uuid\. .* account_sessions holds 3 rows, all with account_id NULL\.\z/', $f['detail']);
        $this->assertStringStartsWith('Every account_sessions.account_id is NULL, so the type can change without losing anything: ALTER TABLE account_sessions ALTER COLUMN account_id TYPE uuid USING NULL;', $f['hint']);
        $this->assertStringEndsWith("Laravel: \$table->foreignUuid('account_id')->constrained('accounts'). What the DETAIL leaves out (which migrations ran): SELECT fk_guard.explain('public.account_sessions', 'account_id');", $f['hint']);
        // One transaction per migration: the column is gone again.
        $this->assertSame(['2024_01_01_000000_create_accounts_with_uuid_keys'], $db->recorded());
        $this->assertNull($db->columnType('account_sessions', 'account_id'));
    }

    // ---- 3: a soft mismatch ------------------------------------------------

    private function widen(string $label): FkgDatabase
    {
        $db = $this->fresh($label);
        [$e] = $db->migrate(self::dirs('widening-base'));
        $this->assertNull($e);
        return $db;
    }

    public function testSoftMismatchPassesAndPdoShowsNothing(): void
    {
        $db = $this->widen('widen');
        $logBefore = filesize(getenv('FKG_SERVER_LOG'));
        [$e, $out] = $db->migrate(self::dirs('widening-base', 'widening'));
        $this->assertNull($e);
        $ddl = array_slice($db->ddl(), -1);
        $this->assertSame(Fkg::fixture('widening', $ddl), $ddl);
        $this->assertSame(['alter table "orders" add constraint "orders_account_id_foreign" foreign key ("account_id") references "accounts" ("id")'], $ddl);
        $this->assertContains('2024_03_01_000000_orders_account_id_foreign', $db->recorded());
        $this->assertSame(['orders_account_id_foreign'], array_column($db->foreignKeys('orders'), 'conname'));
        // PDO pgsql (PHP 8.2) has no notice channel: the WARNING reaches
        // neither the application nor the migrator's output...
        $this->assertStringNotContainsString('narrower', $out);
        // ...only the server log, with its DETAIL, HINT and CONTEXT.
        clearstatcache();
        $log = file_get_contents(getenv('FKG_SERVER_LOG'), false, null, $logBefore);
        $this->diag($log);
        $this->assertMatchesRegularExpression('/WARNING:  foreign key constraint "orders_account_id_foreign" pairs integer with bigint \(narrower\)\n[^\n]*DETAIL:  orders\.account_id is integer; accounts\.id is bigint\./', $log);
        $this->assertStringContainsString('HINT:  To match, convert orders.account_id: ALTER TABLE orders ALTER COLUMN account_id TYPE bigint.', $log);
        // diagnose_fk_mismatches() finds it afterwards.
        $this->assertSame('orders_account_id_foreign', $db->value("SELECT constraint_name FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'orders'::regclass"));
    }

    public function testSoftMismatchFailsWithPgoptions(): void
    {
        $db = $this->widen('widen_opt');
        // PGOPTIONS reaches libpq under PDO: the migrating process's
        // environment (PGOPTIONS='-c pg_fk_guard.soft_mismatches=error' php artisan migrate).
        putenv('PGOPTIONS=-c pg_fk_guard.soft_mismatches=error');
        $db->connect();
        [$e] = $db->migrate(self::dirs('widening-base', 'widening'));
        $f = $this->unwrap($e, '42804');
        $this->assertSame('foreign key constraint "orders_account_id_foreign" pairs integer with bigint (narrower)', $f['message']);
        $this->assertSame('To match, convert orders.account_id: ALTER TABLE orders ALTER COLUMN account_id TYPE bigint. Or set pg_fk_guard.soft_mismatches = warn to accept it.', $f['hint']);
        $this->assertNotContains('2024_03_01_000000_orders_account_id_foreign', $db->recorded());
        $this->assertSame([], $db->foreignKeys('orders'));
    }

    // ---- 4: a parent key type change, and the repair ---------------------

    const REFERENCING = [['posts', 'author_id'], ['comments', 'user_id'], ['sessions', 'user_id']];

    private function parent(string $label, string $variant): array
    {
        $db = $this->fresh($label);
        [$e] = $db->migrate(self::dirs('parent'));
        $this->assertNull($e);
        $db->sent = [];
        [$e, $out] = $db->migrate(self::dirs('parent', $variant));
        return [$db, $e, $out];
    }

    public function testParentKeyToUuidRefusedThenChangeKeyTypePlanAsAMigration(): void
    {
        [$db, $e] = $this->parent('parent_uuid', 'parent-uuid');
        $ddl = $db->ddl($e);
        $this->assertSame(Fkg::fixture('parent-uuid', $ddl), $ddl);
        $f = $this->unwrap($e, '42804');
        $this->assertMatchesRegularExpression('/\Aforeign key constraint "\w+_foreign" cannot be implemented\z/', $f['message']);
        foreach (self::REFERENCING as [$t, $c]) {
            $this->assertStringContainsString("$t.$c is integer; users.id becomes uuid.", $f['detail']);
        }
        $this->assertStringEndsWith("Or SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') writes one script that changes users.id together with every column that references it, keeping their foreign keys.", $f['hint']);
        $this->assertSame(['2024_01_01_000000_create_users_and_referencing_tables'], $db->recorded());
        $this->assertSame('integer', $db->columnType('users', 'id'));

        // The repair: change_key_type_plan()'s script in a migration that
        // runs before the refused one, then migrate again.
        $before = $db->rows('SELECT p.id AS post, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id');
        $plan = $db->value("SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid')");
        $this->diag($plan);
        $repair = Fkg::repairDirectory('2024_01_31_000000_change_users_id_to_uuid_with_references.php',
                                       "SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid');", $plan);
        $db->connect();
        [$again, $out] = $db->migrate(array_merge(self::dirs('parent', 'parent-uuid'), [$repair]));
        $this->assertNull($again, $again ? $again->getMessage() : '');
        $this->assertSame(['2024_01_01_000000_create_users_and_referencing_tables',
                           '2024_01_31_000000_change_users_id_to_uuid_with_references',
                           '2024_02_01_000000_change_users_id_to_uuid'], $db->recorded());
        $this->assertSame('uuid', $db->columnType('users', 'id'));
        foreach (self::REFERENCING as [$t, $c]) {
            $this->assertSame('uuid', $db->columnType($t, $c), "$t.$c");
            $fks = array_values(array_filter($db->foreignKeys($t), fn ($k) => strpos($k['def'], "($c) REFERENCES users(id)") !== false));
            $this->assertCount(1, $fks, "$t.$c");
            $this->assertTrue($fks[0]['convalidated']);
        }
        $this->assertSame($before, $db->rows('SELECT p.id AS post, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id'));
        $this->assertSame([], $db->rows('SELECT * FROM fk_guard.diagnose_fk_mismatches()'));
    }

    public function testParentKeyToBigintPassesWithWarningsInTheServerLogOnly(): void
    {
        $logBefore = filesize(getenv('FKG_SERVER_LOG'));
        [$db, $e] = $this->parent('parent_big', 'parent-bigint');
        $this->assertNull($e, $e ? $e->getMessage() : '');
        $ddl = $db->ddl();
        $this->assertSame(Fkg::fixture('parent-bigint', $ddl), $ddl);
        $this->assertSame('bigint', $db->columnType('users', 'id'));
        clearstatcache();
        $log = file_get_contents(getenv('FKG_SERVER_LOG'), false, null, $logBefore);
        foreach (self::REFERENCING as [$t, $c]) {
            $this->assertMatchesRegularExpression("/WARNING:  foreign key constraint \"{$t}_{$c}_foreign\" will pair integer with bigint \\(narrower\\)/", $log);
            $this->assertStringContainsString("HINT:  Convert $t.$c too: ALTER TABLE $t ALTER COLUMN $c TYPE bigint.", $log);
        }
    }

    // ---- 1 + 4: the story's repair from fix_plan() -------------------------

    public function testStoryRepairedByFixPlanMapThenTheMigrationSucceeds(): void
    {
        $db = $this->fresh('story_fix');
        [$e] = $db->migrate(self::dirs('story', 'story-foreign'));
        $this->assertInstanceOf(QueryException::class, $e);
        $expected = $db->rows('SELECT s.sid, u.id AS user_id FROM sessions s LEFT JOIN users u ON u.legacy_uuid = s.user_id ORDER BY s.sid');
        // Without constraint_name: the original migration then adds Laravel's own key.
        $plan = $db->value("SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', on_unconvertible => 'map')");
        $this->diag($plan);
        $repair = Fkg::repairDirectory('2024_01_31_000000_repair_sessions_user_id.php',
                                       "SELECT fk_guard.fix_plan('sessions', 'user_id', 'users', on_unconvertible => 'map');", $plan);
        $db->connect();
        [$again] = $db->migrate(array_merge(self::dirs('story', 'story-foreign'), [$repair]));
        $this->assertNull($again, $again ? $again->getMessage() : '');
        $this->assertSame(['2024_01_01_000000_create_users_and_sessions', '2024_01_01_000100_seed_users_and_sessions',
                           '2024_01_31_000000_repair_sessions_user_id', '2024_02_01_000000_sessions_user_id_foreign'], $db->recorded());
        $this->assertSame('integer', $db->columnType('sessions', 'user_id'));
        $this->assertEquals($expected, $db->rows('SELECT sid, user_id FROM sessions ORDER BY sid'));
        $this->assertSame(['s1:ada@example.com', 's3:bob@example.com', 's4:bob@example.com', 's6:cy@example.com'],
            array_map(fn ($r) => "{$r['sid']}:{$r['email']}", $db->rows('SELECT s.sid, u.email FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY s.sid')));
        $this->assertSame([['sessions_user_id_fkey', 'FOREIGN KEY (user_id) REFERENCES users(id)'],
                           ['sessions_user_id_foreign', 'FOREIGN KEY (user_id) REFERENCES users(id)']],
            array_map(fn ($k) => [$k['conname'], $k['def']], $db->foreignKeys('sessions')));
        $this->assertSame([], $db->rows("SELECT * FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'sessions'::regclass"));
    }

    // ---- 5: a clean schema -----------------------------------------------

    public function testCleanSchemaOf20TablesSaysNothing(): void
    {
        require_once Fkg::migrations() . '/clean_schema.php';
        $db = $this->fresh('clean');
        // Every message of ours at NOTICE or above goes to the server log.
        Fkg::pdo($db->name)->exec("ALTER DATABASE {$db->name} SET log_min_messages = notice");
        $db->connect();
        $logBefore = filesize(getenv('FKG_SERVER_LOG'));
        [$e, $out] = $db->migrate(self::dirs('clean'));
        $this->assertNull($e, $e ? $e->getMessage() : '');
        $this->assertCount(5, $db->recorded());
        $spec = CleanSchema::spec();
        $tables = array_column($spec['tables'], 'name');
        $fks = count($spec['addColumns']) + count($spec['addForeignKeys']);
        foreach ($spec['tables'] as $t) foreach (array_merge($t['key'], $t['columns']) as $c) if (!empty($c['references'])) $fks++;
        $list = '{' . implode(',', $tables) . '}';
        $this->assertSame(20, $db->value("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname = ANY(?::text[])", [$list]));
        $this->assertSame($fks, $db->value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(?::text[])", [$list]));
        $this->assertSame(['bigint', 'integer', 'text', 'uuid'], array_column($db->rows(
            "SELECT DISTINCT format_type(a.atttypid, a.atttypmod) AS type FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)
              WHERE c.contype = 'f' ORDER BY 1"), 'type'));
        $keys = array_values(array_filter($db->ddl(), fn ($s) => stripos($s, 'foreign key') !== false));
        $this->assertSame(Fkg::fixture('clean-foreign-keys', $keys), $keys);
        $this->assertCount($fks, $keys);
        // PDO has no notice channel, so the proof is the server log (at
        // log_min_messages = warning: every WARNING of ours lands there) and
        // diagnose_fk_mismatches().
        clearstatcache();
        $log = file_get_contents(getenv('FKG_SERVER_LOG'), false, null, $logBefore);
        $this->assertDoesNotMatchRegularExpression('/pg_fk_guard|foreign key constraint/', $log);
        $this->assertStringNotContainsString('foreign key constraint', $out);
        $this->assertSame([], $db->rows('SELECT * FROM fk_guard.diagnose_fk_mismatches()'));
        // A control: a NOTICE on Laravel's connection does reach that log.
        \Illuminate\Support\Facades\DB::statement('DROP TABLE IF EXISTS fkg_control_no_such_table');
        clearstatcache();
        $this->assertStringContainsString('NOTICE:  table "fkg_control_no_such_table" does not exist, skipping',
            file_get_contents(getenv('FKG_SERVER_LOG'), false, null, $logBefore));
    }
}
