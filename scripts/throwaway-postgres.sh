#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 and print its DATABASE_URL.
#   eval "$(scripts/throwaway-postgres.sh start)"   # exports DATABASE_URL and PG_THROWAWAY_DIR
#   scripts/throwaway-postgres.sh stop "$PG_THROWAWAY_DIR"
# As root, initdb and postgres refuse to run, so both run as the postgres system user.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PORT=${PG_PORT:-55432}

start() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "throwaway-postgres: no PostgreSQL server binaries (apt-get install -y postgresql)" >&2
    exit 2
  fi
  local dir
  dir=$(mktemp -d /tmp/dryneedling-pg.XXXXXX)
  chown postgres:postgres "$dir"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PORT" -U postgres -q \
    -c "CREATE ROLE dryneedling LOGIN CREATEDB CREATEROLE PASSWORD 'dryneedling';" \
    -c "CREATE DATABASE dryneedling OWNER dryneedling;" >/dev/null
  echo "export PG_THROWAWAY_DIR=$dir"
  echo "export DATABASE_URL=postgres://dryneedling:dryneedling@127.0.0.1:$PORT/dryneedling"
}

stop() {
  local dir=${1:?usage: $0 stop DIR}
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
