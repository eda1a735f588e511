#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: prints its SQLAlchemy URL on stdout (nothing else).
#
#   YIPANQI_TEST_PG_URL="$(bash scripts/start-postgres.sh)"   # start (or reuse) it
#   bash scripts/start-postgres.sh --stop                      # stop it and delete its files
#   bash scripts/start-postgres.sh --pause                     # stop it, keep its files (start
#                                                              # it again: run without options)
#
# Idempotent: installs Debian's `postgresql` if no initdb is found, creates a cluster under
# $YIPANQI_PG_DIR (default /tmp/yipanqi-pg-<port>) owned by the `postgres` user when run as root
# (by the current user otherwise), listening on 127.0.0.1:$YIPANQI_PG_PORT (default 54329) with
# trust authentication and durability off (test data only), and a database `yipanqi_test`.
set -euo pipefail

PORT="${YIPANQI_PG_PORT:-54329}"
DIR="${YIPANQI_PG_DIR:-/tmp/yipanqi-pg-$PORT}"
DB="yipanqi_test"
log() { echo "start-postgres: $*" >&2; }

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

BIN="$(find_bin || true)"

if [ "${1:-}" = "--pause" ]; then
  if [ -n "$BIN" ] && [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  log "stopped the server of $DIR (files kept)"
  exit 0
fi

if [ "${1:-}" = "--stop" ]; then
  if [ -n "$BIN" ] && [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  log "stopped and removed $DIR"
  exit 0
fi

if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  log "installing Debian postgresql"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(find_bin)"
fi

mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$DIR"
  chmod 700 "$DIR"
fi

if [ ! -f "$DIR/data/PG_VERSION" ]; then
  log "initdb in $DIR/data"
  as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
fi

if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT"
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAq)
if [ "$(as_owner "${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  as_owner "${PSQL[@]}" -c "CREATE DATABASE $DB" >/dev/null
fi

echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
