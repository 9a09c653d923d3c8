# pg_fk_guard on a Citus cluster: a coordinator and two workers started here
# (PostgreSQL::Test::Cluster, citus in shared_preload_libraries). The seed
# story on distributed tables (a Sequelize-style uuid column referencing an
# integer key: refused once, on the coordinator, and fixed by the plan
# fix_plan() writes, run as it stands); soft mismatches under every setting of
# pg_fk_guard.mode and pg_fk_guard.soft_mismatches with a shard move and
# alter_distributed_table after each; a session that sets Citus's
# application_name; and the guard's messages counted per statement in the
# client's output and in every node's log: one per statement, on the
# coordinator, none on the workers.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $base = $ENV{FKG_CITUS_TAP_PORT} || 54390;
my @names = qw(coordinator worker1 worker2);
my %node;
for my $i (0 .. 2) {
	my $n = PostgreSQL::Test::Cluster->new($names[$i], port => $base + $i);
	$n->init;
	$n->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
max_connections = 60
max_worker_processes = 16
log_min_messages = warning
log_line_prefix = '%m [%p] %a: '
});
	$n->start;
	$n->safe_psql('postgres', 'CREATE DATABASE fkg');
	$n->safe_psql('fkg', 'SET client_min_messages = warning; CREATE EXTENSION citus');
	$node{ $names[$i] } = $n;
}
my $c = $node{coordinator};
$c->safe_psql('fkg', qq{
  SELECT citus_set_coordinator_host('127.0.0.1', $base);
  SELECT citus_add_node('127.0.0.1', @{[$base + 1]});
  SELECT citus_add_node('127.0.0.1', @{[$base + 2]});
  CREATE EXTENSION pg_fk_guard;
});
is($c->safe_psql('fkg', q{SELECT string_agg(result, ',') FROM run_command_on_workers(
  $$SELECT count(*) FROM pg_extension WHERE extname = 'pg_fk_guard'$$)}), '1,1', 'pg_fk_guard on both workers');

my $guard_message = qr/(?:WARNING|ERROR):  foreign key constraint "[^"]*" (?:pairs|will pair|cannot be implemented)/;
sub count_messages { my ($text) = @_; my $n = () = $text =~ /$guard_message/g; return $n; }
sub log_size { my ($n) = @_; return -s $n->logfile; }
sub log_since {
	my ($n, $offset) = @_;
	my $all = slurp_file($n->logfile);
	return substr($all, $offset);
}

# Runs SQL on the coordinator (statement by statement, stopping at the first
# error) and checks the exit status and the guard's messages: WANT on the
# client and in the coordinator's log, none in either worker's log.
my %per_statement;    # messages seen, for the summary
sub check_statement {
	my ($name, $sql, %want) = @_;
	my %before = map { $_ => log_size($node{$_}) } @names;
	my ($out, $err) = ('', '');
	my $rc = $c->psql('fkg', $sql, stdout => \$out, stderr => \$err, on_error_stop => 1);
	my $client = count_messages($err);
	my %in_log = map { $_ => count_messages(log_since($node{$_}, $before{$_})) } @names;
	if ($want{fails}) {
		isnt($rc, 0, "$name: refused");
	} else {
		is($rc, 0, "$name: runs") or diag($err);
	}
	is($client, $want{messages}, "$name: $want{messages} guard message(s) on the client") or diag($err);
	is($in_log{coordinator}, $want{messages}, "$name: the same in the coordinator's log");
	is($in_log{worker1} + $in_log{worker2}, 0, "$name: none in the workers' logs");
	$per_statement{$name} = "client $client, coordinator $in_log{coordinator}, workers $in_log{worker1}+$in_log{worker2}";
	return ($out, $err);
}

