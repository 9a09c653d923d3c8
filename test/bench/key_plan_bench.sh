#!/usr/bin/env bash
# Benchmark: fk_guard.change_key_type_plan() integer -> bigint, offline, against
# the same ALTERs written by hand, in a throwaway cluster (tables in the
# cluster's own data directory).
#
#   users      N rows: id serial PRIMARY KEY, email text
#   orders_1, orders_2, orders_3
#              N rows each: id bigint, user_id integer NOT NULL REFERENCES users,
#              with an index on user_id (user_id = 1 + i * 7919 % N)
#
# The data is built once in database kp_template; every timed run works on a
# fresh copy (CREATE DATABASE ... TEMPLATE kp_template STRATEGY FILE_COPY, not
# timed), CHECKPOINT first:
#   plan  BEGIN; SELECT fk_guard.change_key_type_plan('users', 'id', 'bigint') \gexec COMMIT;
#         (the call itself, which reads users.id once, is timed too)
#   hand  BEGIN; drop the 3 foreign keys; ALTER users.id TYPE bigint; ALTER each
#         user_id TYPE bigint; ALTER SEQUENCE users_id_seq AS bigint; add the 3
#         foreign keys NOT VALID; VALIDATE each; COMMIT;
# Wall time of one psql session per run, which alternate (plan first in odd
# rounds). The extension stays installed for both, the guard in its default
# mode, so the ratio is what the plan costs beyond the same statements; with
# FKG_BENCH_HAND_PLAIN=1 the hand-written runs use copies without the
# extension (plain PostgreSQL), which adds the guard's overhead to the ratio.
# Prints every run, the best of each and the ratio plan/hand (goal <= 1.05);
# checks that both end with the same column types and foreign key
# definitions, all validated. Nothing asserts on time; the exit status is
# non-zero only when a check fails.
#
# With FKG_BENCH_ONLINE=1 each round also runs the online plan
# (change_key_type_plan(..., online => true, batch_size, batch_pause)) on a
# fresh copy: the call, then the whole script with psql -f (autocommit, as
# its header asks), every statement timed (\timing). Meanwhile a writer
# session calls kp_probe() every FKG_BENCH_PROBE_INTERVAL seconds: it inserts
# a user and an order referencing it and updates a random order, and returns
# how long that took (lock waits included), and a watcher session
# (kp_watch()) polls pg_locks every 10 ms for the locks the plan's session
# holds or waits for. Reported:
#   - per phase, the longest stretch the plan held a lock that blocks
#     writers as the watcher saw it (within one poll; "<10 ms" when no poll
#     saw one), the longest wait for one (writers queue behind a waiting
#     request), and the longest such step's statement time;
#   - the machine's load during the run, and how many autovacuum tasks a
#     lock request canceled;
#   - the longest lock hold as writers see it: the writer's longest call
#     (it inserts into users and orders_1 and updates orders_2 and orders_3, so it waits
#     for any lock that blocks writes on them for as long as it is held, less
#     at most one interval), and its 99th percentile; goal under 1 s;
#   - the longest step whose lock blocks writers (SHARE, SHARE ROW
#     EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE, as the plan's header lists
#     each step's locks): in autocommit a statement holds its locks at most
#     as long as it runs, so this bounds every hold from above (it also
#     counts the wait for the lock and the event triggers' work before it);
#   - the total time (call + all phases) against the best offline plan, and
#     each phase's time;
# and checked: the online run leaves the same types and foreign keys as the
# offline ones, all validated, and every probe's user and order are there,
# the order referencing its user (through the email).
#
# Scale (environment variables, defaults in brackets):
#   FKG_BENCH_ROWS        rows in users and in each referencing table   [10000000]
#   FKG_BENCH_RUNS        timed rounds (one plan, one hand each)        [3]
#   FKG_BENCH_HAND_PLAIN  1: hand-written runs without the extension    [0]
#   FKG_BENCH_ONLINE      1: also the online plan, once per round       [0]
#   FKG_BENCH_BATCH_SIZE  online: batch_size                            [10000]
#   FKG_BENCH_BATCH_PAUSE online: batch_pause                           [0.1 s]
#   FKG_BENCH_PROBE_INTERVAL  online: seconds between the writer's calls [0.2]
#   FKG_BENCH_PORT        the throwaway cluster's port                  [54386]
# At 10M rows the data takes about 2 GB per copy (two at a time at most)
# and each run minutes: this is not part of CI; run it on demand.
#
# Usage: test/bench/key_plan_bench.sh   (as root or as the cluster user;
# the extension must be installed: make && make install; PG_CONFIG chooses
# the installation)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/../.." && pwd)"

