# pg_dump / pg_restore of databases whose foreign keys hold soft mismatches
# (integer -> bigint, timestamp -> timestamptz, varchar(36) -> text), with the
# default settings and with every client told to stop at the first error:
# pg_restore --exit-on-error (custom format, also in one transaction) and
# psql -v ON_ERROR_STOP=1 (plain format). Two sources: a database created
# with the newest version, and one created with 1.0 and then updated
# (ALTER EXTENSION pg_fk_guard UPDATE). Two kinds of target: an empty
# database, and one created from a template that already has the extension
# (so every new database is guarded). Every restore must end without an
# error, with the same constraints, data, diagnosis and extension objects.
#
# Schema fk_guard is a member of the extension and the extension itself is
# installed in pg_catalog, so the dump holds only
#   CREATE EXTENSION IF NOT EXISTS pg_fk_guard WITH SCHEMA pg_catalog;
# and no CREATE SCHEMA fk_guard: a target that has the extension skips it.
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

# The application: three soft mismatches and a clean key, with data.
my $app_sql = <<'SQL';
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

# Every constraint of the application's tables, with its definition and state.
my $fk_query = q{
  SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
    FROM pg_constraint WHERE connamespace = 'app'::regnamespace ORDER BY conrelid::regclass::text, conname};
my $diagnose_query = q{
  SET search_path = app, public;
  SELECT d::text FROM fk_guard.diagnose_fk_mismatches() AS d ORDER BY d::text};
# Every row of every application table.
my $data_query = q{
  SELECT string_agg(t, E'\n' ORDER BY t) FROM (
    SELECT 'accounts ' || a::text AS t FROM app.accounts a UNION ALL SELECT 'orders ' || o::text FROM app.orders o
    UNION ALL SELECT 'slots ' || (s.starts_at AT TIME ZONE 'UTC')::text FROM app.slots s
    UNION ALL SELECT 'bookings ' || b::text FROM app.bookings b UNION ALL SELECT 'codes ' || c::text FROM app.codes c
    UNION ALL SELECT 'items ' || i::text FROM app.items i UNION ALL SELECT 'owners ' || o::text FROM app.owners o
    UNION ALL SELECT 'pets ' || p::text FROM app.pets p) x};
