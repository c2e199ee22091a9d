// The system under test: build when dist/ is missing, start a node on a free loopback port
// with a throwaway SQLite file, wait for readiness, seed through the admin API.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOk, request } from './http.mjs';
import {
  SetupError,
  capture,
  freePort,
  makeTempDir,
  removeTempDir,
  runVisible,
  startProcess,
  waitUntil,
} from './processes.mjs';

export const ENTRY = 'dist/apps/config-center/src/main.js';

/**
 * The ADMIN_TOKEN every bench node starts with (DESIGN 21: every call but health and metrics
 * needs a token), new for each bench run, and the header that carries it. A build without
 * tokens (before DESIGN 21) ignores the header on reads and takes it as its admin token.
 */
export const BENCH_ADMIN_TOKEN = `bench-admin-${randomBytes(16).toString('hex')}`;
export const ADMIN_HEADERS = Object.freeze({ authorization: `Bearer ${BENCH_ADMIN_TOKEN}` });

export const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** Builds with `npm run build` when the compiled entry is missing (and only then). */
export function ensureBuilt(root) {
  if (existsSync(join(root, ENTRY))) return;
  process.stdout.write(`bench: ${ENTRY} missing, building...\n`);
  runVisible('npm', ['run', 'build'], { cwd: root });
  if (!existsSync(join(root, ENTRY)))
    throw new SetupError(`npm run build did not produce ${ENTRY}`);
}

/** "0.1.0 (git abc1234, dirty)" so a result can be traced to the code that produced it. */
export function configCenterVersion(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const sha = capture('git', ['rev-parse', '--short', 'HEAD'], { cwd: root });
  const dirty = capture('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root });
  return `${pkg.version}${sha ? ` (git ${sha}${dirty ? ', dirty tree' : ''})` : ''}`;
}

/**
 * Starts one node. Only the variables below reach it (plus PATH/HOME), so a developer's
 * ADMIN_TOKEN, REDIS_URL or LOG_LEVEL cannot change what is measured.
 * `nodeArgs` (e.g. ['--cpu-prof']) go to node before the entry script.
 */
export async function startConfigCenter({ root, logDir, nodeArgs = [], env: extraEnv = {} }) {
  const dataDir = makeTempDir('bench-cc-');
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dataDir, 'config-center.sqlite')}`,
    LOG_LEVEL: 'warn',
    NODE_ID: 'bench-1',
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    ...extraEnv,
  };
  const proc = startProcess('config-center', process.execPath, [...nodeArgs, join(root, ENTRY)], {
    env,
    cwd: dataDir,
    logFile: join(logDir, 'config-center.log'),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const node = {
    baseUrl,
    port,
    dataDir,
    process: proc,
    /** Stops the node; `keepDataDir` leaves the dir (e.g. for a CPU profile written there). */
    async stop({ keepDataDir = false } = {}) {
      await proc.stop(10_000);
      if (!keepDataDir) removeTempDir(dataDir);
    },
  };
  try {
    await waitUntil(
      'config-center /api/v1/health/ready',
      async () =>
        (await request('GET', `${baseUrl}/api/v1/health/ready`, { timeoutMs: 2000 })).status ===
        200,
      { timeoutMs: 60_000, process: proc },
    );
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

const isEnvelopeOk = (body) => body && typeof body === 'object' && body.code === 0;

export async function createNamespace(node, name) {
  return expectOk(
    'create namespace',
    'POST',
    `${node.baseUrl}/api/v1/admin/namespace`,
    { body: { name }, headers: ADMIN_HEADERS },
    isEnvelopeOk,
  );
}

export async function createConfig(node, namespace, key, value) {
  return expectOk(
    'create config',
    'POST',
    `${node.baseUrl}/api/v1/admin/config`,
    { body: { namespace, key, value }, headers: ADMIN_HEADERS },
    isEnvelopeOk,
  );
}

export async function getConfig(node, namespace, key, headers = ADMIN_HEADERS) {
  const body = await expectOk(
    'get config',
    'GET',
    `${node.baseUrl}/api/v1/config/get?namespace=${encodeURIComponent(namespace)}&key=${encodeURIComponent(key)}`,
    { headers },
    isEnvelopeOk,
  );
  return body.data;
}

/**
 * Creates a token through POST /api/v1/admin/tokens (`role` reader | writer | admin on
 * `namespaces`) and returns its secret, or null when the build has no such endpoint (404: a
 * build before DESIGN 21).
 */
export async function createToken(node, { clientId, role, namespaces }) {
  const url = `${node.baseUrl}/api/v1/admin/tokens`;
  const body = { client_id: clientId, role, namespaces };
  let answer;
  try {
    answer = await request('POST', url, { body, headers: ADMIN_HEADERS });
  } catch (error) {
    throw new SetupError(`create token: POST ${url} failed: ${error.message}`);
  }
  if (answer.status === 404) return null;
  if (answer.status !== 200 || !isEnvelopeOk(answer.body) || !answer.body.data?.token)
    throw new SetupError(
      `create token: POST ${url} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`,
    );
  return answer.body.data.token;
}

/** Sum of `config_center_api_requests_total` samples matching `api` and `status`. */
export async function countedRequests(node, api, status) {
  const { status: httpStatus, body } = await request('GET', `${node.baseUrl}/api/v1/metrics`);
  if (httpStatus !== 200 || typeof body !== 'string') return null;
  let total = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith('config_center_api_requests_total{')) continue;
    if (!line.includes(`api="${api}"`) || !line.includes(`status="${status}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Starts a cluster of `size` nodes, one process each (as scripts/cluster.js does: NODE_ID,
 * PORT, HOST, RAFT_PEERS, CLUSTER_SECRET), and waits until every node reports the same leader
 * in GET /api/v1/health. `databaseUrl(i)` (0-based) gives each node's DATABASE_URL; by default
 * a SQLite file in the node's temp dir. Returns { nodes, leader(), followers(), stop() }.
 */