: "${FKG_BENCH_ROWS:=10000000}"
: "${FKG_BENCH_RUNS:=3}"
: "${FKG_BENCH_HAND_PLAIN:=0}"
for v in FKG_BENCH_ROWS FKG_BENCH_RUNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive integer" >&2; exit 2; }
done
[[ "$FKG_BENCH_HAND_PLAIN" =~ ^[01]$ ]] || { echo "FKG_BENCH_HAND_PLAIN must be 0 or 1" >&2; exit 2; }
: "${FKG_BENCH_ONLINE:=0}"
: "${FKG_BENCH_BATCH_SIZE:=10000}"
: "${FKG_BENCH_BATCH_PAUSE:=0.1 s}"
: "${FKG_BENCH_PROBE_INTERVAL:=0.2}"
[[ "$FKG_BENCH_ONLINE" =~ ^[01]$ ]] || { echo "FKG_BENCH_ONLINE must be 0 or 1" >&2; exit 2; }
[[ "$FKG_BENCH_BATCH_SIZE" =~ ^[1-9][0-9]*$ ]] || { echo "FKG_BENCH_BATCH_SIZE must be a positive integer" >&2; exit 2; }
[[ "$FKG_BENCH_BATCH_PAUSE" =~ ^[0-9.]+\ ?[a-z]*$ ]] || { echo "FKG_BENCH_BATCH_PAUSE must be an interval such as '0.1 s'" >&2; exit 2; }
[[ "$FKG_BENCH_PROBE_INTERVAL" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "FKG_BENCH_PROBE_INTERVAL must be a number of seconds" >&2; exit 2; }
((FKG_BENCH_ROWS < 2 ** 31 - 1)) || { echo "FKG_BENCH_ROWS must be below 2^31 - 1" >&2; exit 2; }

# A private port, so as not to collide with other test clusters (read by cluster.sh).
# shellcheck disable=SC2034
FKG_PORT="${FKG_BENCH_PORT:-54386}"
# shellcheck source=../lib/cluster.sh
source "$ROOT_DIR/test/lib/cluster.sh"

MODULE="$("$PG_CONFIG" --pkglibdir)/pg_fk_guard.so"
module_sum() { md5sum "$MODULE" | cut -c1-12; }
MODULE_SUM="$(module_sum)"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

started=$SECONDS
cluster_start          # also registers cluster_stop on EXIT
# Room for a run's WAL without a checkpoint in the middle of it.
cluster_psql -q -c "ALTER SYSTEM SET max_wal_size = '32GB'" -c "SELECT pg_reload_conf()" >/dev/null
cluster_psql -q -c "CREATE DATABASE kp_template"
cluster_psql -q -d kp_template -c "CREATE EXTENSION pg_fk_guard"
cluster_psql -At -d kp_template -c "
  SELECT format('extension: pg_fk_guard %s (module md5 $MODULE_SUM...), %s', extversion, version())
  FROM pg_extension WHERE extname = 'pg_fk_guard'"
cluster_psql -At -c "
  SELECT format('server: %s CPUs; shared_buffers %s, maintenance_work_mem %s, max_parallel_maintenance_workers %s, max_wal_size %s',
                '$(nproc)', current_setting('shared_buffers'), current_setting('maintenance_work_mem'),
                current_setting('max_parallel_maintenance_workers'), current_setting('max_wal_size'))"

build_started=$SECONDS
cluster_psql -q -d kp_template -v rows="$FKG_BENCH_ROWS" <<'SQL'
SET client_min_messages = warning;
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM generate_series(1, :rows) AS i;
SELECT setval('users_id_seq', :rows) \gset
CREATE TABLE orders_1 (id bigint NOT NULL, user_id integer NOT NULL);
INSERT INTO orders_1 SELECT i, 1 + (i * 7919) % :rows FROM generate_series(1, :rows::bigint) AS i;
CREATE TABLE orders_2 (LIKE orders_1);
INSERT INTO orders_2 SELECT * FROM orders_1;
CREATE TABLE orders_3 (LIKE orders_1);
INSERT INTO orders_3 SELECT * FROM orders_1;
CREATE INDEX ON orders_1 (user_id);
CREATE INDEX ON orders_2 (user_id);
CREATE INDEX ON orders_3 (user_id);
ALTER TABLE orders_1 ADD CONSTRAINT orders_1_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders_2 ADD CONSTRAINT orders_2_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE orders_3 ADD CONSTRAINT orders_3_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE;
-- The online run's writer: a new user, an order referencing it, and an
-- update of an order in each other table (by its indexed user_id); returns
-- its time in ms, lock waits included.
CREATE TABLE kp_probes (n bigint PRIMARY KEY, email text NOT NULL);
CREATE FUNCTION kp_probe(n bigint, rows bigint) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
  uid bigint;
BEGIN
  INSERT INTO users (email) VALUES ('probe' || n || '@example.com') RETURNING id INTO uid;
  INSERT INTO orders_1 (id, user_id) VALUES (-n, uid);
  UPDATE orders_2 SET id = id WHERE user_id = 1 + (n * 104729) % rows;
  UPDATE orders_3 SET id = id WHERE user_id = 1 + (n * 7907) % rows;
  INSERT INTO kp_probes VALUES (n, 'probe' || n || '@example.com');
  RETURN 1000 * extract(epoch FROM clock_timestamp() - t0);
END $$;
-- The online run's lock watcher: polls every 10 ms which locks the plan's
-- session (application_name 'kp step N', set before each step) holds or
-- waits for on the database's own relations (OID >= 16384: tables, indexes,
-- sequences) in a mode that blocks writers (SHARE and above: each conflicts
-- with ROW EXCLUSIVE), and records each stretch in kp_holds (step, 'held' or
-- 'waited', ms). A stretch is measured from the first poll that sees it to
-- the first that does not: within one poll (about 10 ms) of the truth.
-- A procedure that COMMITs each poll, so it holds back no vacuum.
CREATE TABLE kp_holds (step text, kind text, ms float8);
CREATE PROCEDURE kp_watch() LANGUAGE plpgsql AS $$
DECLARE
  seen boolean := false;
  started timestamptz := clock_timestamp();
  app text; h boolean; w boolean; ts timestamptz;
  hold_start timestamptz; hold_step text; wait_start timestamptz; wait_step text;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    app := NULL;
    SELECT a.application_name,
           coalesce(bool_or(l.granted), false), coalesce(bool_or(NOT l.granted), false), clock_timestamp()
      INTO app, h, w, ts
      FROM pg_stat_activity a
      LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation' AND l.relation >= 16384
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
     WHERE a.application_name LIKE 'kp step %' OR a.application_name = 'kp done'
     GROUP BY a.pid, a.application_name;
    IF app IS NOT NULL THEN seen := true; END IF;
    -- A stretch ends when the lock goes, or the step changes.
    IF hold_start IS NOT NULL AND (NOT coalesce(h, false) OR app IS DISTINCT FROM hold_step) THEN
      INSERT INTO kp_holds VALUES (hold_step, 'held', 1000 * extract(epoch FROM ts - hold_start));
      hold_start := NULL;
    END IF;
    IF wait_start IS NOT NULL AND (NOT coalesce(w, false) OR app IS DISTINCT FROM wait_step) THEN
      INSERT INTO kp_holds VALUES (wait_step, 'waited', 1000 * extract(epoch FROM ts - wait_start));
      wait_start := NULL;
    END IF;
    EXIT WHEN (seen AND (app IS NULL OR app = 'kp done')) OR (NOT seen AND clock_timestamp() > started + interval '10 min');
    IF h AND hold_start IS NULL THEN hold_start := ts; hold_step := app; END IF;
    IF w AND wait_start IS NULL THEN wait_start := ts; wait_step := app; END IF;
    COMMIT;
    PERFORM pg_sleep(0.01);
  END LOOP;
  COMMIT;
