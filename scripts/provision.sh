#!/usr/bin/env bash
# Provisions the test services on this machine, without systemd:
#   MariaDB on 127.0.0.1:3306 with databases config_center_test{,_2,_3} and user cc/cc,
#   Redis on 127.0.0.1:6379 (no persistence).
# Idempotent: installs packages only when missing, reuses servers that already answer.
# Prints what it does; the last lines are the URLs to use (nothing is exported).
#
# Environment (all optional):
#   CC_SERVICES_DIR  where a MariaDB datadir and logs are kept (default /tmp/config-center-services)
#   CC_DB_PORT / CC_REDIS_PORT  (default 3306 / 6379)
set -euo pipefail

SERVICES_DIR=${CC_SERVICES_DIR:-/tmp/config-center-services}
DB_PORT=${CC_DB_PORT:-3306}
REDIS_PORT=${CC_REDIS_PORT:-6379}
DB_NAMES=(config_center_test config_center_test_2 config_center_test_3)
DB_USER=cc
DB_PASS=cc

MY_DIR="$SERVICES_DIR/mariadb"
MY_DATA="$MY_DIR/data"
MY_SOCK="$MY_DIR/mysqld.sock"
MY_LOG="$MY_DIR/mariadbd.log"
REDIS_DIR="$SERVICES_DIR/redis"

export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
  else
    port_open "$REDIS_PORT"
  fi
}

mysqld_bin() { command -v mariadbd || command -v mysqld || true; }
mysql_client() { command -v mariadb || command -v mysql || true; }

# --- packages -----------------------------------------------------------------------------
need=()
[ -n "$(mysqld_bin)" ] && [ -n "$(mysql_client)" ] || need+=(mariadb-server mariadb-client)
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || need+=(redis-server redis-tools)
if [ ${#need[@]} -gt 0 ]; then
  # Skip the install if the servers already answer anyway (e.g. provided by the machine).
  if port_open "$DB_PORT" && port_open "$REDIS_PORT" && [ -n "$(mysql_client)" ]; then
    log "packages ${need[*]} missing but services already answer; not installing"
  else
    [ "$(id -u)" = 0 ] || die "need root to install: ${need[*]}"
    log "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    mkdir -p "$SERVICES_DIR"
    apt_log="$SERVICES_DIR/apt.log"
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; } \
      </dev/null >"$apt_log" 2>&1 || { tail -n 40 "$apt_log" >&2; die "apt-get failed (log $apt_log)"; }
    log "installed (log $apt_log)"
  fi
else
  log "packages present: $(mysqld_bin), $(command -v redis-server)"
fi
CLIENT=$(mysql_client)
[ -n "$CLIENT" ] || die "no mariadb/mysql client"

# --- MariaDB ------------------------------------------------------------------------------
cc_ok() {
  local sql="" db
  for db in "${DB_NAMES[@]}"; do sql+="USE \`$db\`; "; done
  "$CLIENT" --protocol=TCP -h127.0.0.1 -P"$DB_PORT" -u"$DB_USER" -p"$DB_PASS" -e "$sql SELECT 1" >/dev/null 2>&1
}

start_mariadb() {
  local bin; bin=$(mysqld_bin)
  [ -n "$bin" ] || die "no mariadbd/mysqld binary"
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    if id mysql >/dev/null 2>&1; then runas=(--user=mysql); else runas=(--user=root); fi
  fi
  mkdir -p "$MY_DIR"
  if [ ! -d "$MY_DATA/mysql" ]; then
    log "initializing MariaDB datadir $MY_DATA"
    rm -rf "$MY_DATA"
    local init; init=$(command -v mariadb-install-db || command -v mysql_install_db || true)
    [ -n "$init" ] || die "no mariadb-install-db"
    "$init" --no-defaults --datadir="$MY_DATA" "${runas[@]}" \
      --auth-root-authentication-method=socket --skip-test-db >"$MY_DIR/install-db.log" 2>&1 \
      || { cat "$MY_DIR/install-db.log" >&2; die "mariadb-install-db failed"; }
  fi
  if [ "${runas[0]:-}" = --user=mysql ]; then chown -R mysql:mysql "$MY_DIR"; fi
  log "starting $(basename "$bin") on 127.0.0.1:$DB_PORT (datadir $MY_DATA, log $MY_LOG)"
  # setsid + nohup: the server outlives this script and the test run that called it.
  setsid nohup "$bin" --no-defaults "${runas[@]}" \
    --datadir="$MY_DATA" --socket="$MY_SOCK" --pid-file="$MY_DIR/mariadbd.pid" \
    --bind-address=127.0.0.1 --port="$DB_PORT" --skip-name-resolve \
    --log-error="$MY_LOG" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --max-connections=500 --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
    </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 120); do
    if [ -S "$MY_SOCK" ] && "$CLIENT" --socket="$MY_SOCK" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      log "MariaDB up after ~$((i / 2))s"
      return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$MY_LOG" >&2 || true
  die "MariaDB did not come up on 127.0.0.1:$DB_PORT"
}

