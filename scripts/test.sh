#!/usr/bin/env bash
# The project's whole test run (`npm test` calls this; CI calls `npm test` through .ci/run).
#
#   scripts/test.sh                 everything: build, lint, typecheck, check:structure, unit, e2e on SQLite,
#                                   e2e on MariaDB
#   scripts/test.sh unit e2e-sqlite only the named steps: build lint typecheck check:structure unit e2e-sqlite
#                                   e2e-mysql, or the groups e2e (both e2e runs) and static (build lint
#                                   typecheck check:structure)
#   scripts/test.sh unit -- libs/common -t envelope
#                                   what follows the steps (or --) goes to every jest run
#
# Each jest test counts once per run; build, lint, typecheck and check:structure count as one
# test each (a missing npm script is skipped, not counted). A step's failure never stops the
# later steps.
# The last line printed is "N passed, N failed"; the exit code is non-zero when anything failed.
#
# Environment: JEST_TIMEOUT (per jest run, default 20m), CC_SKIP_PROVISION=1 (use services you
# started yourself; set REDIS_URL and MYSQL_URL then).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ALL_STEPS=(build lint typecheck check:structure unit e2e-sqlite e2e-mysql)
steps=()
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    all) steps+=("${ALL_STEPS[@]}") ;;
    e2e) steps+=(e2e-sqlite e2e-mysql) ;;
    static) steps+=(build lint typecheck check:structure) ;;
    build | lint | typecheck | check:structure | unit | e2e-sqlite | e2e-mysql) steps+=("$1") ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
  shift
done
JEST_EXTRA=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${ALL_STEPS[@]}")
want() { local s; for s in "${steps[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

JEST_TIMEOUT=${JEST_TIMEOUT:-20m}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cc-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
SUMMARY=()
banner() { printf '\n===== %s =====\n' "$*"; }
record() { # name passed failed [note]
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-12s %4s passed %4s failed  %s' "$1" "$2" "$3" "${4:-}")")
}
finish() {
  banner summary
  local line
  for line in "${SUMMARY[@]}"; do echo "$line"; done
  echo "$PASSED passed, $FAILED failed"
  exit $((FAILED > 0 ? 1 : 0))
}

# --- dependencies ---------------------------------------------------------------------------
# node-gyp must not download headers (no network but the registries): use the installed ones.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
if [ ! -d node_modules ] || [ ! -x node_modules/.bin/jest ]; then
  banner "npm ci"
  t=$SECONDS
  # An explicit loglevel: `npm test --silent` would otherwise hide npm ci's errors too.
  if ! npm ci --no-audit --no-fund --loglevel=warn; then
    record "npm ci" 0 1 "dependencies could not be installed"
    finish
  fi
  echo "(npm ci: $((SECONDS - t))s)"
fi
sqlite_ok() { node -e "require('better-sqlite3')(':memory:').close()" >/dev/null 2>&1; }
if ! sqlite_ok; then
  banner "npm rebuild better-sqlite3"
  npm rebuild better-sqlite3 --loglevel=warn || true
  sqlite_ok || record better-sqlite3 0 1 "native module does not load"
fi

# --- build, lint, typecheck, structure (folder import cycles, file length) ---------------------------------------------------------------
has_script() { node -e "process.exit(require('./package.json').scripts?.['$1'] ? 0 : 1)"; }
run_script() {
  want "$1" || return 0
  if ! has_script "$1"; then
    echo "(no npm script '$1' yet: skipped)"
    SUMMARY+=("$(printf '%-12s skipped (no npm script)' "$1")")
    return 0
  fi
  banner "npm run $1"
  local t=$SECONDS
  if npm run -s "$1"; then record "$1" 1 0 "$((SECONDS - t))s"; else record "$1" 0 1 "$((SECONDS - t))s"; fi
}
run_script build
run_script lint
run_script typecheck
run_script check:structure

# --- jest ---------------------------------------------------------------------------------
run_jest() { # label, then jest arguments
  local label=$1 out="$WORK/$1.json" t=$SECONDS rc counts
  shift
  banner "jest $label"
  timeout --kill-after=30s "$JEST_TIMEOUT" node_modules/.bin/jest --ci --passWithNoTests \
    --json --outputFile="$out" "$@" ${JEST_EXTRA[@]+"${JEST_EXTRA[@]}"}
  rc=$?
  counts=$(node scripts/summarize-jest.mjs "$out" "$rc") || counts="0 1"
  record "$label" ${counts% *} ${counts#* } "$((SECONDS - t))s"
}

want unit && run_jest unit --selectProjects unit --maxWorkers=2

if want e2e-sqlite || want e2e-mysql; then
  REDIS_URL=${REDIS_URL:-}
  MYSQL_URL=${MYSQL_URL:-}
  if [ "${CC_SKIP_PROVISION:-}" != 1 ]; then
    banner provision
    t=$SECONDS
    if bash scripts/provision.sh | tee "$WORK/provision.out"; then
      echo "(provision: $((SECONDS - t))s)"
      REDIS_URL=$(sed -n 's/^REDIS_URL=//p' "$WORK/provision.out")
      MYSQL_URL=$(sed -n 's/^DATABASE_URL=//p' "$WORK/provision.out")
    else
      record provision 0 1 "MariaDB/Redis could not be provisioned"
    fi
  fi
  REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

  if want e2e-sqlite; then
    DATABASE_URL="sqlite:$WORK/e2e.sqlite" REDIS_URL=$REDIS_URL \
      run_jest e2e-sqlite --selectProjects e2e --runInBand --forceExit
  fi

  if want e2e-mysql; then
    if [ -z "$MYSQL_URL" ]; then
      record e2e-mysql 0 1 "no MariaDB"
    else
      # Start from empty databases: the main one and the extra ones for cluster tests.
      db=${MYSQL_URL##*/}
      client=$(command -v mariadb || command -v mysql)
      sql=""
      for d in "$db" "${db}_2" "${db}_3"; do
        sql+="DROP DATABASE IF EXISTS \`$d\`; CREATE DATABASE \`$d\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
      done
      # mysql://user:pass@host:port/db
      hostport=${MYSQL_URL#*@}; hostport=${hostport%%/*}
      creds=${MYSQL_URL#mysql://}; creds=${creds%%@*}
      if "$client" --protocol=TCP -h"${hostport%:*}" -P"${hostport##*:}" -u"${creds%%:*}" -p"${creds#*:}" -e "$sql"; then
        # test/once/: heavy tests that do not depend on the engine run in the SQLite pass only.
        DATABASE_URL=$MYSQL_URL REDIS_URL=$REDIS_URL \
          run_jest e2e-mysql --selectProjects e2e --runInBand --forceExit \
          --testPathIgnorePatterns '/test/once/'
      else
        record e2e-mysql 0 1 "could not recreate database $db"
      fi
    fi
  fi
fi

finish