END $$;
VACUUM (FREEZE, ANALYZE);
SQL
cluster_psql -q -c "CHECKPOINT"
cluster_psql -At -d kp_template -c "
  SELECT format('build: users %s rows, orders_1..3 %s rows each; %s in all; %s s',
                (SELECT count(*) FROM users), (SELECT count(*) FROM orders_1),
                pg_size_pretty(pg_database_size('kp_template')), $SECONDS - $build_started)"

HAND_SQL="$(cat <<'SQL'
BEGIN;
ALTER TABLE public.orders_1 DROP CONSTRAINT orders_1_user_id_fkey;
ALTER TABLE public.orders_2 DROP CONSTRAINT orders_2_user_id_fkey;
ALTER TABLE public.orders_3 DROP CONSTRAINT orders_3_user_id_fkey;
ALTER TABLE public.users ALTER COLUMN id TYPE bigint;
ALTER TABLE public.orders_1 ALTER COLUMN user_id TYPE bigint;
ALTER TABLE public.orders_2 ALTER COLUMN user_id TYPE bigint;
ALTER TABLE public.orders_3 ALTER COLUMN user_id TYPE bigint;
ALTER SEQUENCE public.users_id_seq AS bigint;
ALTER TABLE public.orders_1 ADD CONSTRAINT orders_1_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;
ALTER TABLE public.orders_2 ADD CONSTRAINT orders_2_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE public.orders_3 ADD CONSTRAINT orders_3_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) DEFERRABLE NOT VALID;
ALTER TABLE public.orders_1 VALIDATE CONSTRAINT orders_1_user_id_fkey;
ALTER TABLE public.orders_2 VALIDATE CONSTRAINT orders_2_user_id_fkey;
ALTER TABLE public.orders_3 VALIDATE CONSTRAINT orders_3_user_id_fkey;
COMMIT;
SQL
)"
PLAN_SQL="$(cat <<'SQL'
BEGIN;
SELECT fk_guard.change_key_type_plan('public.users', 'id', 'bigint') \gexec
COMMIT;
SQL
)"

