// Scenario "watch-fanout": 1,000 watchers on one node, a write every 20 ms, time from each
// write's acknowledgement to each watcher's receipt, ours vs etcd's watch through its JSON
// gateway, in the same run and with the same watchers and writes.
//   ours: GET  /api/v1/config/stream?namespace=bench&prefix=tick (SSE, reader token)
//         writes PUT /api/v1/admin/config {namespace:'bench', key:'tick', value: n}
//   etcd: POST /v3/watch {"create_request":{"key":"/bench/tick"}} (newline-delimited JSON)
//         writes POST /v3/kv/put {key:'/bench/tick', value: n}
// Each system runs alone: start -> seed -> connect every watcher -> write -> wait -> stop.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ADMIN_HEADERS,
  bearer,
  createConfig,
  createNamespace,
  createToken,
  ensureBuilt,
  startConfigCenter,
} from './lib/config-center.mjs';
import { ensureEtcd, etcdPut, startEtcdCluster } from './lib/etcd.mjs';
import { SetupError, childPids, onCleanup } from './lib/processes.mjs';

export const name = 'watch-fanout';
export const description =
  '1,000 SSE watchers on one node, a write every 20 ms: ack-to-receipt latency and lost events vs etcd /v3/watch';

const WORKER = fileURLToPath(new URL('./lib/watch-worker.mjs', import.meta.url));
const NAMESPACE = 'bench';
const KEY = 'tick';
const ETCD_KEY = `/${NAMESPACE}/${KEY}`;
const TARGET_P99_MS = 30;
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function settingsOf(ctx) {
  const number = (name, fallback) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 1) throw new SetupError(`${name} must be a number >= 1`);
    return value;
  };
  return {
    watchers: number('BENCH_WATCHERS', 1000),
    writeIntervalMs: number('BENCH_WRITE_INTERVAL_MS', 20),
    durationSeconds: ctx.settings.durationSeconds,
    watcherProcesses: number('BENCH_WATCH_PROCESSES', 2),
    graceMs: number('BENCH_WATCH_GRACE_MS', 2000),
  };
}

export function prepare(ctx) {
  ensureBuilt(ctx.root);
  ctx.etcdBinary = ensureEtcd();
}

/** Forks the watcher processes, opens every watcher, resolves once all are established. */
async function connectWatchers(settings, spec) {
  const workers = [];
  const connected = [];
  for (let i = 0; i < settings.watcherProcesses; i += 1) {
    const count =
      Math.floor(settings.watchers / settings.watcherProcesses) +
      (i < settings.watchers % settings.watcherProcesses ? 1 : 0);
    const child = fork(WORKER, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const unregister = onCleanup(() => child.kill('SIGKILL'));
    const worker = { child, unregister, errors: [] };
    workers.push(worker);
    connected.push(
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new SetupError(`watchers not all connected within 60 s (${spec.kind})`)),
          60_000,
        );
        child.on('message', (message) => {
          if (message.type === 'connected') {
            clearTimeout(timer);
            resolve();
          } else if (message.type === 'error') {
            worker.errors.push(message.message);
          }
        });
        child.on('exit', (code) => reject(new SetupError(`watch worker exited (${code})`)));
      }),
    );
    child.send({ type: 'start', count, ...spec });
  }
  await Promise.all(connected);
  return workers;
}

async function collect(workers, acks) {
  const results = await Promise.all(
    workers.map(
      ({ child }) =>
        new Promise((resolve) => {
          child.on('message', (message) => message.type === 'result' && resolve(message));
          child.send({ type: 'finish', acks });
        }),
    ),
  );
  for (const { child, unregister } of workers) {
    child.kill('SIGKILL');
    unregister();
  }
  return results;
}

/** Writes 1..n on a fixed schedule (not waiting for the previous answer); records ack times. */
async function writeOnSchedule(settings, write) {
  const count = Math.floor((settings.durationSeconds * 1000) / settings.writeIntervalMs);
  const acks = new Float64Array(count + 1).fill(NaN);
  const writeLatencies = [];
  let writeErrors = 0;
  const started = nowMs();
  const pending = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const due = started + (seq - 1) * settings.writeIntervalMs;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    const sent = nowMs();
    pending.push(
      write(seq).then(
        (ok) => {
          const at = nowMs();
          if (!ok) return void (writeErrors += 1);
          acks[seq] = at;
          writeLatencies.push(at - sent);
        },
        () => void (writeErrors += 1),
      ),
    );
  }
  await Promise.all(pending);
  return { count, acks, writeErrors, writeLatencies };
}

function summarize(label, settings, writes, results) {
  const latencies = Float64Array.from(results.flatMap((r) => Array.from(r.latencies))).sort();
  const pick = (q) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
      : null;
  const sum = (field) => results.reduce((n, r) => n + r[field], 0);
  const writeSorted = [...writes.writeLatencies].sort((a, b) => a - b);
  return {
    label,
    watchers: settings.watchers,
    writes: writes.count,
    acked: writes.count - writes.writeErrors,
    writeErrors: writes.writeErrors,
    writeAckP50Ms: writeSorted[Math.floor(writeSorted.length / 2)] ?? null,
    expectedDeliveries: sum('expected'),
    delivered: latencies.length,
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    outOfOrder: sum('outOfOrder'),
    receivedBeforeAck: sum('beforeAck'),
    streamErrors: sum('streamErrors'),
    p50Ms: pick(0.5),
    p90Ms: pick(0.9),
    p99Ms: pick(0.99),
    maxMs: latencies.length ? latencies[latencies.length - 1] : null,
  };
}

