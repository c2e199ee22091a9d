// Scenario "read-latest": single-node serializable read of one small key, ours vs etcd.
//   ours: GET  /api/v1/config/get?namespace=bench&key=app.settings   (envelope, code 0)
//   etcd: POST /v3/kv/range {"key": b64, "serializable": true}        (gRPC-gateway JSON)
// Each system runs alone: start -> seed -> verify -> warm up -> measure -> stop; then the next.
import {
  bearer,
  countedRequests,
  createConfig,
  createNamespace,
  createToken,
  ensureBuilt,
  getConfig,
  startConfigCenter,
} from './lib/config-center.mjs';
import { ensureEtcd, etcdGet, etcdPut, rangeRequestBody, startEtcdCluster } from './lib/etcd.mjs';
import { runLoad } from './lib/load.mjs';
import { availableParallelism } from 'node:os';
import { SetupError, childPids } from './lib/processes.mjs';
import { compare, medianRound, printComparison, printCpu, printTable } from './lib/report.mjs';

export const name = 'read-latest';
export const description =
  'Single node, one key: GET /api/v1/config/get vs etcd serializable /v3/kv/range';

const NAMESPACE = 'bench';
const KEY = 'app.settings';
const VALUE = { timeout: 30, retry: 3, hosts: ['10.0.0.1', '10.0.0.2'] };
/** etcd stores the same bytes our API stores: the value's JSON text. */
const ETCD_KEY = `/${NAMESPACE}/${KEY}`;
const TARGET_RATIO = 2;

/** Runs before any server starts: installs/builds what is missing and reports versions. */
export function prepare(ctx) {
  ensureBuilt(ctx.root);
  ctx.etcdBinary = ensureEtcd();
}

async function measureConfigCenter(ctx) {
  const cpuProf = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : [];
  // By default HTTP_WORKERS is not set: the node runs at its own default (DESIGN 26, one read
  // worker per core, as etcd uses every core), as `npm start` does. BENCH_HTTP_WORKERS pins it.
  const pinned = process.env.BENCH_HTTP_WORKERS || undefined;
  const node = await startConfigCenter({
    root: ctx.root,
    logDir: ctx.logDir,
    nodeArgs: cpuProf,
    env: pinned === undefined ? {} : { HTTP_WORKERS: pinned },
  });
  try {
    await createNamespace(node, NAMESPACE);
    await createConfig(node, NAMESPACE, KEY, VALUE);
    // The path clients take (DESIGN 21): a reader token of the namespace, checked on every read.
    const readerToken = await createToken(node, {
      clientId: 'bench',
      role: 'reader',
      namespaces: [NAMESPACE],
    });
    if (readerToken === null)
      throw new SetupError('config-center has no POST /api/v1/admin/tokens (404)');
    const readHeaders = bearer(readerToken);
    const data = await getConfig(node, NAMESPACE, KEY, readHeaders);
    if (JSON.stringify(data.value) !== JSON.stringify(VALUE)) {
      throw new SetupError(`config-center returned ${JSON.stringify(data)} for the seeded key`);
    }
    const workers = childPids(node.process.pid).length;
    ctx.httpWorkers = { setting: pinned ?? 'unset (node default)', readWorkerProcesses: workers };
    process.stdout.write(
      `bench: config-center with HTTP_WORKERS ${pinned ?? `unset (node default: ${availableParallelism()} cores)`}, ` +
        `${workers} read worker process(es)\n`,
    );
    const path = `/api/v1/config/get?namespace=${NAMESPACE}&key=${KEY}`;
    const results = {};
    const targets = [{ id: 'config-center', path }];
    if (ctx.extraTargets.includes('health-live')) {
      targets.push({ id: 'config-center health/live', path: '/api/v1/health/live' });
    }
    for (const target of targets) {
      process.stdout.write(`bench: ${target.id}: GET ${target.path}\n`);
      const before = await countedRequests(node, '/api/v1/config/get', '200');
      results[target.id] = await runLoad(
        {
          url: `${node.baseUrl}${target.path}`,
          method: 'GET',
          headers: readHeaders,
          verify: 'envelope',
          serverPids: [node.process.pid, ...childPids(node.process.pid)],
        },
        ctx.settings,
      );
      if (target.path === path) {
        // Cross-check with the server's own counter: every request autocannon saw as 2xx was
        // counted by the node as a 200 on this route (warm-up included). Read workers report
        // their counts every 250 ms: wait until the counter stops moving.
        let after = await countedRequests(node, '/api/v1/config/get', '200');
        for (let attempt = 0; attempt < 10 && after !== null; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const again = await countedRequests(node, '/api/v1/config/get', '200');
          if (again === after) break;
          after = again;
        }
        results[target.id].serverCounted200 =
          before === null || after === null ? null : after - before;
      }
    }
    return results;
  } finally {
    await node.stop();
  }
}

