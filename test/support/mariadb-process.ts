import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './node-process';

const run = promisify(execFile);

/**
 * A mariadbd of the test's own, on a free loopback port with its own datadir under /tmp: tests
 * that kill or stop the database never touch the shared server on 3306. The binaries come from
 * scripts/provision.sh (Debian's mariadb-server). Data survives `crash`/`stop` + `start`.
 */
export interface MariadbProcess {
  port: number;
  /** mysql://cc:cc@127.0.0.1:<port>/<database> */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** kill -9 (InnoDB recovers on the next start). */
  crash(): Promise<void>;
  /** A clean stop: `mariadb-admin shutdown`, waited for. */
  stop(): Promise<void>;
  /** Starts it again on the same port and datadir. */
  start(): Promise<void>;
  /** Stops it and removes the datadir. */
  destroy(): Promise<void>;
}

const binary = (...names: string[]): string => {
  for (const name of names)
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin'])
      if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`none of ${names.join(', ')} is installed (scripts/provision.sh)`);
};

export async function startMariadbProcess(): Promise<MariadbProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cc-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const runAs = process.getuid?.() === 0 ? ['--user=root'] : [];
  const client = binary('mariadb', 'mysql');
  await run(
    binary('mariadb-install-db', 'mysql_install_db'),
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      ...runAs,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    { timeout: 60_000 },
  );
  let child: ChildProcess | null = null;
  const admin = (sql: string) =>
    run(client, [`--socket=${socket}`, '-uroot', '-e', sql], { timeout: 10_000 });

  const start = async (): Promise<void> => {
    child = spawn(
      binary('mariadbd', 'mysqld'),
      [
        '--no-defaults',
        ...runAs,
        `--datadir=${datadir}`,
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        '--skip-name-resolve',
        `--log-error=${join(dir, 'mariadbd.log')}`,
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--innodb-buffer-pool-size=32M',
        '--innodb-log-file-size=16M',
        '--skip-log-bin',
        '--performance-schema=OFF',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
      try {
        await admin('SELECT 1');
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`mariadbd on port ${port} did not answer`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const exited = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => running.once('exit', () => resolve()));
  };
  const crash = async (): Promise<void> => {
    child?.kill('SIGCONT');
    child?.kill('SIGKILL');
    await exited();
  };
  const stop = async (): Promise<void> => {
    if (!child) return;
    await run(binary('mariadb-admin', 'mysqladmin'), [`--socket=${socket}`, '-uroot', 'shutdown'], {
      timeout: 30_000,
    }).catch(() => child?.kill('SIGTERM'));
    await exited();
  };

  await start();
  await admin("CREATE USER 'cc'@'%' IDENTIFIED BY 'cc'; GRANT ALL PRIVILEGES ON *.* TO 'cc'@'%';");
  return {
    port,
    url: (database) => `mysql://cc:cc@127.0.0.1:${port}/${database}`,
    createDatabase: async (name) => {
      await admin(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
    },
    crash,
    stop,
    start,
    destroy: async () => {
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
