#!/usr/bin/env bash
# Install everything the tests need (Debian chromium, PostgreSQL, OpenLDAP, Java 17 for the Spark
# engine's parity tests, the Python env with PySpark), start a
# throwaway PostgreSQL and a throwaway OpenLDAP server, lint, type-check, run bandit and the whole
# suite, stop the servers. Used by `make test` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -x /usr/sbin/slapd ] || command -v slapd >/dev/null || need+=(slapd)
command -v ldapsearch >/dev/null || need+=(ldap-utils)
# Java 17+ for PySpark (the Spark engine's parity tests): Debian's headless JRE
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  need+=(openjdk-17-jre-headless)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # slapd without the package's own directory: the tests start their own (scripts/start-ldap.sh)
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  APT=(apt-get -o DPkg::Lock::Timeout=600)
  $SUDO mkdir -p /usr/share/man/man1  # the JRE's postinst links its man page there (slim images lack it)
  $SUDO "${APT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO "${APT[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

make --no-print-directory install install-spark PYTHON="${PYTHON:-python3}"
if [ "$(java_major)" -lt 17 ] 2>/dev/null; then  # an older default java: point Spark at 17
  JAVA_HOME="$(ls -d /usr/lib/jvm/java-17-openjdk-* | head -n1)"
  export JAVA_HOME
fi

stop_servers() {
  bash scripts/start-postgres.sh --stop >/dev/null 2>&1 || true
  bash scripts/start-ldap.sh --stop >/dev/null 2>&1 || true
}
trap stop_servers EXIT
YIPANQI_TEST_PG_URL="$(bash scripts/start-postgres.sh)"
YIPANQI_TEST_LDAP_URL="$(bash scripts/start-ldap.sh)"
export YIPANQI_TEST_PG_URL YIPANQI_TEST_LDAP_URL

export YIPANQI_CHROMIUM="${YIPANQI_CHROMIUM:-$(command -v chromium)}"
.venv/bin/ruff check .
.venv/bin/mypy
# bandit: each finding is justified inline (# nosec BXXX # why); B101 (assert) is skipped in
# pyproject.toml.
.venv/bin/bandit -q -c pyproject.toml -r access dashboard etl planning yipanqi geodata synthetic app.py
.venv/bin/python -m pytest "$@"