# --- The seed story on distributed tables ---
$c->safe_psql('fkg', q{
  SET client_min_messages = warning;
  CREATE TABLE users (id serial PRIMARY KEY, legacy_id uuid UNIQUE NOT NULL);
  SELECT create_reference_table('users');
  INSERT INTO users (legacy_id) SELECT md5(g::text)::uuid FROM generate_series(1, 50) g;
  CREATE TABLE sessions (sid text, "userId" uuid, created_at timestamptz DEFAULT now(), PRIMARY KEY (sid));
  SELECT create_distributed_table('sessions', 'sid', shard_count => 8);
  INSERT INTO sessions (sid, "userId") SELECT 's' || g, md5((g % 50 + 1)::text)::uuid FROM generate_series(1, 400) g;
});
# What Sequelize sends for references: { model: 'users', key: 'id' } on a uuid column.
my ($out, $err) = check_statement('seed story: ADD FOREIGN KEY uuid -> integer on a distributed table',
	q{ALTER TABLE "sessions" ADD FOREIGN KEY ("userId") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE;},
	fails => 1, messages => 1);
like($err, qr/cannot be implemented/, 'seed story: refused as incompatible');
like($err, qr/The data of sessions was not profiled: it is a Citus distributed table/,
	'seed story: the data is not described as read');
