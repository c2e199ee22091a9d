// MariaDB for the write benchmark: make sure a server answers on 127.0.0.1:3306 (runs
// scripts/provision.sh when it does not), create fresh per-node databases, drop them at the end,
// and find the server's pid so its CPU can be accounted for.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { SetupError, capture, onCleanup, runVisible } from './processes.mjs';

export const MARIADB = {
  host: '127.0.0.1',
  port: Number(process.env.BENCH_DB_PORT ?? 3306),
  user: process.env.BENCH_DB_USER ?? 'cc',
  password: process.env.BENCH_DB_PASSWORD ?? 'cc',
};

function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Starts MariaDB through scripts/provision.sh (idempotent) when nothing answers on the port. */
export async function ensureMariaDb(root) {
  if (await portOpen(MARIADB.port)) return;
  process.stdout.write(`bench: nothing answers on 127.0.0.1:${MARIADB.port}, provisioning...\n`);
  runVisible('bash', [join(root, 'scripts/provision.sh')], {
    cwd: root,
    env: { ...process.env, CC_DB_PORT: String(MARIADB.port) },
  });
  if (!(await portOpen(MARIADB.port)))
    throw new SetupError(
      `scripts/provision.sh ran but 127.0.0.1:${MARIADB.port} still does not answer`,
    );
}

async function admin() {
  try {
    return await mysql.createConnection({ ...MARIADB, multipleStatements: false });
  } catch (error) {
    throw new SetupError(
      `cannot connect to MariaDB as ${MARIADB.user}@${MARIADB.host}:${MARIADB.port}: ${error.message}`,
    );
  }
}

/** Server version string and the pid of the server process (null if it cannot be found). */
export async function mariaDbInfo() {
  const conn = await admin();
  try {
    const [[row]] = await conn.query('SELECT VERSION() AS version, @@pid_file AS pidFile');
    let pid = null;
    try {
      pid = Number(readFileSync(row.pidFile, 'utf8').trim()) || null;
    } catch {
      /* not readable: fall back to pgrep */
    }
    if (!pid) {
      const found =
        capture('pgrep', ['-o', '-x', 'mariadbd']) ?? capture('pgrep', ['-o', '-x', 'mysqld']);
      pid = found ? Number(found.split('\n')[0]) : null;
    }
    return { version: row.version, pid };
  } finally {
    await conn.end();
  }
}

const quoted = (name) => {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new SetupError(`bad database name ${name}`);
  return `\`${name}\``;
};

/** Drops synchronously with the command-line client (used from the exit handler). */
function dropSync(names) {
  const client = capture('sh', ['-c', 'command -v mariadb || command -v mysql']);
  if (!client) return;
  spawnSync(
    client,
    [
      '--protocol=TCP',
      `-h${MARIADB.host}`,
      `-P${MARIADB.port}`,
      `-u${MARIADB.user}`,
      `-p${MARIADB.password}`,
      '-e',
      names.map((n) => `DROP DATABASE IF EXISTS ${quoted(n)};`).join(' '),
    ],
    { stdio: 'ignore', timeout: 10_000 },
  );
}

/**
 * Drops and creates `names`; returns { drop() } which drops them again. They are also dropped
 * at exit if the run dies first.
 */
export async function freshDatabases(names) {
  const conn = await admin();
  try {
    for (const name of names) {
      await conn.query(`DROP DATABASE IF EXISTS ${quoted(name)}`);
      await conn.query(
        `CREATE DATABASE ${quoted(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    }
  } finally {
    await conn.end();
  }
  const unregister = onCleanup(() => dropSync(names));
  return {
    names,
    async drop() {
      const c = await admin();
      try {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${quoted(name)}`);
      } finally {
        await c.end();
      }
      unregister();
    },
  };
}

/** Server-wide counters (all clients): statements, commits, InnoDB log writes and fsyncs. */
export async function mariaDbCounters() {
  const conn = await admin();
  try {
    const [rows] = await conn.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_commit','Com_insert','Com_update','Com_delete','Com_select','Innodb_log_writes','Innodb_os_log_fsyncs','Innodb_data_fsyncs')",
    );
    return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
  } finally {
    await conn.end();
  }
}