# What a run leaves: column types, the sequence's type, every foreign key's
# definition and whether it is validated. Both variants must leave the same.
STATE_SQL="
  SELECT string_agg(x, '; ' ORDER BY x) FROM (
    SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS x
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname IN ('id', 'user_id')
    UNION ALL SELECT 'users_id_seq ' || seqtypid::regtype FROM pg_sequence WHERE seqrelid = 'public.users_id_seq'::regclass
    UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
      FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace) s"

RESULTS="$(mktemp)"
STATES="$(mktemp)"
ONLINE_DIR="$(mktemp -d)"
chmod 755 "$ONLINE_DIR"
trap 'rm -rf "$RESULTS" "$STATES" "$ONLINE_DIR"; cluster_stop' EXIT

# run_one <plan|hand> <round>: times the variant on a fresh copy, records
# "variant round ms" in $RESULTS and what it left in $STATES.
run_one() {
  local variant=$1 round=$2 db="kp_run" t0 t1 before after
  cluster_psql -q -c "CREATE DATABASE $db TEMPLATE kp_template STRATEGY FILE_COPY"
  if [ "$variant" = hand ] && [ "$FKG_BENCH_HAND_PLAIN" = 1 ]; then
    cluster_psql -q -d "$db" -c "DROP EXTENSION pg_fk_guard"
  fi
  cluster_psql -q -c "CHECKPOINT"
  before="$(module_sum)"
  t0=$(now_ms)
  if [ "$variant" = plan ]; then
    cluster_psql -q -d "$db" -o /dev/null <<<"$PLAN_SQL"
  else
    cluster_psql -q -d "$db" -o /dev/null <<<"$HAND_SQL"
  fi
  t1=$(now_ms)
  after="$(module_sum)"
  echo "$variant $round $((t1 - t0))" >>"$RESULTS"
  echo "$variant $(cluster_psql -At -d "$db" -c "$STATE_SQL")" >>"$STATES"
  echo "  round $round $variant: $((t1 - t0)) ms (module md5 $before...)"
  [ "$after" = "$before" ] || echo "  WARNING: $MODULE was reinstalled during this run (md5 $before -> $after)"
  cluster_psql -q -c "DROP DATABASE $db"
}

