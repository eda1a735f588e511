#!/usr/bin/env bash
# Install everything the tests need (Debian chromium, PostgreSQL, the Python env), start a throwaway
# PostgreSQL server, run the whole suite, stop the server. Used by `make test` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

make --no-print-directory install PYTHON="${PYTHON:-python3}"

if [ -x scripts/start-postgres.sh ] || [ -f scripts/start-postgres.sh ]; then
  YIPANQI_TEST_PG_URL="$(bash scripts/start-postgres.sh)"
  export YIPANQI_TEST_PG_URL
  trap 'bash scripts/start-postgres.sh --stop >/dev/null 2>&1 || true' EXIT
fi

export YIPANQI_CHROMIUM="${YIPANQI_CHROMIUM:-$(command -v chromium)}"
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