unlike($err, qr/USING NULL|is empty/, 'seed story: no hint that would wipe the column');
like($err, qr/fk_guard\.fix_plan\('sessions', 'userId', 'users', 'id', on_unconvertible => 'map'/,
	'seed story: the hint names the plan that maps the values');
my $plan = $c->safe_psql('fkg',
	q{SELECT fk_guard.fix_plan('sessions', 'userId', 'users', 'id', on_unconvertible => 'map')});
like($plan, qr/^-- On Citus: public\.sessions is a Citus distributed table/m, 'the plan says what it does on Citus');
unlike($plan, qr/^UPDATE .*converts/m, 'no UPDATE calls converts()');
check_statement('seed story: the plan, run as it stands', "SET client_min_messages = warning;\nBEGIN;\n$plan\nCOMMIT;",
	messages => 0);
is($c->safe_psql('fkg', q{
  SELECT count(*) || ' ' || count(s."userId") || ' ' || pg_typeof(max(s."userId")) || ' ' ||
         bool_and(u.legacy_id = md5((substr(s.sid, 2)::int % 50 + 1)::text)::uuid)
    FROM sessions s LEFT JOIN users u ON u.id = s."userId"}), '400 400 integer true',
	'seed story: every session references its user by id now');
is($c->safe_psql('fkg', q{SELECT partmethod::text || ' ' || (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid)
    FROM pg_dist_partition p WHERE logicalrelid = 'sessions'::regclass}), 'h 8', 'seed story: still distributed, 8 shards');
check_statement('seed story: the key Sequelize wanted, now that the types match',
	q{ALTER TABLE "sessions" ADD CONSTRAINT sessions_user_fk FOREIGN KEY ("userId") REFERENCES "users" ("id") ON DELETE CASCADE;},
	messages => 0);
is($c->safe_psql('fkg', q{SELECT count(*) FROM run_command_on_shards('sessions',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '2'}),
	'8', 'seed story: both keys on every shard');

# --- A session that sets Citus's application_name is still judged ---
$c->safe_psql('fkg', q{
  SET client_min_messages = warning;
  CREATE TABLE plans (id bigint PRIMARY KEY);
  SELECT create_reference_table('plans');
  INSERT INTO plans SELECT g FROM generate_series(1, 4) g;
  CREATE TABLE tenants (id int PRIMARY KEY);
  SELECT create_distributed_table('tenants', 'id', shard_count => 4);
  CREATE TABLE tasks (tenant_id int, id int, plan_code text, s1 int, s2 int, s3 int, s4 int, s5 int, s6 int,
                      s7 int, s8 int, s9 int);
  SELECT create_distributed_table('tasks', 'tenant_id', colocate_with => 'tenants');
  INSERT INTO tasks SELECT g % 4, g, (g % 4 + 1)::text, g % 4 + 1, g % 4 + 1, g % 4 + 1, g % 4 + 1, g % 4 + 1,
                           g % 4 + 1, g % 4 + 1, g % 4 + 1, g % 4 + 1 FROM generate_series(1, 40) g;
});
($out, $err) = check_statement("application_name set like Citus's internal connections",
	qq{SET application_name = 'citus_internal gpid=10000000001';\nALTER TABLE tasks ADD FOREIGN KEY (plan_code) REFERENCES plans(id);},
	fails => 1, messages => 1);
like($err, qr/foreign key constraint "tasks_plan_code_fkey" cannot be implemented.*CONTEXT:  pg_fk_guard: checked before PostgreSQL ran the statement/s,
	'... refused by the guard');

# On a worker, the name alone is not enough either: Citus sends its
# commands for shell tables with DDL propagation off.
{
	my ($rc, $wout, $werr) = (0, '', '');
	$rc = $node{worker1}->psql('fkg',
		qq{SET application_name = 'citus_internal gpid=10000000001';\nCREATE TABLE spoofed (id int, plan_code text REFERENCES plans(id));},
		stdout => \$wout, stderr => \$werr, on_error_stop => 1);
	isnt($rc, 0, 'on a worker, a session named like Citus with DDL propagation on: refused');
	like($werr, qr/foreign key constraint "spoofed_plan_code_fkey" cannot be implemented.*CONTEXT:  pg_fk_guard: checked before PostgreSQL ran the statement/s,
		'... by the guard');
}

# --- Soft mismatches (integer -> bigint) under every policy setting ---
my $w1 = $base + 1;
my $w2 = $base + 2;
my $move = qq{SELECT citus_move_shard_placement(s.shardid, '127.0.0.1', n.nodeport, '127.0.0.1',
       CASE n.nodeport WHEN $w1 THEN $w2 ELSE $w1 END, shard_transfer_mode => 'block_writes')
  FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
 WHERE s.logicalrelid = 'tasks'::regclass ORDER BY s.shardid LIMIT 1;};
my ($i, $shards, $accepted) = (0, 4, 0);
for my $mode (qw(enforce warn off)) {
	for my $soft (qw(ignore warn error)) {
		$i++;
		$shards = $shards == 4 ? 6 : 4;
		my $set = "SET pg_fk_guard.mode = $mode;\nSET pg_fk_guard.soft_mismatches = $soft;\n";
		my $says = $mode ne 'off' && $soft ne 'ignore';
		my $refuses = $mode ne 'off' && $soft eq 'error';
		my $label = "mode $mode, soft_mismatches $soft";
		check_statement("$label: ADD FOREIGN KEY integer -> bigint",
			"${set}ALTER TABLE tasks ADD FOREIGN KEY (s$i) REFERENCES plans(id);",
			fails => $refuses, messages => $says ? 1 : 0);
		check_statement("$label: citus_move_shard_placement", "$set$move", messages => 0);
		check_statement("$label: alter_distributed_table",
			"${set}SET client_min_messages = warning;\nSELECT alter_distributed_table('tasks', shard_count => $shards, cascade_to_colocated => true);",
			messages => 0);
		my $keys = $c->safe_psql('fkg', qq{SELECT count(*) FROM pg_constraint WHERE conrelid = 'tasks'::regclass
		                                    AND contype = 'f' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
		                                    WHERE attrelid = 'tasks'::regclass AND attname = 's$i')]});
		$accepted++ unless $refuses;
		is($keys, $refuses ? '0' : '1', "$label: the key " . ($refuses ? 'was refused' : 'survived the move and the conversion'));
	}
}
is($c->safe_psql('fkg', q{SELECT count(*) FROM run_command_on_shards('tasks',
  $$SELECT count(*) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'f'$$) WHERE result = '} . $accepted . q{'}),
	$shards, "all $accepted accepted keys are on every shard");

# --- The summary: messages per statement ---
diag("guard messages per statement (client, coordinator log, worker logs):");
diag("  $_: $per_statement{$_}") for sort keys %per_statement;

for my $n (@names) {
	my $log = slurp_file($node{$n}->logfile);
	unlike($log, qr/terminated by signal|PANIC/, "no crash in the log of $n");
}
done_testing();
