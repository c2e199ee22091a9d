// etcd as the baseline: install the Debian package when absent, start 1..n members on
// loopback with throwaway data dirs, find the gRPC-gateway prefix, seed keys.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

function findOnPath(binary) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return null;
}

/**
 * Path of the `etcd` binary; installs Debian's `etcd-server` with apt-get when it is absent
 * (and only then). ETCD_BIN overrides the lookup.
 */
export function ensureEtcd() {
  if (process.env.ETCD_BIN) {
    if (!existsSync(process.env.ETCD_BIN))
      throw new SetupError(`ETCD_BIN=${process.env.ETCD_BIN} does not exist`);
    return process.env.ETCD_BIN;
  }
  const found = findOnPath('etcd') ?? (existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : null);
  if (found) return found;
  if (!findOnPath('apt-get')) {
    throw new SetupError(
      'etcd is not installed and apt-get is not available: install etcd-server (or set ETCD_BIN)',
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new SetupError(
      'etcd is not installed; run as root (apt-get install etcd-server) or set ETCD_BIN',
    );
  }
  process.stdout.write('bench: etcd not found, installing the Debian package etcd-server...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runVisible('apt-get', ['update'], { env });
  runVisible('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server'], { env });
  const installed = findOnPath('etcd') ?? (existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : null);
  if (!installed)
    throw new SetupError('apt-get installed etcd-server but no etcd binary was found');
  return installed;
}

/** "3.4.23" (or the raw first line if the format is unexpected). */
export function etcdVersion(binary) {
  const out = capture(binary, ['--version'], { env: etcdEnv() });
  if (!out) return 'unknown';
  const match = /etcd Version:\s*(\S+)/i.exec(out);
  return match ? match[1] : out.split('\n')[0];
}

function etcdEnv() {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  // etcd 3.4 refuses to start on arm64 without this.
  if (process.arch === 'arm64') env.ETCD_UNSUPPORTED_ARCH = 'arm64';
  return env;
}

/**
 * Starts an etcd cluster of `size` members on 127.0.0.1 (1 for the read benchmark; 3 for a
 * future write benchmark). Returns { endpoints, prefix, members, stop() }.
 */
export async function startEtcdCluster({ binary, size = 1, logDir, extraArgs = [] }) {
  const dataRoot = makeTempDir('bench-etcd-');
  const members = [];
  for (let i = 0; i < size; i += 1) {
    members.push({
      name: `bench-${i}`,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: join(dataRoot, `member-${i}`),
    });
  }
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
  const spawnMember = (m, logName) =>
    startProcess(
      `etcd ${m.name}`,
      binary,
      [
        '--name',
        m.name,
        '--data-dir',
        m.dataDir,
        '--listen-client-urls',
        `http://127.0.0.1:${m.clientPort}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${m.clientPort}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${m.peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${m.peerPort}`,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        `bench-${process.pid}`,
        '--log-level',
        'error',
        '--logger',
        'zap',
        ...extraArgs,
      ],
      { env: etcdEnv(), cwd: dataRoot, logFile: join(logDir, logName) },
    );
  const processes = members.map((m) => spawnMember(m, `etcd-${m.name}.log`));
  const endpoints = members.map((m) => `http://127.0.0.1:${m.clientPort}`);
  const cluster = {
    endpoints,
    prefix: null,
    members,
    processes,
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
      removeTempDir(dataRoot);
    },
    /** Starts member `i` again on its data dir (after a stop) and waits for its /health. */
    async restart(i) {
      processes[i] = spawnMember(members[i], `etcd-${members[i].name}-restart.log`);
      await waitUntil(
        `etcd ${members[i].name} /health after restart`,
        async () => {
          const { status, body } = await request('GET', `${endpoints[i]}/health`, {
            timeoutMs: 2000,
          });
          return status === 200 && body && String(body.health) === 'true';
        },
        { timeoutMs: 30_000, process: processes[i] },
      );
    },
  };
  try {
    for (let i = 0; i < size; i += 1) {
      await waitUntil(
        `etcd ${members[i].name} /health`,
        async () => {
          const { status, body } = await request('GET', `${endpoints[i]}/health`, {
            timeoutMs: 2000,
          });
          return status === 200 && body && String(body.health) === 'true';
        },
        { timeoutMs: 30_000, process: processes[i] },
      );
    }
    cluster.prefix = await gatewayPrefix(endpoints[0]);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** The JSON gateway's prefix: /v3 (3.4+), /v3beta (3.3) or /v3alpha (3.2). */
export async function gatewayPrefix(endpoint) {
  for (const prefix of ['/v3', '/v3beta', '/v3alpha']) {
    const { status } = await request('POST', `${endpoint}${prefix}/kv/range`, {
      body: { key: b64('bench-probe') },
    });
    if (status === 200) return prefix;
  }
  throw new SetupError(`etcd at ${endpoint} serves no JSON gateway under /v3, /v3beta or /v3alpha`);
}

export async function etcdPut(cluster, key, value) {
  await expectOk('etcd put', 'POST', `${cluster.endpoints[0]}${cluster.prefix}/kv/put`, {
    body: { key: b64(key), value: b64(value) },
  });
}

/** Serializable range of one key; returns the decoded value or null. */
export async function etcdGet(cluster, key, endpoint = cluster.endpoints[0]) {
  const body = await expectOk('etcd range', 'POST', `${endpoint}${cluster.prefix}/kv/range`, {
    body: { key: b64(key), serializable: true },
  });
  const kv = body.kvs && body.kvs[0];
  return kv ? Buffer.from(kv.value, 'base64').toString('utf8') : null;
}

export function rangeRequestBody(key) {
  return JSON.stringify({ key: b64(key), serializable: true });
}