# The extension: its version, home and every member object.
my $extension_query = q{
  SELECT e.extversion || ' in ' || e.extnamespace::regnamespace::text || E'\n'
         || (SELECT string_agg(pg_describe_object(d.classid, d.objid, d.objsubid), E'\n'
                               ORDER BY pg_describe_object(d.classid, d.objid, d.objsubid))
               FROM pg_depend d
              WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e')
    FROM pg_extension e WHERE e.extname = 'pg_fk_guard'};

# The ignore list (an extension configuration table: pg_dump writes its rows).
my $ignored_query = q{
  SELECT string_agg(concat_ws(' ', table_name, column_name, constraint_name, check_name, reason), E'\n'
                    ORDER BY reason) FROM fk_guard.ignored};
my $ignore_sql = q{
  INSERT INTO fk_guard.ignored (table_name, check_name, reason) VALUES ('app.pets', 'unindexed', 'pets are never deleted');
  INSERT INTO fk_guard.ignored (constraint_name, reason) VALUES ('no_such_key', 'kept although nothing matches')};

# What a database looks like, for comparing a restore with its source.
sub state_of
{
	my ($db) = @_;
	return {
		constraints => $node->safe_psql($db, $fk_query),
		data        => $node->safe_psql($db, $data_query),
		diagnosis   => $node->safe_psql($db, $diagnose_query),
		extension   => $node->safe_psql($db, $extension_query),
		ignored     => $node->safe_psql($db, $ignored_query),
	};
}

# Every error line of a client's output.
sub errors_in
{
	my ($stderr) = @_;
	return grep { /error/i } split /\n/, $stderr;
}

# The sources: one created with the newest version, one created with 1.0 and
# updated.
my ($rc, $out, $err);
$node->safe_psql('postgres', 'CREATE DATABASE src');
$rc = $node->psql('src', "CREATE EXTENSION pg_fk_guard;\n$app_sql;\n$ignore_sql", stdout => \$out, stderr => \$err);
is($rc, 0, 'source database built');
like($err, qr/WARNING:  foreign key constraint "orders_account_id_fkey" pairs integer with bigint \(narrower\)/,
	'the guard warns on the soft mismatches in the source database');

$node->safe_psql('postgres', 'CREATE DATABASE src_updated');
$rc = $node->psql('src_updated', "CREATE EXTENSION pg_fk_guard VERSION '1.0';\n$app_sql", stderr => \$err);
is($rc, 0, 'source database built with 1.0');
$node->safe_psql('src_updated', 'ALTER EXTENSION pg_fk_guard UPDATE');
$node->safe_psql('src_updated', $ignore_sql);

my %source = (src => state_of('src'), src_updated => state_of('src_updated'));
my @src_fks = grep { /FOREIGN KEY/ } split /\n/, $source{src}{constraints};
is(scalar @src_fks, 4, 'the source database has four foreign keys');
like($source{src}{diagnosis}, qr/orders_account_id_fkey.*narrower/, 'diagnosis in the source: integer -> bigint');
like($source{src}{diagnosis}, qr/bookings_starts_at_fkey.*timezone_dependent/,
	'diagnosis in the source: timestamp -> timestamptz');
like($source{src}{diagnosis}, qr/items_code_ref.*narrower/, 'diagnosis in the source: varchar(36) -> text');
like($source{src}{extension}, qr/^\S+ in pg_catalog\n.*^schema fk_guard$/ms,
	'schema fk_guard is a member of the extension, which lives in pg_catalog');
like($source{src}{ignored}, qr/app\.pets unindexed pets are never deleted/, 'the source has an ignore list');
is_deeply($source{src_updated}, $source{src}, 'the updated source has the same objects, data and diagnosis');

# A template with the extension, so that every database made from it is guarded.
$node->safe_psql('postgres', 'CREATE DATABASE tmpl_guarded');
$node->safe_psql('tmpl_guarded', 'CREATE EXTENSION pg_fk_guard');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $n = 0;
for my $src (qw(src src_updated))
{
	($rc, $out, $err) = client('pg_dump', '-Fc', '-f', "$tmp/$src.dump", '-d', $src);
	is($rc, 0, "$src: pg_dump -Fc") or diag($err);
	($rc, $out, $err) = client('pg_dump', '-f', "$tmp/$src.sql", '-d', $src);
	is($rc, 0, "$src: pg_dump plain") or diag($err);

	# How pg_dump writes the extension.
	my $plain = slurp_file("$tmp/$src.sql");
	my @ext_lines = grep { /EXTENSION|fk_guard/ && !/^--/ } split /\n/, $plain;
	is_deeply(\@ext_lines, [
			'CREATE EXTENSION IF NOT EXISTS pg_fk_guard WITH SCHEMA pg_catalog;',
			q{COMMENT ON EXTENSION pg_fk_guard IS 'find and stop foreign keys whose column types do not match';},
			'COPY fk_guard.ignored (table_name, column_name, constraint_name, check_name, reason, added_by, added_at) FROM stdin;' ],
		"$src: the dump creates the extension and the rows of its ignore list, and neither schema fk_guard nor any of its other objects");

	for my $target (qw(empty template))
	{
		my @create = $target eq 'template' ? ('TEMPLATE tmpl_guarded') : ();
		my @restores = (
			[ 'pg_restore --exit-on-error', [ 'pg_restore', '--exit-on-error', "$tmp/$src.dump" ] ],
			[ 'pg_restore --exit-on-error --single-transaction',
				[ 'pg_restore', '--exit-on-error', '--single-transaction', "$tmp/$src.dump" ] ],
			[ 'psql -v ON_ERROR_STOP=1 (plain)',
				[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', "$tmp/$src.sql" ] ]);
		for my $restore (@restores)
		{
			my ($how, $cmd) = @$restore;
			my $dst = 'dst_' . ++$n;
			$node->safe_psql('postgres', "CREATE DATABASE $dst @create");
			my $label = "$src -> $target database, $how";
			($rc, $out, $err) = client(@$cmd, '-d', $dst);
			is($rc, 0, "$label: exit code 0") or diag($err);
			is_deeply([ errors_in($err) ], [], "$label: no error");
			is_deeply(state_of($dst), $source{$src}, "$label: the same constraints, data, diagnosis and extension");
			if ($how =~ /plain/)
			{
				like($err,
					qr/WARNING:  foreign key constraint "orders_account_id_fkey" pairs integer with bigint \(narrower\)/,
					"$label: the guard warns while the restore adds the constraints: integer -> bigint");
				like($err,
					qr/WARNING:  foreign key constraint "bookings_starts_at_fkey" pairs timestamp without time zone with timestamp with time zone/,
					"$label: ... timestamp -> timestamptz");
				like($err, qr/WARNING:  foreign key constraint "items_code_ref" pairs character varying\(36\) with text/,
					"$label: ... varchar(36) -> text");
			}
		}
	}
}

# A dump taken while the database was still at 1.0 holds CREATE SCHEMA
# fk_guard and CREATE EXTENSION ... WITH SCHEMA fk_guard, which the newest
# version refuses (it is installed in pg_catalog). The documented way to
# restore it: leave those entries out and create the extension first.
$node->safe_psql('postgres', 'CREATE DATABASE src_10');
$node->psql('src_10', "CREATE EXTENSION pg_fk_guard VERSION '1.0';\n$app_sql");
($rc, $out, $err) = client('pg_dump', '-Fc', '-f', "$tmp/src_10.dump", '-d', 'src_10');
is($rc, 0, '1.0: pg_dump -Fc') or diag($err);
($rc, $out, $err) = client('pg_restore', '-l', "$tmp/src_10.dump");
my @list = grep { !/ SCHEMA - fk_guard | EXTENSION - pg_fk_guard / } split /\n/, $out;
isnt(scalar @list, scalar(split /\n/, $out), '1.0 dump: its list names schema fk_guard and the extension');
open my $fh, '>', "$tmp/src_10.list" or die;
print $fh join("\n", @list), "\n";
close $fh;
$node->safe_psql('postgres', 'CREATE DATABASE restored_from_10');
$node->safe_psql('restored_from_10', 'CREATE EXTENSION pg_fk_guard');
($rc, $out, $err) = client('pg_restore', '--exit-on-error', '-L', "$tmp/src_10.list", '-d', 'restored_from_10', "$tmp/src_10.dump");
is($rc, 0, '1.0 dump restored with the extension left out of its list') or diag($err);
# 1.0 had no ignore list: compare everything else.
my %without_ignored = %{ $source{src} };
delete $without_ignored{ignored};
my $restored_10 = state_of('restored_from_10');
delete $restored_10->{ignored};
is_deeply($restored_10, \%without_ignored, '1.0 dump: the same constraints, data and diagnosis as a 1.1 source');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated|PANIC/, 'no crash in the server log');

done_testing();
