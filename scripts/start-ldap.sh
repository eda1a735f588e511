#!/usr/bin/env bash
# A throwaway OpenLDAP server (Debian slapd) for the sign-in tests: prints its URL on stdout (nothing
# else).
#
#   YIPANQI_TEST_LDAP_URL="$(bash scripts/start-ldap.sh)"   # start (or reuse) it
#   bash scripts/start-ldap.sh --stop                        # stop it and delete its files
#
# Idempotent: installs Debian's `slapd` and `ldap-utils` if slapd is missing (without the package's
# own directory: slapd/no_configuration), writes a slapd.conf under $YIPANQI_LDAP_DIR (default
# /tmp/yipanqi-ldap-<port>), loads tests/access/directory.ldif (two people, one group, suffix
# dc=yipanqi,dc=test; manager cn=admin,dc=yipanqi,dc=test with password admin-secret) with slapadd
# and serves it on 127.0.0.1:$YIPANQI_LDAP_PORT (default 38929). Anonymous users may bind and
# nothing else: searches need a bound account, as on a real directory.
set -euo pipefail

PORT="${YIPANQI_LDAP_PORT:-38929}"
DIR="${YIPANQI_LDAP_DIR:-/tmp/yipanqi-ldap-$PORT}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LDIF="$ROOT/tests/access/directory.ldif"
URL="ldap://127.0.0.1:$PORT"
log() { echo "start-ldap: $*" >&2; }

running() { [ -f "$DIR/slapd.pid" ] && kill -0 "$(cat "$DIR/slapd.pid")" 2>/dev/null; }

if [ "${1:-}" = "--stop" ]; then
  if running; then
    pid="$(cat "$DIR/slapd.pid")"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
  log "stopped and removed $DIR"
  exit 0
fi

if ! command -v slapd >/dev/null && [ ! -x /usr/sbin/slapd ]; then
  log "installing Debian slapd and ldap-utils"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends slapd ldap-utils >&2
fi
SLAPD="$(command -v slapd || echo /usr/sbin/slapd)"
SLAPADD="$(command -v slapadd || echo /usr/sbin/slapadd)"

if running; then
  echo "$URL"
  exit 0
fi

rm -rf "$DIR"
mkdir -p "$DIR/db"
cat >"$DIR/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile $DIR/slapd.pid
argsfile $DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=yipanqi,dc=test"
rootdn "cn=admin,dc=yipanqi,dc=test"
rootpw admin-secret
directory $DIR/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
EOF
"$SLAPADD" -q -f "$DIR/slapd.conf" -l "$LDIF" >&2

OWNER=()
if [ "$(id -u)" -eq 0 ] && id openldap >/dev/null 2>&1; then
  chown -R openldap:openldap "$DIR"
  OWNER=(-u openldap -g openldap)
fi
log "starting on $URL"
"$SLAPD" -h "$URL/" -f "$DIR/slapd.conf" "${OWNER[@]}"
for _ in $(seq 100); do
  if ldapsearch -x -H "$URL" -D "cn=admin,dc=yipanqi,dc=test" -w admin-secret \
      -b "dc=yipanqi,dc=test" -s base >/dev/null 2>&1; then
    echo "$URL"
    exit 0
  fi
  sleep 0.1
done
log "slapd did not answer on $URL; see the system log"
exit 1