# Runs SQL with administrative rights on the server at 127.0.0.1:$DB_PORT, trying in turn:
# our own socket, the distribution's socket (root via unix_socket), TCP root without password.
admin_sql() {
  local sql=$1 sock
  for sock in "$MY_SOCK" /run/mysqld/mysqld.sock /var/run/mysqld/mysqld.sock /tmp/mysql.sock; do
    if [ -S "$sock" ] && "$CLIENT" --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      # Only use this socket if it belongs to the server listening on our port.
      local p; p=$("$CLIENT" --socket="$sock" -uroot -N -e 'SELECT @@port' 2>/dev/null || true)
      if [ "$p" = "$DB_PORT" ]; then "$CLIENT" --socket="$sock" -uroot -e "$sql"; return; fi
    fi
  done
  if "$CLIENT" --protocol=TCP -h127.0.0.1 -P"$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    "$CLIENT" --protocol=TCP -h127.0.0.1 -P"$DB_PORT" -uroot -e "$sql"; return
  fi
  die "a server answers on 127.0.0.1:$DB_PORT but no admin access (root via socket or TCP) to create user $DB_USER"
}

if cc_ok; then
  log "MariaDB on 127.0.0.1:$DB_PORT already has user $DB_USER and ${DB_NAMES[*]}"
else
  if port_open "$DB_PORT"; then
    log "reusing the server already listening on 127.0.0.1:$DB_PORT"
  else
    start_mariadb
  fi
  sql=""
  for h in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$DB_USER'@'$h' IDENTIFIED BY '$DB_PASS';"
    sql+="ALTER USER '$DB_USER'@'$h' IDENTIFIED BY '$DB_PASS';"
    sql+="GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'$h';"
  done
  for db in "${DB_NAMES[@]}"; do
    sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  done
  sql+="FLUSH PRIVILEGES;"
  admin_sql "$sql"
  cc_ok || die "user $DB_USER still cannot reach ${DB_NAMES[*]} over TCP"
  log "created user $DB_USER and databases ${DB_NAMES[*]}"
fi

# --- Redis --------------------------------------------------------------------------------
if redis_ping; then
  log "Redis already answers on 127.0.0.1:$REDIS_PORT"
else
  mkdir -p "$REDIS_DIR"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (no persistence, log $REDIS_DIR/redis.log)"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --save '' --appendonly no --dir "$REDIS_DIR" \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" </dev/null >/dev/null
  for i in $(seq 1 40); do redis_ping && break; sleep 0.25; done
  redis_ping || { tail -n 20 "$REDIS_DIR/redis.log" >&2 || true; die "Redis did not come up"; }
  log "Redis up"
fi

echo "DATABASE_URL=mysql://$DB_USER:$DB_PASS@127.0.0.1:$DB_PORT/${DB_NAMES[0]}"
echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