export async function startConfigCenterCluster({
  root,
  logDir,
  size = 3,
  databaseUrl,
  env: extraEnv = {},
  nodeArgs = [],
}) {
  const specs = [];
  for (let i = 0; i < size; i += 1) {
    specs.push({ id: `node-${i + 1}`, port: await freePort(), dataDir: makeTempDir('bench-cc-') });
  }
  const peers = specs.map((s) => `${s.id}=http://127.0.0.1:${s.port}`).join(',');
  const nodes = specs.map((s, i) => {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      NODE_ID: s.id,
      PORT: String(s.port),
      HOST: '127.0.0.1',
      RAFT_PEERS: peers,
      CLUSTER_SECRET: `bench-secret-${process.pid}`,
      DATABASE_URL: databaseUrl
        ? databaseUrl(i, s.dataDir)
        : `sqlite:${join(s.dataDir, 'config-center.sqlite')}`,
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...extraEnv,
    };
    const spawnNode = (logName) =>
      startProcess(s.id, process.execPath, [...nodeArgs, join(root, ENTRY)], {
        env,
        cwd: s.dataDir,
        logFile: join(logDir, logName),
      });
    let starts = 1;
    return {
      id: s.id,
      port: s.port,
      baseUrl: `http://127.0.0.1:${s.port}`,
      dataDir: s.dataDir,
      process: spawnNode(`config-center-${s.id}.log`),
      /** Starts the node again on its data (after a stop); its log goes to a file of its own. */
      restart() {
        starts += 1;
        this.process = spawnNode(`config-center-${s.id}-start${starts}.log`);
        this.killedOnPurpose = false;
      },
    };
  });
  const cluster = {
    nodes,
    leaderId: null,
    leader() {
      return nodes.find((n) => n.id === cluster.leaderId) ?? null;
    },
    followers() {
      return nodes.filter((n) => n.id !== cluster.leaderId && n.process.running);
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.process.stop(10_000)));
      for (const n of nodes) removeTempDir(n.dataDir);
    },
  };
  try {
    cluster.leaderId = await waitForLeader(nodes, 90_000);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** The `raft` component of GET /api/v1/health on one node (any HTTP status), or null. */
export async function raftHealth(node, timeoutMs = 2000) {
  const { body } = await request('GET', `${node.baseUrl}/api/v1/health`, { timeoutMs });
  const raft = body && body.data && body.data.components && body.data.components.raft;
  return raft ?? null;
}

/**
 * Waits until every running node names the same leader and that node says role 'leader';
 * returns the leader's id.
 */
export async function waitForLeader(nodes, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    for (const n of nodes) {
      if (!n.process.running && !n.killedOnPurpose) {
        throw new SetupError(
          `${n.id} exited while waiting for a leader; last log lines (${n.process.logFile}):\n${n.process.logTail()}`,
        );
      }
    }
    const live = nodes.filter((n) => n.process.running);
    const states = await Promise.all(live.map((n) => raftHealth(n).catch(() => null)));
    last = states;
    if (states.every((s) => s && s.leader)) {
      const leaders = new Set(states.map((s) => s.leader));
      const [id] = leaders;
      const i = live.findIndex((n) => n.id === id);
      if (leaders.size === 1 && i >= 0 && states[i].role === 'leader') return id;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new SetupError(
    `timed out after ${timeoutMs} ms waiting for the cluster to agree on a leader ` +
      `(GET /api/v1/health data.components.raft); last: ${JSON.stringify(last)}`,
  );
}