async function measureEtcd(ctx) {
  const cluster = await startEtcdCluster({ binary: ctx.etcdBinary, size: 1, logDir: ctx.logDir });
  try {
    const value = JSON.stringify(VALUE);
    await etcdPut(cluster, ETCD_KEY, value);
    const read = await etcdGet(cluster, ETCD_KEY);
    if (read !== value) throw new SetupError(`etcd returned ${read} for the seeded key`);
    const url = `${cluster.endpoints[0]}${cluster.prefix}/kv/range`;
    process.stdout.write(`bench: etcd: POST ${cluster.prefix}/kv/range (serializable)\n`);
    const result = await runLoad(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: rangeRequestBody(ETCD_KEY),
        verify: 'etcd-range',
        serverPids: cluster.processes.map((p) => p.pid),
      },
      ctx.settings,
    );
    result.gatewayPrefix = cluster.prefix;
    return result;
  } finally {
    await cluster.stop();
  }
}

export async function run(ctx) {
  // Rounds alternate the systems (ours, etcd, ours, etcd...) so a slow drift of the machine
  // (other work, thermal) does not favour one side.
  const rounds = [];
  for (let round = 1; round <= ctx.settings.rounds; round += 1) {
    if (ctx.settings.rounds > 1)
      process.stdout.write(`bench: round ${round}/${ctx.settings.rounds}\n`);
    const oursRound = await measureConfigCenter(ctx);
    const etcdRound = await measureEtcd(ctx);
    rounds.push({ ...oursRound, etcd: etcdRound });
  }
  const ids = Object.keys(rounds[0]);
  const median = Object.fromEntries(ids.map((id) => [id, medianRound(rounds.map((r) => r[id]))]));
  const { etcd, ...ours } = median;
  const rows = [
    ...Object.entries(ours).map(([label, result]) => ({ label, result })),
    { label: `etcd ${ctx.versions.etcd}`, result: etcd },
  ];
  process.stdout.write('\n');
  printTable(rows);
  if (rounds.length > 1) {
    process.stdout.write(`(median of ${rounds.length} rounds by req/s; per round:`);
    for (const id of ids)
      process.stdout.write(` ${id} ${rounds.map((r) => Math.round(r[id].rps)).join('/')};`);
    process.stdout.write(')\n');
  }
  printCpu(rows);
  process.stdout.write('\n');
  const comparison = compare('config-center', ours['config-center'], 'etcd', etcd, TARGET_RATIO);
  printComparison(comparison);
  if (rounds.length > 1) {
    // Each round's pair ran back to back, so its ratio is the least drift-prone figure.
    comparison.perRoundRps = rounds.map(
      (r) => Math.round((r['config-center'].rps / r.etcd.rps) * 100) / 100,
    );
    const sorted = [...comparison.perRoundRps].sort((a, b) => a - b);
    comparison.medianPerRoundRps = sorted[Math.floor((sorted.length - 1) / 2)];
    process.stdout.write(
      `per-round req/s ratios: ${comparison.perRoundRps.map((x) => `${x.toFixed(2)}x`).join(', ')} ` +
        `(median ${comparison.medianPerRoundRps.toFixed(2)}x)\n`,
    );
  }

  const failures = rounds.flatMap((r, i) =>
    Object.entries(r)
      .filter(([, result]) => result.failures > 0)
      .map(([label, result]) => ({ label: `${label} (round ${i + 1})`, result })),
  );
  for (const { label, result } of failures) {
    process.stderr.write(
      `bench: ERROR ${label}: ${result.failures} failed requests (non-2xx ${result.non2xx}, ` +
        `errors ${result.errors}, timeouts ${result.timeouts}, bad bodies ${result.mismatches}); ` +
        `status codes ${JSON.stringify(result.statusCodeStats)}\n`,
    );
  }
  const cc = ours['config-center'];
  const expected = cc.ok2xx + (cc.warmup ? cc.warmup.requests : 0);
  if (
    cc.serverCounted200 !== null &&
    cc.serverCounted200 !== undefined &&
    cc.serverCounted200 < expected - ctx.settings.connections * 2
  ) {
    process.stderr.write(
      `bench: WARNING config-center counted ${cc.serverCounted200} 200s but the load generator saw ${expected}\n`,
    );
  }
  return {
    valid: failures.length === 0,
    targets: median,
    rounds,
    comparisons: [comparison],
    httpWorkers: ctx.httpWorkers,
    workload: {
      configCenter: {
        method: 'GET',
        path: `/api/v1/config/get?namespace=${NAMESPACE}&key=${KEY}`,
        authorization: 'Bearer <reader token of namespace bench>',
      },
      etcd: {
        method: 'POST',
        path: `${etcd.gatewayPrefix}/kv/range`,
        key: ETCD_KEY,
        serializable: true,
      },
      valueBytes: Buffer.byteLength(JSON.stringify(VALUE)),
    },
  };
}
