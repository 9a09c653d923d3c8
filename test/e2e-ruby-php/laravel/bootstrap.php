<?php
// Laravel 8 (Debian's php-laravel-framework, loaded through Debian's
// autoloaders under /usr/share/php; Doctrine DBAL from php-doctrine-dbal for
// ->change()): each test gets a fresh database with pg_fk_guard created in
// it by the superuser and owned by an ordinary role, and runs migrations the
// way `php artisan migrate` does: the migrations table created when missing
// (migrate:install), then Illuminate\Database\Migrations\Migrator::run(),
// one transaction per migration (PostgreSQL supports schema transactions).
// The Schema and DB facades work as in an application. Connection settings
// come from the libpq variables that test/run_e2e_ruby_php.sh points at its
// throwaway cluster.

require_once 'Illuminate/Database/autoload.php';
require_once 'Illuminate/Events/autoload.php';
require_once 'Illuminate/Filesystem/autoload.php';
require_once 'Doctrine/DBAL/autoload.php';
require_once 'Symfony/Component/Console/autoload.php';

use Illuminate\Container\Container;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Events\QueryExecuted;
use Illuminate\Database\Migrations\DatabaseMigrationRepository;
use Illuminate\Database\Migrations\Migrator;
use Illuminate\Events\Dispatcher;
use Illuminate\Filesystem\Filesystem;
use Illuminate\Support\Facades\Facade;
use Symfony\Component\Console\Output\BufferedOutput;

final class Fkg
{
    const CONTEXT = 'pg_fk_guard: checked before PostgreSQL ran the statement';

    public static function host(): string { return getenv('PGHOST') ?: '/var/run/postgresql'; }
    public static function port(): int { return (int) (getenv('PGPORT') ?: 5432); }
    public static function superuser(): string { return getenv('FKG_E2E_SUPERUSER') ?: 'postgres'; }
    public static function appRole(): string { return getenv('FKG_E2E_ROLE') ?: 'fkg_app'; }
    public static function migrations(): string { return __DIR__ . '/migrations'; }
    public static function fixtures(): string { return dirname(__DIR__) . '/fixtures/laravel'; }
    public static function laravelVersion(): string
    {
        $src = (string) file_get_contents(stream_resolve_include_path('Illuminate/Foundation/Application.php'));
        return preg_match("/const VERSION = '([^']+)'/", $src, $m) ? $m[1] : 'unknown';
    }

    public static function work(): string { return dirname(__DIR__, 3) . '/build/e2e-ruby-php/laravel-work'; }

    /** A plain PDO connection (not Laravel's), for setup and checks. */
    public static function pdo(string $db, ?string $user = null): PDO
    {
        return new PDO(sprintf('pgsql:host=%s;port=%d;dbname=%s', self::host(), self::port(), $db),
                       $user ?? self::superuser(), null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    }

    /** The statements a scenario sends, kept in fixtures/laravel/<name>.sql;
     *  FKG_E2E_RECORD=1 rewrites them. Returns the fixture's statements. */
    public static function fixture(string $name, array $statements): array
    {
        $path = self::fixtures() . "/$name.sql";
        if (getenv('FKG_E2E_RECORD') === '1' || !file_exists($path)) {
            @mkdir(self::fixtures(), 0777, true);
            $head = sprintf("-- Laravel %s (Doctrine DBAL %s, PHP %s): the statements test/e2e-ruby-php/laravel sends for %s, in order.\n",
                            self::laravelVersion(), trim((string) shell_exec("dpkg-query -W -f='\${Version}' php-doctrine-dbal")), PHP_VERSION, $name);
            file_put_contents($path, $head . implode("\n", array_map(fn ($s) => "$s;\n", $statements)));
        }
        $text = file_get_contents($path);
        $body = preg_replace('/\A--[^\n]*\n/', '', $text);
        return array_map(fn ($s) => rtrim($s, ";\n"), preg_split('/;\n(\n|\z)/', $body, -1, PREG_SPLIT_NO_EMPTY));
    }

    /** A repair migration as a user commits it: the generated script in a
     *  nowdoc, run with DB::unprepared() inside the migration's transaction. */
    public static function repairDirectory(string $file, string $comment, string $plan): string
    {
        if (strpos($plan, "\nFIX_PLAN") !== false) throw new RuntimeException('the plan contains the nowdoc delimiter');
        $dir = self::work() . '/repair-' . bin2hex(random_bytes(4));
        mkdir($dir, 0777, true);
        file_put_contents("$dir/$file", <<<PHP
<?php
// Written from: $comment

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Support\\Facades\\DB;

return new class extends Migration {
    public function up()
    {
        DB::unprepared(<<<'FIX_PLAN'
$plan
FIX_PLAN);
    }

    public function down()
    {
        throw new RuntimeException('this repair cannot be undone');
    }
};

PHP);
        return $dir;
    }
}

/** One test database and Laravel connected to it as the application role. */
final class FkgDatabase
{
    public string $name;
    public Capsule $capsule;
    public Container $app;
    /** Every statement the connection ran (DB::listen), with bindings. */
    public array $sent = [];

