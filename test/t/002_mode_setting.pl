# pg_fk_guard.mode is superuser-only, and a session that turns it off writes
# a LOG line that says so, naming the role: a SET (SET LOCAL, a function's SET
# clause when the function runs) and a value the session starts with
# (connection options, role and database defaults); not the validation of a
# value stored for later (ALTER ROLE / DATABASE ... SET, CREATE FUNCTION ...
# SET: GUC source PGC_S_TEST).
# Known problem (TODO below): CREATE FUNCTION ... SET pg_fk_guard.mode = off
# still writes the line while check_function_bodies is on, because PostgreSQL
# applies the function's SET clause as a session value (PGC_S_SESSION) while
# its validator checks the body.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('mode', port => ($ENV{FKG_TAP_PORT_MODE} // 54353));
$node->init;
$node->start;

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_fk_guard;
  CREATE ROLE migrator LOGIN;
  CREATE ROLE admin LOGIN SUPERUSER;
  CREATE TABLE users (id integer PRIMARY KEY);
  CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
  GRANT ALL ON users, sessions TO migrator;
  ALTER TABLE users OWNER TO migrator;
  ALTER TABLE sessions OWNER TO migrator;
});

# The bootstrap superuser (the OS user that ran initdb).
my $su = $node->safe_psql('postgres', 'SELECT current_user');

my $bad_fk = q{ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users};
my $off_log = qr/LOG:  pg_fk_guard\.mode set to off by role "([^"]*)": foreign keys are not checked in this session/;
my ($rc, $out, $err, $offset);

# --- Not a superuser ---

# With the module loaded (any fk_guard function loads it), SET is refused.
$offset = -s $node->logfile;
$rc = $node->psql('postgres', q{
  SELECT kind FROM fk_guard.classify_key_pair('integer', 'integer');
  SET pg_fk_guard.mode = off;},
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'migrator' ]);
isnt($rc, 0, 'a non-superuser cannot SET pg_fk_guard.mode');
like($err, qr/permission denied to set parameter "pg_fk_guard\.mode"/, '... permission denied');

$rc = $node->psql('postgres', q{
  SELECT kind FROM fk_guard.classify_key_pair('integer', 'integer');
  SET pg_fk_guard.mode = warn;},
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'migrator' ]);
like($err, qr/permission denied to set parameter "pg_fk_guard\.mode"/, 'nor to warn');

# Before the module is loaded in the session, SET only makes a placeholder;
# when the guard loads, PostgreSQL drops the value (the role was not allowed
# to set it), so the guard still refuses.
$rc = $node->psql('postgres', qq{
  SET pg_fk_guard.mode = off;
  $bad_fk;},
	stdout => \$out, stderr => \$err, on_error_stop => 0, extra_params => [ '-U', 'migrator' ]);
like($err, qr/ERROR:  foreign key constraint "sessions_userId_fkey" cannot be implemented/,
	'a placeholder value set before the module loaded does not turn the guard off');
like($err, qr/CONTEXT:  pg_fk_guard: checked before PostgreSQL ran the statement/, '... the refusal is the guard\'s');
like($err, qr/permission denied to set parameter "pg_fk_guard\.mode"/, '... and PostgreSQL says the value was dropped');

# The same through the connection's options (PGOPTIONS).
$rc = $node->psql('postgres', qq{$bad_fk;},
	stdout => \$out, stderr => \$err, on_error_stop => 0,
	connstr => $node->connstr('postgres') . " user=migrator options='-c pg_fk_guard.mode=off'");
like($err, qr/CONTEXT:  pg_fk_guard: checked before PostgreSQL ran the statement/,
	'-c pg_fk_guard.mode=off in the connection options does not turn the guard off for a non-superuser');

# Nor may the role make it its own default.
$rc = $node->psql('postgres', q{ALTER ROLE migrator SET pg_fk_guard.mode = off;},
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'migrator' ]);
isnt($rc, 0, 'a non-superuser cannot ALTER ROLE ... SET pg_fk_guard.mode');

ok(!$node->log_contains($off_log, $offset), 'no "set to off" LOG line for the refused attempts');

# Other settings are open to everyone.
$out = $node->safe_psql('postgres', q{
  SET pg_fk_guard.soft_mismatches = ignore;
  SET pg_fk_guard.profile_row_limit = 0;
  SELECT current_setting('pg_fk_guard.soft_mismatches') || ' ' || current_setting('pg_fk_guard.profile_row_limit');},
	extra_params => [ '-U', 'migrator' ]);
is($out, 'ignore 0', 'soft_mismatches and profile_row_limit are for any user');

# --- A superuser ---

$offset = -s $node->logfile;
$rc = $node->psql('postgres', qq{
  SET pg_fk_guard.mode = off;
  SHOW pg_fk_guard.mode;
  $bad_fk;},
	stdout => \$out, stderr => \$err, on_error_stop => 0);
is($out, 'off', 'a superuser may turn the guard off');
like($err, qr/ERROR:  foreign key constraint "sessions_userId_fkey" cannot be implemented/,
	'... then PostgreSQL refuses by itself');
unlike($err, qr/pg_fk_guard: checked before/, '... and the guard says nothing');
my @who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, [$su], "the server log has one LOG line: off, by role \"$su\"");

# The role named is the one in effect. The module is loaded in a session by
# its first DDL (or fk_guard function): a value SET before that is checked,
# and logged, then.
$offset = -s $node->logfile;
$node->safe_psql('postgres', q{SET pg_fk_guard.mode = off; CREATE TABLE admin_t (id int);},
	extra_params => [ '-U', 'admin' ]);
@who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, ['admin'], 'LOG line names role "admin" (SET before the module was loaded)');