# run_online <round>: the online plan on a fresh copy, with the writer
# running; records "online round ms" in $RESULTS, what it left in $STATES,
# each statement's time by step in $ONLINE_DIR/steps.<round> ("step ms"),
# the writer's calls in $ONLINE_DIR/probes.<round> (ms each).
run_online() {
  local round=$1 db="kp_run" t0 t1 before after prober watcher loader cancels0 dir="$ONLINE_DIR"
  cluster_psql -q -c "CREATE DATABASE $db TEMPLATE kp_template STRATEGY FILE_COPY"
  cluster_psql -q -c "CHECKPOINT"
  before="$(module_sum)"
  rm -f "$dir/stop"
  # The writer: one session, a call every FKG_BENCH_PROBE_INTERVAL s.
  (
    n=0
    while [ ! -f "$dir/stop" ]; do
      n=$((n + 1))
      echo "SELECT kp_probe($n, $FKG_BENCH_ROWS);"
      sleep "$FKG_BENCH_PROBE_INTERVAL"
    done
  ) | cluster_psql -q -At -d "$db" >"$dir/probes.$round" &
  prober=$!
  cancels0=$(grep -c "canceling autovacuum task" "$FKG_CLUSTER_DIR/server.log" || true)
  # The lock watcher, and the machine's load every 10 s.
  cluster_psql -q -d "$db" -c "CALL kp_watch()" >"$dir/watch.$round" 2>&1 &
  watcher=$!
  (while [ ! -f "$dir/stop" ]; do cut -d' ' -f1 /proc/loadavg; sleep 10; done) >"$dir/load.$round" &
  loader=$!
  t0=$(now_ms)
  cluster_psql -At -d "$db" -c "SELECT fk_guard.change_key_type_plan('public.users', 'id', 'bigint', online => true,
    batch_size => $FKG_BENCH_BATCH_SIZE, batch_pause => '$FKG_BENCH_BATCH_PAUSE')" >"$dir/plan.sql"
  t1=$(now_ms)
  echo "call $((t1 - t0))" >"$dir/steps.$round"
  # Each step and phase announced, each statement timed.
  # (and named for the lock watcher: application_name 'kp step N').
  sed -E -e "s/^-- Step ([0-9]+):.*/SET application_name = 'kp step \\1';\n\\\\echo STEP \\1\n&/" \
    -e 's/^-- Phase ([0-9]) of 5:.*/\\echo PHASE \1\n&/' "$dir/plan.sql" >"$dir/run.sql"
  echo "SET application_name = 'kp done';" >>"$dir/run.sql"
  PGAPPNAME="kp step 0" cluster_psql -d "$db" -c '\timing on' -f "$dir/run.sql" 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        "STEP "*) step=${line#STEP } ;;
        "Time: "*) ms=${line#Time: }; echo "${step:-0} ${ms%% ms*}" >>"$dir/steps.$round" ;;
      esac
    done
  t1=$(now_ms)
  sleep 1
  touch "$dir/stop"
  wait "$prober" || true
  wait "$watcher" || echo "  WARNING: the lock watcher failed: $(cat "$dir/watch.$round")"
  wait "$loader" || true
  cluster_psql -At -F' ' -d "$db" -c "SELECT regexp_replace(step, '^kp step ', ''), kind, round(ms::numeric, 1) FROM kp_holds" \
    >"$dir/holds.$round"
  echo $(($(grep -c "canceling autovacuum task" "$FKG_CLUSTER_DIR/server.log") - cancels0)) >"$dir/autovacuum_cancels.$round"
  after="$(module_sum)"
  echo "online $round $((t1 - t0))" >>"$RESULTS"
  echo "online $(cluster_psql -At -d "$db" -c "$STATE_SQL")" >>"$STATES"
  # Every probe's user and order, the order referencing that user.
  cluster_psql -At -d "$db" -c "
    SELECT format('%s %s %s', count(*), count(u.id), count(o.id))
      FROM kp_probes p LEFT JOIN users u ON u.email = p.email
      LEFT JOIN orders_1 o ON o.id = -p.n AND o.user_id = u.id" >"$dir/probe_check.$round"
  echo "  round $round online: $((t1 - t0)) ms (module md5 $before...)"
  [ "$after" = "$before" ] || echo "  WARNING: $MODULE was reinstalled during this run (md5 $before -> $after)"
  cluster_psql -q -c "DROP DATABASE $db"
}

