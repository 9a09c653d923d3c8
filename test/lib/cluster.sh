# Throwaway PostgreSQL cluster for tests and the demo. Source this file, then:
#   cluster_start   -> initdb + start as an unprivileged user on a private socket dir and port
#   cluster_psql    -> psql against it (as the postgres superuser)
#   cluster_stop    -> stop and remove it (also done on exit)
# Variables: PG_CONFIG, FKG_PORT (default 54329), FKG_CLUSTER_USER (default postgres),
# FKG_CLUSTER_PARENT (the directory the cluster's own is made in, default /tmp).

: "${PG_CONFIG:=pg_config}"
: "${FKG_PORT:=54329}"
: "${FKG_CLUSTER_USER:=postgres}"
PG_BINDIR="$("$PG_CONFIG" --bindir)"
FKG_CLUSTER_DIR=""

as_cluster_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$FKG_CLUSTER_USER" -- "$@"
  else
    "$@"
  fi
}

cluster_start() {
  FKG_CLUSTER_DIR="$(mktemp -d "${FKG_CLUSTER_PARENT:-/tmp}/pg_fk_guard.XXXXXX")"
  chmod 755 "$FKG_CLUSTER_DIR"
  [ "$(id -u)" = 0 ] && chown "$FKG_CLUSTER_USER" "$FKG_CLUSTER_DIR"
  export PGHOST="$FKG_CLUSTER_DIR" PGPORT="$FKG_PORT" PGUSER=postgres PGDATABASE=postgres
  as_cluster_user "$PG_BINDIR/initdb" -D "$FKG_CLUSTER_DIR/data" -U postgres --auth=trust \
    --no-sync -E UTF8 --locale=C.UTF-8 >"$FKG_CLUSTER_DIR/initdb.log" 2>&1 ||
    { cat "$FKG_CLUSTER_DIR/initdb.log"; return 1; }
  cat >>"$FKG_CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$FKG_CLUSTER_DIR'
port = $FKG_PORT
fsync = off
log_min_messages = warning
CONF
  trap cluster_stop EXIT
  as_cluster_user "$PG_BINDIR/pg_ctl" -D "$FKG_CLUSTER_DIR/data" -l "$FKG_CLUSTER_DIR/server.log" -w start >/dev/null ||
    { cat "$FKG_CLUSTER_DIR/server.log"; return 1; }
}

cluster_psql() {
  "$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 "$@"
}

# Fails if the server log shows a backend crash.
cluster_check_log() {
  if grep -E "terminated by signal|server process .* was terminated|PANIC" "$FKG_CLUSTER_DIR/server.log"; then
    echo "server log shows a crash" >&2
    return 1
  fi
}

cluster_stop() {
  [ -n "$FKG_CLUSTER_DIR" ] || return 0
  if [ -f "$FKG_CLUSTER_DIR/data/postmaster.pid" ]; then
    as_cluster_user "$PG_BINDIR/pg_ctl" -D "$FKG_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$FKG_CLUSTER_DIR"
  FKG_CLUSTER_DIR=""
}
