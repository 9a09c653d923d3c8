# A Citus cluster on one machine: a coordinator and two workers, three
# throwaway PostgreSQL clusters on 127.0.0.1 with shared_preload_libraries =
# 'citus'. Source this file, then:
#   citus_cluster_start PORT DB...  -> initdb and start the nodes on PORT,
#       PORT+1, PORT+2; in each DB: CREATE EXTENSION citus on every node, the
#       workers added to the coordinator (the first DB also gets pg_fk_guard)
#   citus_psql NODE DB [psql args]  -> psql on coordinator, worker1 or worker2
#   citus_cluster_stop              -> stop and remove (also done on exit),
#       copying each node's log into CITUS_LOG_DIR when set
# Variables: PG_CONFIG, FKG_CLUSTER_USER (default postgres); CITUS_WORK (the
# socket and data directory) and CITUS_PORT_<NODE> once started.
: "${PG_CONFIG:=pg_config}"
: "${FKG_CLUSTER_USER:=postgres}"
CITUS_BINDIR="$("$PG_CONFIG" --bindir)"
CITUS_NODES=(coordinator worker1 worker2)
CITUS_WORK=""

citus_as_cluster_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$FKG_CLUSTER_USER" -- "$@"; else "$@"; fi
}

citus_port() {
  case "$1" in
    coordinator) echo "$CITUS_PORT" ;;
    worker1) echo $((CITUS_PORT + 1)) ;;
    worker2) echo $((CITUS_PORT + 2)) ;;
  esac
}

citus_psql() {
  local n="$1" db="$2"
  shift 2
  "$CITUS_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$CITUS_WORK" -p "$(citus_port "$n")" -U postgres -d "$db" "$@"
}

citus_cluster_fail() {
  echo "$1" >&2
  local n
  for n in "${CITUS_NODES[@]}"; do [ -f "$CITUS_WORK/$n.log" ] && tail -n 20 "$CITUS_WORK/$n.log" >&2; done
  return 1
}

citus_cluster_start() {
  CITUS_PORT="$1"
  shift
  CITUS_WORK="$(mktemp -d /tmp/pg_fk_guard_citus.XXXXXX)"
  chmod 755 "$CITUS_WORK"
  [ "$(id -u)" = 0 ] && chown "$FKG_CLUSTER_USER" "$CITUS_WORK"
  trap citus_cluster_stop EXIT
  local n db
  for n in "${CITUS_NODES[@]}"; do
    citus_as_cluster_user "$CITUS_BINDIR/initdb" -D "$CITUS_WORK/$n" -U postgres --auth=trust --no-sync -E UTF8 \
      --locale=C.UTF-8 >"$CITUS_WORK/$n.initdb.log" 2>&1 || { citus_cluster_fail "citus: initdb failed for $n"; return 1; }
    cat >>"$CITUS_WORK/$n/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_WORK'
port = $(citus_port "$n")
shared_preload_libraries = 'citus'
fsync = off
max_connections = 60
max_worker_processes = 16
log_min_messages = warning
log_line_prefix = '%m [%p] %a: '
CONF
    citus_as_cluster_user "$CITUS_BINDIR/pg_ctl" -D "$CITUS_WORK/$n" -l "$CITUS_WORK/$n.log" -w start >/dev/null ||
      { citus_cluster_fail "citus: $n did not start"; return 1; }
  done
  local first=1
  for db in "$@"; do
    for n in "${CITUS_NODES[@]}"; do
      citus_psql "$n" postgres -c "CREATE DATABASE $db" >/dev/null &&
        citus_psql "$n" "$db" -c "CREATE EXTENSION citus" >/dev/null 2>&1 ||
        { citus_cluster_fail "citus: creating $db with citus on $n failed"; return 1; }
    done
    citus_psql coordinator "$db" >/dev/null <<SQL || { citus_cluster_fail "citus: adding the nodes failed"; return 1; }
SELECT citus_set_coordinator_host('127.0.0.1', $(citus_port coordinator));
SELECT citus_add_node('127.0.0.1', $(citus_port worker1));
SELECT citus_add_node('127.0.0.1', $(citus_port worker2));
SQL
    if [ $first = 1 ]; then
      citus_psql coordinator "$db" -c "CREATE EXTENSION pg_fk_guard" >/dev/null ||
        { citus_cluster_fail "citus: CREATE EXTENSION pg_fk_guard failed"; return 1; }
      first=0
    fi
  done
}

citus_cluster_stop() {
  [ -n "$CITUS_WORK" ] || return 0
  if [ -n "${FKG_CITUS_KEEP:-}" ]; then
    echo "citus: nodes left running in $CITUS_WORK (FKG_CITUS_KEEP)"
    return 0
  fi
  local n
  for n in "${CITUS_NODES[@]}"; do
    if [ -f "$CITUS_WORK/$n/postmaster.pid" ]; then
      citus_as_cluster_user "$CITUS_BINDIR/pg_ctl" -D "$CITUS_WORK/$n" -m fast -w stop >/dev/null 2>&1 || true
    fi
    [ -n "${CITUS_LOG_DIR:-}" ] && [ -f "$CITUS_WORK/$n.log" ] && cp "$CITUS_WORK/$n.log" "$CITUS_LOG_DIR/$n.log"
  done
  rm -rf "$CITUS_WORK"
  CITUS_WORK=""
}