$offset = -s $node->logfile;
$node->safe_psql('postgres', q{
  SELECT kind FROM fk_guard.classify_key_pair('integer', 'integer');
  SET ROLE admin;
  SET pg_fk_guard.mode = off;});
@who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, ['admin'], 'LOG line names the current role after SET ROLE');

# Counts the "set to off" LOG lines written while $sql runs, in a session
# where the module is already loaded, and returns the roles they name.
my $load = q{SELECT kind FROM fk_guard.classify_key_pair('integer', 'integer');};
sub off_lines
{
	my ($sql, @extra) = @_;
	my $from = -s $node->logfile;
	$node->safe_psql('postgres', "$load\n$sql", @extra);
	return (slurp_file($node->logfile, $from) =~ /$off_log/g);
}

@who = off_lines(q{BEGIN; SET LOCAL pg_fk_guard.mode = off; COMMIT;});
is_deeply(\@who, [$su], 'SET LOCAL is logged');

$node->safe_psql('postgres',
	q{CREATE FUNCTION unguarded() RETURNS int LANGUAGE sql SET pg_fk_guard.mode = off AS 'SELECT 1'});
@who = off_lines(q{SELECT unguarded();});
is_deeply(\@who, [$su], 'a function\'s SET clause is logged when the function runs');

# Validating a value is not turning the guard off: PostgreSQL calls the check
# hook with source PGC_S_TEST for ALTER ROLE / DATABASE ... SET and for
# CREATE FUNCTION ... SET.
my @at_alter_role = off_lines(q{ALTER ROLE migrator SET pg_fk_guard.mode = off});
is(scalar @at_alter_role, 0, 'ALTER ROLE ... SET pg_fk_guard.mode = off writes no "set to off" line');
$node->safe_psql('postgres', 'CREATE DATABASE unguarded_db');
$node->safe_psql('unguarded_db', q{
  CREATE EXTENSION pg_fk_guard;
  CREATE TABLE users (id integer PRIMARY KEY);
  CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);});
my @at_alter_db = off_lines(q{ALTER DATABASE unguarded_db SET pg_fk_guard.mode = off});
is(scalar @at_alter_db, 0, 'ALTER DATABASE ... SET pg_fk_guard.mode = off writes no "set to off" line');
my @at_create_nocheck = off_lines(q{SET check_function_bodies = off;
  CREATE FUNCTION unguarded3() RETURNS int LANGUAGE sql SET pg_fk_guard.mode = off AS 'SELECT 1'});
is(scalar @at_create_nocheck, 0,
	'CREATE FUNCTION ... SET pg_fk_guard.mode = off with check_function_bodies = off writes no "set to off" line');
my @at_create = off_lines(
	q{CREATE FUNCTION unguarded2() RETURNS int LANGUAGE sql SET pg_fk_guard.mode = off AS 'SELECT 1'});
TODO:
{
	local $TODO = 'with check_function_bodies = on, ProcedureCreate applies the SET clause as a session value '
	  . '(PGC_S_SESSION, GUC_ACTION_SAVE) while the validator checks the body; check_mode cannot tell that '
	  . 'from a SET, so it logs although no statement runs unguarded';
	is(scalar @at_create, 0, 'CREATE FUNCTION ... SET pg_fk_guard.mode = off writes no "set to off" line');
}

# A superuser may make off a role's default; that role's sessions run
# unguarded, and each one that does writes the LOG line, naming the role.
$offset = -s $node->logfile;
$rc = $node->psql('postgres', qq{SHOW pg_fk_guard.mode; $bad_fk;},
	stdout => \$out, stderr => \$err, on_error_stop => 0, extra_params => [ '-U', 'migrator' ]);
is($out, 'off', 'ALTER ROLE ... SET by a superuser: the role\'s sessions start with off');
unlike($err, qr/pg_fk_guard: checked before/, '... and are unguarded');
@who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, ['migrator'], '... and the role\'s session writes one LOG line, naming role "migrator"');
$node->safe_psql('postgres', q{ALTER ROLE migrator RESET pg_fk_guard.mode});

# The same for a database default.
$offset = -s $node->logfile;
$rc = $node->psql('unguarded_db', qq{SHOW pg_fk_guard.mode; $bad_fk;},
	stdout => \$out, stderr => \$err, on_error_stop => 0);
is($out, 'off', 'ALTER DATABASE ... SET: sessions in that database start with off');
unlike($err, qr/pg_fk_guard: checked before/, '... and are unguarded');
@who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, [$su], "... and the session writes one LOG line, naming role \"$su\"");
$node->safe_psql('postgres', q{ALTER DATABASE unguarded_db RESET pg_fk_guard.mode});

# Other values are not logged.
@who = off_lines(q{SET pg_fk_guard.mode = warn; SET pg_fk_guard.mode = enforce;});
is(scalar @who, 0, 'warn and enforce write no LOG line');

# A superuser session that turns the guard off through its connection options
# (PGOPTIONS='-c pg_fk_guard.mode=off') is a session that turns it off too.
$offset = -s $node->logfile;
$rc = $node->psql('postgres', qq{BEGIN; $bad_fk; ROLLBACK;},
	stdout => \$out, stderr => \$err, on_error_stop => 0,
	connstr => $node->connstr('postgres') . " options='-c pg_fk_guard.mode=off'");
unlike($err, qr/pg_fk_guard: checked before/, 'connection options: the guard is off');
@who = (slurp_file($node->logfile, $offset) =~ /$off_log/g);
is_deeply(\@who, [$su], "connection options: one LOG line, naming role \"$su\"");

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated|PANIC/, 'no crash in the server log');

done_testing();
