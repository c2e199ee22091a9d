// Scenario "cache-reads": historical-version, version-list and namespace reads on one node,
// with Redis and without it, in the same run (issue 14). No etcd: these reads have no etcd
// counterpart; the figure is the ratio between the cache set-ups.
//   historical:    GET /api/v1/config/get?namespace=bench&key=app.settings&version=N (N cycles)
//   version list:  GET /api/v1/config/versions?namespace=bench&key=app.settings
//   namespace:     GET /api/v1/config/namespace/bench (100 keys)
// Set-ups, each a fresh node (SQLite) started alone:
//   redis, memory      REDIS_URL set, CACHE_LOCAL_MAX_BYTES default (memory -> Redis -> database)
//   no redis, memory   no REDIS_URL (memory -> database)
//   redis, no memory   CACHE_LOCAL_MAX_BYTES=0 (Redis -> database: what Redis itself brings)
//   no redis, no memory   (the database alone)
import { join } from 'node:path';
import {
  ADMIN_HEADERS,
  bearer,
  createConfig,
  createNamespace,
  createToken,
  ensureBuilt,
  startConfigCenter,
} from './lib/config-center.mjs';
import { expectOk } from './lib/http.mjs';
import { runLoad } from './lib/load.mjs';
import {
  SetupError,
  capture,
  childPids,
  freePort,
  makeTempDir,
  removeTempDir,
  startProcess,
  waitUntil,
} from './lib/processes.mjs';
import { printCpu, printTable } from './lib/report.mjs';

export const name = 'cache-reads';
export const description =
  'One node: historical-version, version-list and namespace reads with Redis and without it';

const NAMESPACE = 'bench';
const KEY = 'app.settings';
const VERSIONS = 50;
const NAMESPACE_KEYS = 100;
const SETUPS = [
  { id: 'redis, memory', redis: true, env: {} },
  { id: 'no redis, memory', redis: false, env: {} },
  { id: 'redis, no memory', redis: true, env: { CACHE_LOCAL_MAX_BYTES: '0' } },
  { id: 'no redis, no memory', redis: false, env: { CACHE_LOCAL_MAX_BYTES: '0' } },
];

export function prepare(ctx) {
  ensureBuilt(ctx.root);
  const version = capture('redis-server', ['--version']);
  if (!version) throw new SetupError('no redis-server on the PATH (Debian package redis-server)');
  ctx.redisVersion = version.trim();
}

/** A redis-server of the bench's own, without persistence, on a free loopback port. */
async function startRedis(ctx) {
  const port = await freePort();
  const dir = makeTempDir('bench-redis-');
  const proc = startProcess(
    'redis-server',
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { env: process.env, cwd: dir, logFile: join(ctx.logDir, 'redis.log') },
  );
  await waitUntil(
    'redis-server to listen',
    async () => proc.logTail(50).includes('Ready to accept'),
    {
      timeoutMs: 10_000,
      process: proc,
    },
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      await proc.stop();
      removeTempDir(dir);
    },
  };
}

async function seed(node) {
  await createNamespace(node, NAMESPACE);
  await createConfig(node, NAMESPACE, KEY, { timeout: 30, revision: 0 });
  for (let v = 2; v <= VERSIONS; v += 1)
    await expectOk('update config', 'PUT', `${node.baseUrl}/api/v1/admin/config`, {
      body: { namespace: NAMESPACE, key: KEY, value: { timeout: 30, revision: v } },
      headers: ADMIN_HEADERS,
    });
  for (let i = 0; i < NAMESPACE_KEYS; i += 1)
    await createConfig(node, NAMESPACE, `key.${i}`, { index: i, hosts: ['10.0.0.1', '10.0.0.2'] });
}

async function measureSetup(ctx, setup) {
  const redis = setup.redis ? await startRedis(ctx) : null;
  const node = await startConfigCenter({
    root: ctx.root,
    logDir: ctx.logDir,
    env: { ...setup.env, ...(redis ? { REDIS_URL: redis.url } : {}) },
  });
  try {
    await seed(node);
    const token = await createToken(node, {
      clientId: 'bench',
      role: 'reader',
      namespaces: [NAMESPACE],
    });
    const targets = {
      historical: Array.from(
        { length: VERSIONS - 1 },
        (_, i) => `/api/v1/config/get?namespace=${NAMESPACE}&key=${KEY}&version=${i + 1}`,
      ),
      'version list': [`/api/v1/config/versions?namespace=${NAMESPACE}&key=${KEY}`],
      namespace: [`/api/v1/config/namespace/${NAMESPACE}`],
    };
    const results = {};
    for (const [target, paths] of Object.entries(targets)) {
      process.stdout.write(
        `bench: ${setup.id}: ${target}: GET ${paths[0]}${paths.length > 1 ? ' ...' : ''}\n`,
      );
      results[target] = await runLoad(
        {
          url: `${node.baseUrl}${paths[0]}`,
          paths,
          method: 'GET',
          headers: bearer(token),
          verify: 'envelope',
          serverPids: [node.process.pid, ...childPids(node.process.pid)],
          observePids: redis ? [{ label: 'redis', pid: redis.pid }] : [],
        },
        ctx.settings,
      );
    }
    return results;
  } finally {
    await node.stop();
    await redis?.stop();
  }
}

export async function run(ctx) {
  const bySetup = {};
  for (const setup of SETUPS) bySetup[setup.id] = await measureSetup(ctx, setup);
  const rows = [];
  for (const target of ['historical', 'version list', 'namespace'])
    for (const setup of SETUPS)
      rows.push({ label: `${target} (${setup.id})`, result: bySetup[setup.id][target] });
  process.stdout.write('\n');
  printTable(rows);
  printCpu(rows);
  const ratio = (target, a, b) => {
    const x = bySetup[a][target].rps;
    const y = bySetup[b][target].rps;
    return x && y ? Math.round((x / y) * 100) / 100 : null;
  };
  const comparisons = ['historical', 'version list', 'namespace'].map((target) => ({
    target,
    redisOverNoRedis: ratio(target, 'redis, memory', 'no redis, memory'),
    redisOverDatabaseWithoutMemory: ratio(target, 'redis, no memory', 'no redis, no memory'),
  }));
  process.stdout.write('\n');
  for (const c of comparisons)
    process.stdout.write(
      `${c.target}: with/without Redis ${c.redisOverNoRedis}x req/s (memory on), ` +
        `${c.redisOverDatabaseWithoutMemory}x (memory off: Redis vs the database)\n`,
    );
  const failures = rows.filter(({ result }) => result.failures > 0);
  for (const { label, result } of failures)
    process.stderr.write(`bench: ERROR ${label}: ${result.failures} failed requests\n`);
  return { valid: failures.length === 0, redis: ctx.redisVersion, targets: bySetup, comparisons };
}
