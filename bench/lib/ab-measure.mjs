// One measurement of one build for bench/ab.mjs: the read-latest load on a single node, or the
// write load on a 3-node cluster's leader. Both sides of an A/B get exactly these settings; only
// `root` (the checkout whose dist/ is started) differs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_HEADERS,
  BENCH_ADMIN_TOKEN,
  bearer,
  createConfig,
  createNamespace,
  createToken,
  getConfig,
  startConfigCenter,
  startConfigCenterCluster,
} from './config-center.mjs';
import { runLoad } from './load.mjs';
import { MARIADB, freshDatabases } from './mariadb.mjs';
import { SetupError, childPids } from './processes.mjs';

const NAMESPACE = 'bench';
const READ_KEY = 'app.settings';
const READ_VALUE = { timeout: 30, retry: 3, hosts: ['10.0.0.1', '10.0.0.2'] };
const WRITE_KEYS = 64;
const PAD_BYTES = 100;
/** The A/B's own databases (never the bench's or the tests'): dropped, created, dropped. */
export const AB_DATABASES = ['cc_bench_ab_1', 'cc_bench_ab_2', 'cc_bench_ab_3'];

/** The figures an A/B compares, from a load-worker result. */
function figures(result, extra = {}) {
  const cpu = result.cpu ?? {};
  return {
    rps: result.rps,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    responses: result.responses,
    failures: result.failures,
    // Every server process together (node, its read workers, its peers), measured window only.
    cpuUsPerRequest:
      cpu.serverCpuSeconds === null || cpu.serverCpuSeconds === undefined || !result.responses
        ? null
        : Math.round((cpu.serverCpuSeconds * 1e7) / result.responses) / 10,
    serverCorePct: cpu.serverCorePct ?? null,
    loadGeneratorCorePct: cpu.loadGeneratorCorePct ?? null,
    otherCorePct: cpu.otherCorePct ?? null,
    ...extra,
    raw: result,
  };
}

function runLogDir(logDir, name) {
  const dir = join(logDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** read-latest: GET /api/v1/config/get of one small key on one node (SQLite temp file). */
export async function measureRead({ root, logDir, runName, settings, httpWorkers }) {
  const env = httpWorkers === 'default' ? {} : { HTTP_WORKERS: httpWorkers };
  const node = await startConfigCenter({ root, logDir: runLogDir(logDir, runName), env });
  try {
    await createNamespace(node, NAMESPACE);
    await createConfig(node, NAMESPACE, READ_KEY, READ_VALUE);
    // The path clients take: a reader token of the namespace. A build before DESIGN 21 has no
    // /admin/tokens (null) and reads with any header: it gets the admin token, which it ignores.
    const readerToken = await createToken(node, {
      clientId: 'bench',
      role: 'reader',
      namespaces: [NAMESPACE],
    });
    const readHeaders = bearer(readerToken ?? BENCH_ADMIN_TOKEN);
    const data = await getConfig(node, NAMESPACE, READ_KEY, readHeaders);
    if (JSON.stringify(data.value) !== JSON.stringify(READ_VALUE))
      throw new SetupError(`${runName}: the node returned ${JSON.stringify(data)}`);
    const workers = childPids(node.process.pid);
    const result = await runLoad(
      {
        url: `${node.baseUrl}/api/v1/config/get?namespace=${NAMESPACE}&key=${READ_KEY}`,
        method: 'GET',
        headers: readHeaders,
        verify: 'envelope',
        serverPids: [node.process.pid, ...workers],
      },
      settings,
    );
    return figures(result, {
      serverProcesses: 1 + workers.length,
      readToken: readerToken ? 'reader' : 'admin (build without /admin/tokens)',
    });
  } finally {
    await node.stop();
  }
}

/**
 * write-cluster: PUT /api/v1/admin/config on the leader of 3 nodes, 64 keys round-robin, a
 * unique ~120-byte value per request. CPU is the three nodes' (and their workers'); on
 * MariaDB the shared mariadbd is reported apart (`mariadbUsPerRequest`), as other clients of
 * the same server would otherwise land in the figure.
 */
export async function measureWrite({ root, logDir, runName, settings, httpWorkers, mariadb }) {
  const dbs = mariadb ? await freshDatabases(AB_DATABASES) : null;
  let cluster = null;
  try {
    cluster = await startConfigCenterCluster({
      root,
      logDir: runLogDir(logDir, runName),
      size: 3,
      env: httpWorkers === 'default' ? {} : { HTTP_WORKERS: httpWorkers },
      databaseUrl: mariadb
        ? (i) =>
            `mysql://${MARIADB.user}:${MARIADB.password}@${MARIADB.host}:${MARIADB.port}/${AB_DATABASES[i]}`
        : undefined,
    });
    const leader = cluster.leader();
    await createNamespace(leader, NAMESPACE);
    for (let i = 0; i < WRITE_KEYS; i += 1)
      await createConfig(leader, NAMESPACE, `k${i}`, { v: -1 });
    const nodePids = cluster.nodes.flatMap((n) => [n.process.pid, ...childPids(n.process.pid)]);
    const result = await runLoad(
      {
        url: `${leader.baseUrl}/api/v1/admin/config`,
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-operator': 'bench', ...ADMIN_HEADERS },
        generator: {
          name: 'config-center-put',
          namespace: NAMESPACE,
          keys: WRITE_KEYS,
          padBytes: PAD_BYTES,
        },
        verify: 'envelope',
        serverPids: nodePids,
        observePids: mariadb && mariadb.pid ? [{ label: 'mariadbd', pid: mariadb.pid }] : [],
      },
      settings,
    );
    const mariadbd = result.cpu?.processes?.find((p) => p.label === 'mariadbd');
    return figures(result, {
      serverProcesses: nodePids.length,
      leader: leader.id,
      mariadbUsPerRequest: mariadbd ? mariadbd.cpuUsPerRequest : null,
    });
  } finally {
    if (cluster) await cluster.stop();
    if (dbs) await dbs.drop();
  }
}
