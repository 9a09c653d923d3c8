# pg_dump / pg_restore of a database whose foreign keys hold soft mismatches
# (integer -> bigint, timestamp -> timestamptz, varchar(36) -> text), with the
# default settings, into a new database where pg_fk_guard is created first:
# the guard warns while the restore adds the constraints, every constraint is
# in place afterwards and diagnose_fk_mismatches() gives the same rows.
# Schema fk_guard is a member of the extension, so the dump holds no CREATE
# SCHEMA fk_guard and the restore reports no error at all.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('dump', port => ($ENV{FKG_TAP_PORT_DUMP} // 54352));
$node->init;
$node->start;

# Runs a client program against the node; returns (exit code, stdout, stderr).
sub client
{
	my @cmd = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ @cmd, '-h', $node->host, '-p', $node->port ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

$node->safe_psql('postgres', 'CREATE DATABASE src');
my ($rc, $out, $err);
$rc = $node->psql('src', <<'SQL', stdout => \$out, stderr => \$err);
CREATE EXTENSION pg_fk_guard;
CREATE SCHEMA app;
SET search_path = app;
-- integer -> bigint (narrower)
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, account_id integer REFERENCES accounts);
-- timestamp -> timestamptz (timezone_dependent)
CREATE TABLE slots (starts_at timestamptz PRIMARY KEY);
CREATE TABLE bookings (id int PRIMARY KEY, starts_at timestamp REFERENCES slots);
-- varchar(36) -> text (narrower), with a named constraint
CREATE TABLE codes (code text PRIMARY KEY);
CREATE TABLE items (id int PRIMARY KEY, code varchar(36), CONSTRAINT items_code_ref FOREIGN KEY (code) REFERENCES codes);
-- a clean one, for contrast
CREATE TABLE owners (id int PRIMARY KEY);
CREATE TABLE pets (id int PRIMARY KEY, owner_id int REFERENCES owners);
SET TimeZone = 'UTC';
INSERT INTO accounts VALUES (1), (2);
INSERT INTO orders VALUES (1, 1), (2, 2), (3, NULL);
INSERT INTO slots VALUES ('2026-01-01 09:00+00'), ('2026-01-01 10:00+00');
INSERT INTO bookings VALUES (1, '2026-01-01 09:00'), (2, '2026-01-01 10:00');
INSERT INTO codes VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('b');
INSERT INTO items VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, 'b');
INSERT INTO owners VALUES (1);
INSERT INTO pets VALUES (1, 1);
SQL
is($rc, 0, 'source database built');
like($err, qr/WARNING:  foreign key constraint "orders_account_id_fkey" pairs integer with bigint \(narrower\)/,
	'the guard warns on the soft mismatches in the source database');

# Every constraint of the application's tables, with its definition and state.
my $fk_query = q{
  SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
    FROM pg_constraint WHERE connamespace = 'app'::regnamespace ORDER BY conrelid::regclass::text, conname};
my $diagnose_query = q{
  SELECT d::text FROM fk_guard.diagnose_fk_mismatches() AS d ORDER BY d::text};

my $src_fks      = $node->safe_psql('src', $fk_query);
my $src_diagnose = $node->safe_psql('src', "SET search_path = app, public; $diagnose_query");
my @src_fks = grep { /FOREIGN KEY/ } split /\n/, $src_fks;
is(scalar @src_fks, 4, 'the source database has four foreign keys');
like($src_diagnose, qr/orders_account_id_fkey.*narrower/, 'diagnosis in the source: integer -> bigint');
like($src_diagnose, qr/bookings_starts_at_fkey.*timezone_dependent/, 'diagnosis in the source: timestamp -> timestamptz');
like($src_diagnose, qr/items_code_ref.*narrower/, 'diagnosis in the source: varchar(36) -> text');

my $tmp = PostgreSQL::Test::Utils::tempdir;

# Every error line of a restore's output.
sub errors_in
{
	my ($stderr) = @_;
	return grep { /error/i } split /\n/, $stderr;
}

# Custom format, pg_restore, into a database where the extension was created first.
($rc, $out, $err) = client('pg_dump', '-Fc', '-f', "$tmp/src.dump", '-d', 'src');
is($rc, 0, 'pg_dump -Fc') or diag($err);

$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->safe_psql('dst', 'CREATE EXTENSION pg_fk_guard');
($rc, $out, $err) = client('pg_restore', '-d', 'dst', "$tmp/src.dump");
is($rc, 0, 'pg_restore into a database where the extension exists: exit code 0');
is_deeply([ errors_in($err) ], [], 'pg_restore into a database where the extension exists: no error');
is($node->safe_psql('dst', $fk_query), $src_fks, 'pg_restore: every constraint exists, validated, as in the source');
is($node->safe_psql('dst', "SET search_path = app, public; $diagnose_query"),
	$src_diagnose, 'pg_restore: diagnose_fk_mismatches() gives the same rows in both databases');

# The same dump into an empty database: the restore creates the extension
# (pre-data), so the guard is in place when it adds the foreign keys (post-data).
$node->safe_psql('postgres', 'CREATE DATABASE dst_empty');
($rc, $out, $err) = client('pg_restore', '-d', 'dst_empty', "$tmp/src.dump");
is($rc, 0, 'pg_restore into an empty database succeeds') or diag($err);
is($node->safe_psql('dst_empty', $fk_query), $src_fks, 'pg_restore into an empty database: every constraint exists');
is($node->safe_psql('dst_empty', "SET search_path = app, public; $diagnose_query"),
	$src_diagnose, 'pg_restore into an empty database: the same diagnosis');

# Plain format, replayed by psql (default settings: it goes on after an error).
($rc, $out, $err) = client('pg_dump', '-f', "$tmp/src.sql", '-d', 'src');
is($rc, 0, 'pg_dump plain') or diag($err);
$node->safe_psql('postgres', 'CREATE DATABASE dst_plain');
$node->safe_psql('dst_plain', 'CREATE EXTENSION pg_fk_guard');
($rc, $out, $err) = client('psql', '-X', '-q', '-d', 'dst_plain', '-f', "$tmp/src.sql");
is($rc, 0, 'psql replays the plain dump') or diag($err);
unlike($err, qr/ERROR/, 'plain restore into a database where the extension exists: no ERROR');
is_deeply([ errors_in($err) ], [], 'plain restore: no error');
like($err, qr/WARNING:  foreign key constraint "orders_account_id_fkey" pairs integer with bigint \(narrower\)/,
	'the guard warns while the restore adds the constraints: integer -> bigint');
like($err, qr/WARNING:  foreign key constraint "bookings_starts_at_fkey" pairs timestamp without time zone with timestamp with time zone/,
	'... timestamp -> timestamptz');
like($err, qr/WARNING:  foreign key constraint "items_code_ref" pairs character varying\(36\) with text/,
	'... varchar(36) -> text');
is($node->safe_psql('dst_plain', $fk_query), $src_fks, 'plain restore: every constraint exists, validated');
is($node->safe_psql('dst_plain', "SET search_path = app, public; $diagnose_query"),
	$src_diagnose, 'plain restore: diagnose_fk_mismatches() gives the same rows');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated|PANIC/, 'no crash in the server log');

done_testing();