async function measureConfigCenter(ctx, settings) {
  const node = await startConfigCenter({ root: ctx.root, logDir: ctx.logDir });
  try {
    await createNamespace(node, NAMESPACE);
    await createConfig(node, NAMESPACE, KEY, 0);
    const token = await createToken(node, {
      clientId: 'bench',
      role: 'reader',
      namespaces: [NAMESPACE],
    });
    const workers = await connectWatchers(settings, {
      kind: 'config-center',
      method: 'GET',
      url: `${node.baseUrl}/api/v1/config/stream?namespace=${NAMESPACE}&prefix=${KEY}`,
      headers: { accept: 'text/event-stream', ...bearer(token) },
    });
    ctx.httpWorkers = childPids(node.process.pid).length;
    process.stdout.write(`bench: config-center: ${settings.watchers} watchers connected\n`);
    const writes = await writeOnSchedule(settings, async (seq) => {
      const response = await fetch(`${node.baseUrl}/api/v1/admin/config`, {
        method: 'PUT',
        headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: NAMESPACE, key: KEY, value: seq }),
      });
      const body = await response.json();
      return response.status === 200 && body.code === 0;
    });
    await sleep(settings.graceMs);
    return summarize('config-center', settings, writes, await collect(workers, writes.acks));
  } finally {
    await node.stop();
  }
}

async function measureEtcd(ctx, settings) {
  const cluster = await startEtcdCluster({ binary: ctx.etcdBinary, size: 1, logDir: ctx.logDir });
  try {
    await etcdPut(cluster, ETCD_KEY, '0');
    const endpoint = `${cluster.endpoints[0]}${cluster.prefix}`;
    const workers = await connectWatchers(settings, {
      kind: 'etcd',
      method: 'POST',
      url: `${endpoint}/watch`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ create_request: { key: b64(ETCD_KEY) } }),
    });
    process.stdout.write(`bench: etcd: ${settings.watchers} watchers connected\n`);
    const writes = await writeOnSchedule(settings, async (seq) => {
      const response = await fetch(`${endpoint}/kv/put`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: b64(ETCD_KEY), value: b64(String(seq)) }),
      });
      await response.arrayBuffer();
      return response.status === 200;
    });
    await sleep(settings.graceMs);
    return summarize(
      `etcd ${ctx.versions.etcd}`,
      settings,
      writes,
      await collect(workers, writes.acks),
    );
  } finally {
    await cluster.stop();
  }
}

function printRows(rows) {
  const fmt = (v) => (v === null ? '-' : v.toFixed(1));
  process.stdout.write(
    `\n${'target'.padEnd(16)} ${'watchers'.padStart(8)} ${'writes'.padStart(6)} ${'deliveries'.padStart(10)} ` +
      `${'lost'.padStart(7)} ${'dup'.padStart(4)} ${'disorder'.padStart(8)} ${'p50 ms'.padStart(7)} ` +
      `${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(8)} ${'write p50'.padStart(9)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.label.padEnd(16)} ${String(r.watchers).padStart(8)} ${`${r.acked}`.padStart(6)} ` +
        `${String(r.delivered).padStart(10)} ${String(r.lost).padStart(7)} ${String(r.duplicates).padStart(4)} ` +
        `${String(r.outOfOrder).padStart(8)} ${fmt(r.p50Ms).padStart(7)} ${fmt(r.p90Ms).padStart(7)} ` +
        `${fmt(r.p99Ms).padStart(7)} ${fmt(r.maxMs).padStart(8)} ${fmt(r.writeAckP50Ms).padStart(9)}\n`,
    );
  }
}

export async function run(ctx) {
  const settings = settingsOf(ctx);
  process.stdout.write(
    `bench: ${settings.watchers} watchers in ${settings.watcherProcesses} processes, a write every ` +
      `${settings.writeIntervalMs} ms for ${settings.durationSeconds} s, ${settings.graceMs} ms grace\n`,
  );
  // BENCH_WATCH_TARGETS=etcd (or config-center) measures one side only, e.g. to check a setup.
  const targets = (process.env.BENCH_WATCH_TARGETS ?? 'config-center,etcd').split(',');
  const ours = targets.includes('config-center') ? await measureConfigCenter(ctx, settings) : null;
  const etcd = targets.includes('etcd') ? await measureEtcd(ctx, settings) : null;
  printRows([ours, etcd].filter(Boolean));
  const met = ours !== null && ours.p99Ms !== null && ours.p99Ms < TARGET_P99_MS && ours.lost === 0;
  if (ours) {
    process.stdout.write(
      `\nconfig-center: p99 ${ours.p99Ms?.toFixed(1)} ms, ${ours.lost} lost of ${ours.expectedDeliveries} ` +
        `(target p99 < ${TARGET_P99_MS} ms, 0 lost: ${met ? 'met' : 'NOT met'})\n`,
    );
  }
  if (etcd) {
    process.stdout.write(
      `etcd: p99 ${etcd.p99Ms?.toFixed(1)} ms, ${etcd.lost} lost of ${etcd.expectedDeliveries}\n`,
    );
  }
  return {
    valid: [ours, etcd].every((r) => r === null || r.writeErrors === 0),
    targets: { 'config-center': ours, etcd },
    watchSettings: settings,
    httpWorkers: ctx.httpWorkers,
    comparisons: [{ targetP99Ms: TARGET_P99_MS, met }],
  };
}