echo "timing: $FKG_BENCH_RUNS rounds; hand-written runs $([ "$FKG_BENCH_HAND_PLAIN" = 1 ] && echo "without the extension" || echo "with the extension installed")$([ "$FKG_BENCH_ONLINE" = 1 ] && echo "; online plan each round, batch_size $FKG_BENCH_BATCH_SIZE, batch_pause '$FKG_BENCH_BATCH_PAUSE', a writer every $FKG_BENCH_PROBE_INTERVAL s")"
for ((round = 1; round <= FKG_BENCH_RUNS; round++)); do
  if ((round % 2 == 1)); then
    run_one plan "$round"
    run_one hand "$round"
  else
    run_one hand "$round"
    run_one plan "$round"
  fi
  [ "$FKG_BENCH_ONLINE" = 0 ] || run_online "$round"
done

best() { awk -v v="$1" '$1 == v { if (m == "" || $3 < m) m = $3 } END { print m }' "$RESULTS"; }
runs() { awk -v v="$1" '$1 == v { printf "%s%s", s, $3; s = " " } END { print "" }' "$RESULTS"; }
plan_ms="$(best plan)"
hand_ms="$(best hand)"
echo
echo "integer -> bigint on users ($FKG_BENCH_ROWS rows) referenced by 3 tables of $FKG_BENCH_ROWS rows:"
echo "  offline plan (change_key_type_plan \\gexec): best $plan_ms ms; runs (ms): $(runs plan)"
echo "  the same ALTERs by hand:                    best $hand_ms ms; runs (ms): $(runs hand)"
awk -v p="$plan_ms" -v h="$hand_ms" 'BEGIN {
  r = p / h; printf "  ratio plan/hand (best of each): %.3f  (goal <= 1.05: %s)\n", r, (r <= 1.05 ? "met" : "MISSED") }'

# The online runs: lock holds from the plan's header ("-- Step N (KIND): lock
# MODE on t, MODE on u; ..."); a step blocks writers when one of its modes
# conflicts with ROW EXCLUSIVE.
if [ "$FKG_BENCH_ONLINE" = 1 ]; then
  grep -E '^-- Step [0-9]+ \(' "$ONLINE_DIR/plan.sql" |
    sed -E 's/^-- Step ([0-9]+) \(([^)]*)\): lock (.*); rewrites.*/\1|\2|\3/' >"$ONLINE_DIR/locks"
  echo "  online plan (batch_size $FKG_BENCH_BATCH_SIZE, batch_pause '$FKG_BENCH_BATCH_PAUSE'): runs (ms): $(runs online)"
  for ((round = 1; round <= FKG_BENCH_RUNS; round++)); do
    awk -v round="$round" -v plan_ms="$plan_ms" -F'|' '
      FILENAME ~ /locks$/ {
        blocking = ($3 ~ /ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE/ || $3 ~ /(^|, )(SHARE|EXCLUSIVE) on/)
        if (blocking) { blocks[$1] = 1; what[$1] = $2 ": " $3 }
        next
      }
      FILENAME ~ /steps/ {
        split($0, f, " "); ms[f[1]] += f[2]; next
      }
      END {
        for (s in ms) {
          if (s == "call") continue
          total += ms[s]
          if (s in blocks && ms[s] > longest) { longest = ms[s]; longest_step = s }
        }
        printf "  round %d online: call %.0f ms, script %.0f ms; longest step holding (or waiting for) a lock that blocks writers: %.0f ms (step %s, %s)\n",
          round, ms["call"], total, longest, longest_step, what[longest_step]
      }' "$ONLINE_DIR/locks" "$ONLINE_DIR/steps.$round"
    # Time per phase: steps belong to the phase announced before them.
    awk '/^\\echo PHASE/ { p = $3 } /^\\echo STEP/ { print $3, p }' "$ONLINE_DIR/run.sql" >"$ONLINE_DIR/step_phase"
    awk 'FNR == NR { ph[$1] = $2; next } $1 != "call" { t[ph[$1]] += $2 }
         END { printf "    phases (s):"; for (p = 1; p <= 5; p++) printf " %d: %.1f", p, t[p] / 1000; print "" }' \
      "$ONLINE_DIR/step_phase" "$ONLINE_DIR/steps.$round"
    # Per phase: the longest stretch the plan's session held a lock that
    # blocks writers as the watcher saw it ("<10": none long enough for a
    # 10 ms poll to see), the longest wait for one (writers queue behind a
    # waiting request too), and the longest such step's statement time (an
    # upper bound: it counts the wait, the event triggers and the commit's
    # file deletions, which run after the locks are released).
    awk -F'|' 'FILENAME ~ /locks$/ {
                 if ($3 ~ /ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE/ || $3 ~ /(^|, )(SHARE|EXCLUSIVE) on/) blocks[$1] = 1
                 next
               }
               FILENAME ~ /step_phase$/ { split($0, f, " "); ph[f[1]] = f[2]; next }
               FILENAME ~ /steps/ { split($0, f, " "); if (f[1] in blocks) t[f[1]] += f[2]; next }
               { split($0, f, " "); p = ph[f[1]]; if (f[3] > m[p, f[2]]) { m[p, f[2]] = f[3]; at[p, f[2]] = f[1] } }
               END {
                 for (st in t) { p = ph[st]; has[p] = 1; if (t[st] > ub[p]) { ub[p] = t[st]; ubs[p] = st } }
                 for (p = 1; p <= 5; p++) {
                   if (!has[p]) { printf "    phase %d: no step takes a lock that blocks writers\n", p; continue }
                   printf "    phase %d: longest hold of a lock that blocks writers %s, longest wait for one %s (watcher); longest such step %.0f ms (step %s, statement time)\n", p,
                     ((p, "held") in m ? sprintf("%.0f ms (step %s)", m[p, "held"], at[p, "held"]) : "<10 ms"),
                     ((p, "waited") in m ? sprintf("%.0f ms (step %s)", m[p, "waited"], at[p, "waited"]) : "<10 ms"), ub[p], ubs[p]
                 }
               }' "$ONLINE_DIR/locks" "$ONLINE_DIR/step_phase" "$ONLINE_DIR/steps.$round" "$ONLINE_DIR/holds.$round"
    awk -v cancels="$(cat "$ONLINE_DIR/autovacuum_cancels.$round" 2>/dev/null || echo 0)" '
      { s += $1; if ($1 > m) m = $1; n++ }
      END { printf "    machine load during the run (1-min average every 10 s): mean %.1f, max %.1f; autovacuum tasks canceled by a lock request: %d\n", (n ? s / n : 0), m, cancels }' \
      "$ONLINE_DIR/load.$round"
    sort -n "$ONLINE_DIR/probes.$round" | awk -v interval="$FKG_BENCH_PROBE_INTERVAL" '
      { all[++N] = $1 }
      END {
        k = int(N * 0.99 + 0.5)
        if (k < 1) k = 1
        printf "    longest lock hold as the writer saw it (a call every %s s): longest call %.0f ms, p99 %.0f ms, %d calls  (goal < 1000 ms: %s)\n",
          interval, all[N], all[k], N, (all[N] < 1000 ? "met" : "MISSED")
      }'
    echo "    writer rows after the run (calls recorded, users found, orders referencing them): $(cat "$ONLINE_DIR/probe_check.$round")"
  done
  online_ms="$(best online)"
  awk -v o="$online_ms" -v p="$plan_ms" 'BEGIN { printf "  online total against the offline plan (best of each): %.2f (%d ms / %d ms)\n", o / p, o, p }'
