// A/B of the server CPU per small PUT /api/v1/admin/config on one node (HTTP_WORKERS=1, SQLite),
// in interleaved rounds (A B, B A, ...). The variants differ only by NODE_OPTIONS:
//   AB_A_NODE_OPTIONS='--require /tmp/variant.cjs' AB_B_NODE_OPTIONS='' node bench/tools/put-cpu-ab.mjs
// AB_ROUNDS (default 5), AB_DURATION seconds measured per run (default 8), AB_CONNECTIONS (16).
// CPU is the node process's user+system time from /proc over the measured window.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const autocannon = createRequire(join(root, 'package.json'))('autocannon');
const ROUNDS = Number(process.env.AB_ROUNDS ?? 5);
const DURATION = Number(process.env.AB_DURATION ?? 8);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 16);
const VARIANTS = { A: process.env.AB_A_NODE_OPTIONS ?? '', B: process.env.AB_B_NODE_OPTIONS ?? '' };
const TOKEN = 'ab-admin-token-0123456789';
const CLOCK_TICKS = 100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function run(variant, port) {
  const dir = mkdtempSync(join(tmpdir(), 'put-ab-'));
  const env = {
    ...process.env,
    NODE_OPTIONS: VARIANTS[variant],
    NODE_ID: 'ab',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    DATA_DIR: dir,
    HTTP_WORKERS: '1',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: TOKEN,
    SWAGGER_ENABLED: 'false',
  };
  const main = join(root, 'dist/apps/config-center/src/main.js');
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  try {
    for (let i = 0; ; i++) {
      const answer = await fetch(`${base}/api/v1/health/ready`).catch(() => undefined);
      if (answer?.ok) break;
      if (i > 300) throw new Error('node not ready after 30 s');
      await sleep(100);
    }
    const post = (path, body) =>
      fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    await post('/api/v1/admin/namespace', { name: 'ab' });
    const seeded = await post('/api/v1/admin/config', {
      namespace: 'ab',
      key: 'app.settings',
      value: 1,
    });
    if (!seeded.ok) throw new Error(`seed: HTTP ${seeded.status} ${await seeded.text()}`);
    const load = {
      url: `${base}/api/v1/admin/config`,
      method: 'PUT',
      headers,
      body: JSON.stringify({
        namespace: 'ab',
        key: 'app.settings',
        value: { timeout: 30, retry: 3 },
      }),
      connections: CONNECTIONS,
    };
    await autocannon({ ...load, duration: 2 }); // warm-up, discarded
    const before = cpuSeconds(child.pid);
    const result = await autocannon({ ...load, duration: DURATION });
    const cpu = cpuSeconds(child.pid) - before;
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    return {
      variant,
      writes: result['2xx'],
      perSecond: result['2xx'] / DURATION,
      usPerWrite: (cpu / result['2xx']) * 1e6,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
    const result = { round, ...(await run(variant, 18_500 + results.length)) };
    results.push(result);
    console.log(JSON.stringify(result));
  }
}
for (const variant of ['A', 'B']) {
  const xs = results
    .filter((r) => r.variant === variant)
    .map((r) => r.usPerWrite)
    .sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  console.log(
    `${variant} (NODE_OPTIONS='${VARIANTS[variant]}'): µs CPU/write median ${xs[xs.length >> 1].toFixed(1)}, ` +
      `mean ${mean.toFixed(1)}, sd ${sd.toFixed(1)}; rounds ${xs.map((x) => x.toFixed(1)).join(' ')}`,
  );
}