    public function __construct(string $label, array $connection = [])
    {
        $this->name = 'e2e_laravel_' . $label . '_' . bin2hex(random_bytes(3));
        $admin = Fkg::pdo('postgres');
        $role = Fkg::appRole();
        $admin->exec("DO \$\$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
              CREATE ROLE $role LOGIN NOSUPERUSER;
            END IF;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END \$\$");
        $admin->exec("CREATE DATABASE {$this->name} OWNER $role TEMPLATE template0");
        Fkg::pdo($this->name)->exec('CREATE EXTENSION pg_fk_guard');
        $this->connect($connection);
    }

    /** config/database.php's pgsql connection, and what an application's
     *  service providers set up: the container, events, the facades. */
    public function connect(array $connection = []): void
    {
        $this->app = new Container();
        Container::setInstance($this->app);
        $this->capsule = new Capsule($this->app);
        $this->capsule->addConnection(array_merge([
            'driver' => 'pgsql', 'host' => Fkg::host(), 'port' => Fkg::port(), 'database' => $this->name,
            'username' => Fkg::appRole(), 'password' => '', 'charset' => 'utf8', 'prefix' => '',
            'schema' => 'public', 'sslmode' => 'prefer',
        ], $connection));
        $this->capsule->setEventDispatcher(new Dispatcher($this->app));
        $this->capsule->setAsGlobal();
        $this->app->instance('db', $this->capsule->getDatabaseManager());
        $this->app->instance('events', $this->capsule->getEventDispatcher());
        Facade::clearResolvedInstances();
        Facade::setFacadeApplication($this->app);
        $this->sent = [];
        $this->capsule->getConnection()->listen(function (QueryExecuted $q) {
            $this->sent[] = $q->sql;
        });
    }

    /** Runs the pending migrations of these directories as `php artisan
     *  migrate` does. Returns [the exception or null, the migrator's output]. */
    public function migrate(array $dirs): array
    {
        $resolver = $this->capsule->getDatabaseManager();
        $repository = new DatabaseMigrationRepository($resolver, 'migrations');
        $migrator = new Migrator($repository, $resolver, new Filesystem(), $this->capsule->getEventDispatcher());
        $output = new BufferedOutput();
        $error = null;
        try {
            $migrator->usingConnection('default', function () use ($migrator, $repository, $dirs, $output) {
                if (!$repository->repositoryExists()) {
                    $repository->createRepository();
                }
                $migrator->setOutput($output)->run($dirs);
            });
        } catch (Throwable $e) {
            $error = $e;
        }
        return [$error, $output->fetch()];
    }

    public function rows(string $sql, array $params = []): array
    {
        $st = Fkg::pdo($this->name, Fkg::appRole())->prepare($sql);
        $st->execute($params);
        return $st->fetchAll(PDO::FETCH_ASSOC);
    }

    public function value(string $sql, array $params = [])
    {
        $r = $this->rows($sql, $params);
        return $r ? array_values($r[0])[0] : null;
    }

    public function columnType(string $table, string $column): ?string
    {
        return $this->value('SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                              WHERE attrelid = ?::regclass AND attname = ? AND NOT attisdropped', [$table, $column]);
    }

    public function foreignKeys(string $table): array
    {
        return $this->rows("SELECT conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
                             WHERE conrelid = ?::regclass AND contype = 'f' ORDER BY conname", [$table]);
    }

    public function recorded(): array
    {
        return array_column($this->rows('SELECT migration FROM migrations ORDER BY id'), 'migration');
    }

    public function history(): array
    {
        return $this->rows('SELECT tool, migration, status, recorded_in::text AS recorded_in FROM fk_guard.migration_history() ORDER BY ordinal');
    }

    /** The statements that change the schema, in order, with the refused
     *  one (from the exception: DB::listen hears only statements that ran). */
    public function ddl(?Throwable $error = null): array
    {
        $ddl = array_values(array_filter($this->sent, fn ($s) => preg_match('/^\s*(alter|create|drop|ALTER|CREATE|DROP)\b/', $s)
            && !preg_match('/"migrations"|\bmigrations\b/', $s)));
        if ($error instanceof \Illuminate\Database\QueryException) {
            $ddl[] = $error->getSql();
        }
        return $ddl;
    }

    public function drop(): void
    {
        $this->capsule->getDatabaseManager()->purge();
        Facade::clearResolvedInstances();
        Fkg::pdo('postgres')->exec("DROP DATABASE IF EXISTS {$this->name} WITH (FORCE)");
    }
}