fi

# ---- Checks ----
failed=0
if [ "$FKG_BENCH_ONLINE" = 1 ]; then
  for ((round = 1; round <= FKG_BENCH_RUNS; round++)); do
    read -r calls users orders <"$ONLINE_DIR/probe_check.$round"
    if [ "$calls" -gt 0 ] && [ "$calls" = "$users" ] && [ "$calls" = "$orders" ]; then
      echo "check ok: round $round online, all $calls writer calls left their user and their order referencing it"
    else
      echo "check FAILED: round $round online, writer calls $calls, users found $users, orders referencing them $orders"
      failed=1
    fi
  done
fi
if [ "$(cut -d' ' -f2- "$STATES" | sort -u | wc -l)" = 1 ] &&
   ! grep -q "not validated" "$STATES" && grep -q "users.id bigint" "$STATES"; then
  echo "check ok: every run (plan, hand$([ "$FKG_BENCH_ONLINE" = 1 ] && echo ", online")) leaves the same types and foreign keys, all bigint and validated"
else
  echo "check FAILED: the runs left different states:"
  sort -u "$STATES" | sed 's/^/  /'
  failed=1
fi
cluster_check_log || failed=1
if [ "$(module_sum)" != "$MODULE_SUM" ]; then
  echo "WARNING: $MODULE changed during the run (md5 $MODULE_SUM -> $(module_sum))"
fi
echo "total: $((SECONDS - started)) s"
exit "$failed"
