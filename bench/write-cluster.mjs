// Scenario "write-cluster": replicated writes on a 3-node cluster, ours vs a 3-member etcd.
//   ours: PUT  /api/v1/admin/config {"namespace":"bench","key":"k<N>","value":{"v":<n>,"pad":...}}
//         to the Raft leader; 3 node processes on MariaDB (one database each) or SQLite
//   etcd: POST /v3/kv/put {"key": b64("k<N>"), "value": b64(same value text)} to the etcd leader
// Then a graceful leader stop: SIGTERM to the leader (ours hands leadership over, so does etcd),
// the time until a survivor names a new leader, and the stopped member is started again.
// Then failover: 16 clients write unique keys through the followers, the leader is SIGKILLed,
// and the time to the first acknowledged write sent after the kill is measured, for both, with
// the time until a survivor names a new leader (the leaderless time of a kill -9).
// Each system runs alone: start -> seed -> verify -> warm up -> measure -> failover -> stop.
import { readFileSync } from 'node:fs';
import {
  ADMIN_HEADERS,
  createConfig,
  createNamespace,
  ensureBuilt,
  getConfig,
  raftHealth,
  startConfigCenterCluster,
  waitForLeader,
} from './lib/config-center.mjs';
import { ensureEtcd, etcdGet, etcdPut, startEtcdCluster } from './lib/etcd.mjs';
import { measureFailover, measureLeaderGap } from './lib/failover.mjs';
import { request } from './lib/http.mjs';
import { runLoad } from './lib/load.mjs';
import {
  MARIADB,
  ensureMariaDb,
  freshDatabases,
  mariaDbCounters,
  mariaDbInfo,
} from './lib/mariadb.mjs';
import { SetupError, childPids } from './lib/processes.mjs';
import {
  compare,
  medianOf,
  medianRound,
  printComparison,
  printCpu,
  printTable,
} from './lib/report.mjs';

export const name = 'write-cluster';
export const description =
  '3-node cluster, replicated writes: PUT /api/v1/admin/config on the leader vs etcd /v3/kv/put';

const NAMESPACE = 'bench';
const KEYS = 64;
const PAD_BYTES = 100;
const TARGET_RATIO = 1;
const FAILOVER_CLIENTS = Number(process.env.BENCH_FAILOVER_CLIENTS ?? 16);
const DB_NAMES = ['config_center_bench_1', 'config_center_bench_2', 'config_center_bench_3'];

const storage = () => {
  const s = (process.env.BENCH_STORAGE ?? 'mariadb').toLowerCase();
  if (s !== 'mariadb' && s !== 'sqlite')
    throw new SetupError(`BENCH_STORAGE must be mariadb or sqlite (got "${s}")`);
  return s;
};
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const valueText = (n) => `{"v":${n},"pad":"${'x'.repeat(PAD_BYTES)}"}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function prepare(ctx) {
  ensureBuilt(ctx.root);
  ctx.etcdBinary = ensureEtcd();
  ctx.storage = storage();
  if (ctx.storage === 'mariadb') {
    await ensureMariaDb(ctx.root);
    ctx.mariadb = await mariaDbInfo();
    process.stdout.write(
      `bench: MariaDB ${ctx.mariadb.version} on ${MARIADB.host}:${MARIADB.port} (pid ${ctx.mariadb.pid ?? 'unknown'})\n`,
    );
  }
}

/** utime+stime ticks of a pid, or null. */
function ticks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

/** % of one core a process used over `ms` (e.g. MariaDB while we are idle: other jobs). */
async function cpuOver(pid, ms, clockTicks) {
  const a = ticks(pid);
  await sleep(ms);
  const b = ticks(pid);
  return a === null || b === null
    ? null
    : Math.round(((b - a) / clockTicks / (ms / 1000)) * 1000) / 10;
}

function killLeaderProcess(proc) {
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    process.kill(proc.pid, 'SIGKILL');
  }
}

async function measureConfigCenter(ctx) {
  const mariadb = ctx.storage === 'mariadb';
  const dbs = mariadb ? await freshDatabases(DB_NAMES) : null;
  // One HTTP process per node unless asked: every write figure so far was measured that way.
  const extraEnv = { HTTP_WORKERS: process.env.BENCH_HTTP_WORKERS ?? '1' };
  let cluster = null;
  try {
    const mariadbIdlePct =
      mariadb && ctx.mariadb.pid
        ? await cpuOver(ctx.mariadb.pid, 1000, ctx.settings.clockTicks)
        : null;
    const started = Date.now();
    cluster = await startConfigCenterCluster({
      root: ctx.root,
      logDir: ctx.logDir,
      size: 3,
      env: extraEnv,
      nodeArgs: [
        ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ...(ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []),
      ],
      databaseUrl: mariadb
        ? (i) =>
            `mysql://${MARIADB.user}:${MARIADB.password}@${MARIADB.host}:${MARIADB.port}/${DB_NAMES[i]}`
        : undefined,
    });
    const leader = cluster.leader();
    process.stdout.write(
      `bench: config-center cluster (${ctx.storage}) up in ${Date.now() - started} ms; leader ${leader.id} ` +
        `${leader.baseUrl}; followers ${cluster
          .followers()
          .map((n) => n.id)
          .join(', ')}\n`,
    );

    await createNamespace(leader, NAMESPACE);
    for (let i = 0; i < KEYS; i += 1) await createConfig(leader, NAMESPACE, `k${i}`, { v: -1 });
    const seeded = await getConfig(cluster.followers()[0], NAMESPACE, `k${KEYS - 1}`).catch(
      () => null,
    );

    const nodePids = cluster.nodes.flatMap((n) => [n.process.pid, ...childPids(n.process.pid)]);
    const observePids = cluster.nodes.map((n) => ({
      label: `${n.id}${n.id === leader.id ? ' (leader)' : ''}`,
      pid: n.process.pid,
    }));
    if (mariadb && ctx.mariadb.pid) observePids.push({ label: 'mariadbd', pid: ctx.mariadb.pid });
    process.stdout.write(`bench: config-center: PUT /api/v1/admin/config -> ${leader.id}\n`);
    const countersBefore = mariadb ? await mariaDbCounters().catch(() => null) : null;
    const result = await runLoad(
      {
        url: `${leader.baseUrl}/api/v1/admin/config`,
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-operator': 'bench', ...ADMIN_HEADERS },
        generator: {
          name: 'config-center-put',
          namespace: NAMESPACE,
          keys: KEYS,
          padBytes: PAD_BYTES,
        },
        verify: 'envelope',
        // The system under test: three nodes and, on MariaDB, the database server they write to.
        serverPids: mariadb && ctx.mariadb.pid ? [...nodePids, ctx.mariadb.pid] : nodePids,
        observePids,
      },
      ctx.settings,
    );
    const countersAfter = mariadb ? await mariaDbCounters().catch(() => null) : null;
    if (countersBefore && countersAfter) {
      // Warm-up included: per write sent (warm-up + measured), all three nodes together.
      const writes = result.responses + (result.warmup ? result.warmup.requests : 0);
      result.mariadbPerWrite = Object.fromEntries(
        Object.keys(countersAfter).map((k) => [
          k,
          Math.round(((countersAfter[k] - countersBefore[k]) / writes) * 100) / 100,
        ]),
      );
    }
    result.nodes = cluster.nodes.map((n) => ({
      id: n.id,
      pid: n.process.pid,
      leader: n.id === leader.id,
    }));
    result.storage = ctx.storage;
    result.mariadbIdleCorePct = mariadbIdlePct;
    result.seedVisibleOnFollower = seeded !== null;

    // Replication check: every node ends with the same version of k0.
    result.replication = await replicationCheck(cluster);

    // Failover: writes of unique keys through the followers, SIGKILL the leader. Skipped with
    // BENCH_CPU_PROF: a SIGKILLed leader would never write its profile.
    if (ctx.cpuProfDir) {
      process.stdout.write(
        'bench: BENCH_CPU_PROF set: failover skipped (the leader must exit cleanly)\n',
      );
      result.failover = { skipped: true, failoverMs: null, timedOut: false };
      return result;
    }
    result.gracefulStop = await gracefulStopConfigCenter(cluster);
    const victim = cluster.leader();
    const followers = cluster.followers();
    process.stdout.write(
      `bench: config-center failover: ${FAILOVER_CLIENTS} clients -> ${followers.map((n) => n.id).join(', ')}, SIGKILL ${victim.id}\n`,
    );
    let killGap = null;
    const failover = await measureFailover({
      clients: FAILOVER_CLIENTS,
      send: async (c, seq, signal) => {
        const node = followers[c % followers.length];
        const response = await fetch(`${node.baseUrl}/api/v1/admin/config`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-operator': 'bench', ...ADMIN_HEADERS },
          body: JSON.stringify({
            namespace: NAMESPACE,
            key: `f-${c}-${seq}`,
            value: JSON.parse(valueText(seq)),
          }),
          signal,
        });
        const text = await response.text();
        return response.status === 200 && text.startsWith('{"code":0,');
      },
      kill: () => {
        victim.killedOnPurpose = true;
        killGap = measureLeaderGap({
          stopLeader: () => killLeaderProcess(victim.process),
          survivors: followers,
          leaderOf: ourLeaderOf,
          oldLeader: victim.id,
        });
      },
    });
    failover.leaderGap = await killGap;
    failover.killed = victim.id;
    failover.newLeader = await waitForLeader(cluster.nodes, 30_000).catch(() => null);
    result.failover = failover;
    return result;
  } finally {
    if (cluster) await cluster.stop();
    if (dbs) await dbs.drop();
  }
}

/** The leader a node follows, from its health (null while it knows none). */
async function ourLeaderOf(node) {
  const raft = await raftHealth(node, 1000);
  return raft && raft.leader ? raft.leader : null;
}

/**
 * SIGTERM to the leader (it transfers leadership, then exits within 3 s): the time until a
 * survivor names the new leader, and until the process exited; then the node is started again
 * and the cluster waits until every node follows one leader.
 */
async function gracefulStopConfigCenter(cluster) {
  const leader = cluster.leader();
  const survivors = cluster.nodes.filter((n) => n !== leader);
  process.stdout.write(`bench: config-center graceful stop: SIGTERM ${leader.id}\n`);
  leader.killedOnPurpose = true;
  let stopped = null;
  let signalAt = 0;
  const gap = await measureLeaderGap({
    stopLeader: () => {
      signalAt = performance.now();
      stopped = leader.process.stop(10_000);
    },
    survivors,
    leaderOf: ourLeaderOf,
    oldLeader: leader.id,
  });
  await stopped;
  const exitMs = Math.round(performance.now() - signalAt);
  leader.restart();
  cluster.leaderId = await waitForLeader(cluster.nodes, 60_000);
  return { ...gap, stopped: leader.id, exitMs };
}

async function replicationCheck(cluster) {
  const deadline = Date.now() + 10_000;
  let versions = null;
  while (Date.now() < deadline) {
    const data = await Promise.all(
      cluster.nodes.map((n) => getConfig(n, NAMESPACE, 'k0').catch(() => null)),
    );
    versions = data.map((d) => (d ? d.version : null));
    if (versions.every((v) => v !== null && v === versions[0]))
      return { k0Versions: versions, consistent: true };
    await sleep(200);
  }
  return { k0Versions: versions, consistent: false };
}

async function etcdLeaderIndex(cluster) {
  for (let i = 0; i < cluster.endpoints.length; i += 1) {
    const { status, body } = await request(
      'POST',
      `${cluster.endpoints[i]}${cluster.prefix}/maintenance/status`,
      { body: {} },
    );
    if (
      status === 200 &&
      body &&
      body.header &&
      body.leader &&
      body.header.member_id === body.leader
    )
      return i;
  }
  return null;
}

async function etcdStatus(cluster, i) {
  const { status, body } = await request(
    'POST',
    `${cluster.endpoints[i]}${cluster.prefix}/maintenance/status`,
    { body: {}, timeoutMs: 1000 },
  );
  if (status !== 200 || !body || !body.header) throw new Error(`etcd status: HTTP ${status}`);
  return {
    member: body.header.member_id,
    leader: body.leader && body.leader !== '0' ? body.leader : null,
  };
}

const etcdLeaderOf = (cluster) => async (endpoint) =>
  (await etcdStatus(cluster, cluster.endpoints.indexOf(endpoint))).leader;

async function etcdLeaderIndexWithin(cluster, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = await etcdLeaderIndex(cluster).catch(() => null);
    if (index !== null) return index;
    if (Date.now() > deadline) throw new SetupError(`etcd has no leader after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** As gracefulStopConfigCenter: SIGTERM to the etcd leader (it transfers leadership on stop). */
async function gracefulStopEtcd(cluster, leaderIndex) {
  const { leader } = await etcdStatus(cluster, leaderIndex);
  const name = cluster.members[leaderIndex].name;
  process.stdout.write(`bench: etcd graceful stop: SIGTERM ${name}\n`);
  let stopped = null;
  let signalAt = 0;
  const gap = await measureLeaderGap({
    stopLeader: () => {
      signalAt = performance.now();
      stopped = cluster.processes[leaderIndex].stop(10_000);
    },
    survivors: cluster.endpoints.filter((_, i) => i !== leaderIndex),
    leaderOf: etcdLeaderOf(cluster),
    oldLeader: leader,
  });
  await stopped;
  const exitMs = Math.round(performance.now() - signalAt);
  await cluster.restart(leaderIndex);
  return { ...gap, stopped: name, exitMs };
}

async function measureEtcd(ctx) {
  const cluster = await startEtcdCluster({ binary: ctx.etcdBinary, size: 3, logDir: ctx.logDir });
  try {
    let leaderIndex = null;
    const deadline = Date.now() + 30_000;
    while (leaderIndex === null && Date.now() < deadline) {
      leaderIndex = await etcdLeaderIndex(cluster).catch(() => null);
      if (leaderIndex === null) await sleep(200);
    }
    if (leaderIndex === null) throw new SetupError('etcd cluster has no leader after 30 s');
    const leaderUrl = cluster.endpoints[leaderIndex];
    const leaderCluster = { ...cluster, endpoints: [leaderUrl] };
    for (let i = 0; i < KEYS; i += 1) await etcdPut(leaderCluster, `k${i}`, valueText(-1));
    const follower = cluster.endpoints.find((_, i) => i !== leaderIndex);
    // A serializable read on a follower may run before the follower applied the last put.
    let read = null;
    for (let attempt = 0; attempt < 20 && read !== valueText(-1); attempt += 1) {
      if (attempt > 0) await sleep(100);
      read = await etcdGet(cluster, `k${KEYS - 1}`, follower);
    }
    if (read !== valueText(-1))
      throw new SetupError(`etcd follower returned ${read} for a seeded key`);

    process.stdout.write(
      `bench: etcd: POST ${cluster.prefix}/kv/put -> leader ${cluster.members[leaderIndex].name}\n`,
    );
    const result = await runLoad(
      {
        url: `${leaderUrl}${cluster.prefix}/kv/put`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        generator: { name: 'etcd-put', keys: KEYS, padBytes: PAD_BYTES },
        verify: 'etcd-put',
        serverPids: cluster.processes.map((p) => p.pid),
        observePids: cluster.processes.map((p, i) => ({
          label: `${cluster.members[i].name}${i === leaderIndex ? ' (leader)' : ''}`,
          pid: p.pid,
        })),
      },
      ctx.settings,
    );
    result.gatewayPrefix = cluster.prefix;

    result.gracefulStop = await gracefulStopEtcd(cluster, leaderIndex);
    leaderIndex = await etcdLeaderIndexWithin(cluster, 30_000);
    const victimId = (await etcdStatus(cluster, leaderIndex)).leader;
    const followers = cluster.endpoints.filter((_, i) => i !== leaderIndex);
    let killGap = null;
    process.stdout.write(
      `bench: etcd failover: ${FAILOVER_CLIENTS} clients -> ${followers.length} followers, SIGKILL ${cluster.members[leaderIndex].name}\n`,
    );
    const failover = await measureFailover({
      clients: FAILOVER_CLIENTS,
      send: async (c, seq, signal) => {
        const endpoint = followers[c % followers.length];
        const response = await fetch(`${endpoint}${cluster.prefix}/kv/put`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: b64(`f-${c}-${seq}`), value: b64(valueText(seq)) }),
          signal,
        });
        const text = await response.text();
        return response.status === 200 && text.includes('"header"');
      },
      kill: () => {
        killGap = measureLeaderGap({
          stopLeader: () => killLeaderProcess(cluster.processes[leaderIndex]),
          survivors: followers,
          leaderOf: etcdLeaderOf(cluster),
          oldLeader: victimId,
        });
      },
    });
    failover.leaderGap = await killGap;
    failover.killed = cluster.members[leaderIndex].name;
    result.failover = failover;
    return result;
  } finally {
    await cluster.stop();
  }
}

function printProcesses(rows) {
  process.stdout.write(
    '\ncpu per process during measurement (% of one core; us cpu per request):\n',
  );
  for (const { label, result } of rows) {
    const list = result.cpu && result.cpu.processes;
    if (!list || list.length === 0) continue;
    const parts = list.map((p) => `${p.label} ${p.corePct ?? '-'}% ${p.cpuUsPerRequest ?? '-'} us`);
    process.stdout.write(`  ${label}: ${parts.join('; ')}\n`);
  }
}

export async function run(ctx) {
  const rounds = [];
  for (let round = 1; round <= ctx.settings.rounds; round += 1) {
    if (ctx.settings.rounds > 1)
      process.stdout.write(`bench: round ${round}/${ctx.settings.rounds}\n`);
    const ours = await measureConfigCenter(ctx);
    const etcd = await measureEtcd(ctx);
    rounds.push({ 'config-center': ours, etcd });
  }
  const ours = medianRound(rounds.map((r) => r['config-center']));
  const etcd = medianRound(rounds.map((r) => r.etcd));
  const oursLabel = `config-center x3 (${ctx.storage})`;
  const rows = [
    { label: oursLabel, result: ours },
    { label: `etcd ${ctx.versions.etcd} x3`, result: etcd },
  ];
  process.stdout.write('\n');
  printTable(rows);
  if (rounds.length > 1) {
    process.stdout.write(
      `(median of ${rounds.length} rounds by req/s; per round: config-center ` +
        `${rounds.map((r) => Math.round(r['config-center'].rps)).join('/')}; etcd ` +
        `${rounds.map((r) => Math.round(r.etcd.rps)).join('/')})\n`,
    );
  }
  printCpu(rows);
  printProcesses(rows);
  if (ours.mariadbIdleCorePct !== null && ours.mariadbIdleCorePct !== undefined) {
    process.stdout.write(
      `  (mariadbd used ${ours.mariadbIdleCorePct}% of a core in the 1 s before our cluster started: other clients of the shared server)\n`,
    );
  }
  if (ours.mariadbPerWrite) {
    process.stdout.write(
      `  MariaDB statements per write (3 nodes together, server-wide counters): ${Object.entries(
        ours.mariadbPerWrite,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n`,
    );
  }
  process.stdout.write('\n');
  const comparison = compare('config-center', ours, 'etcd', etcd, TARGET_RATIO);
  printComparison(comparison);

  const failover = {
    configCenterMs: medianOf(rounds.map((r) => r['config-center'].failover.failoverMs)),
    etcdMs: medianOf(rounds.map((r) => r.etcd.failover.failoverMs)),
    perRound: rounds.map((r) => ({
      configCenter: r['config-center'].failover,
      etcd: r.etcd.failover,
    })),
  };
  const describe = (f) =>
    f.skipped
      ? 'skipped'
      : f.timedOut
        ? 'no successful write within 30 s'
        : `${f.failoverMs} ms (first ack of any write ${f.firstAckAnyMs} ms; ${f.failedAfterKill} failed attempts ` +
          `${JSON.stringify(f.errorKindsAfterKill)}; ${f.writesPerSecBeforeKill} writes/s before the kill, ` +
          `${f.writesPerSecAfterRecovery} after)`;
  process.stdout.write(
    `\nfailover (SIGKILL leader -> first acknowledged write sent after the kill; ${FAILOVER_CLIENTS} clients + a probe every 10 ms via the followers):\n` +
      `  config-center: ${describe(ours.failover)}; killed ${ours.failover.killed}, new leader ${ours.failover.newLeader}\n` +
      `  etcd:          ${describe(etcd.failover)}; killed ${etcd.failover.killed}\n`,
  );
  if (rounds.length > 1) {
    process.stdout.write(
      `  median of ${rounds.length} rounds: config-center ${failover.configCenterMs} ms, etcd ${failover.etcdMs} ms\n`,
    );
  }

  const leaderless = (system) =>
    `SIGTERM ${system.gracefulStop?.leaderlessMs ?? 'n/a'} ms (exit after ${system.gracefulStop?.exitMs ?? 'n/a'} ms), ` +
    `kill -9 ${system.failover.leaderGap?.leaderlessMs ?? 'n/a'} ms`;
  process.stdout.write(
    `\nleader stop, time without an elected leader (signal -> a survivor names a new leader; polled every 10 ms):\n` +
      `  config-center: ${leaderless(ours)}\n` +
      `  etcd:          ${leaderless(etcd)}\n`,
  );
  failover.leaderless = rounds.map((r) => ({
    configCenter: {
      sigterm: r['config-center'].gracefulStop?.leaderlessMs ?? null,
      sigkill: r['config-center'].failover.leaderGap?.leaderlessMs ?? null,
    },
    etcd: {
      sigterm: r.etcd.gracefulStop?.leaderlessMs ?? null,
      sigkill: r.etcd.failover.leaderGap?.leaderlessMs ?? null,
    },
  }));

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
  const inconsistent = rounds.filter((r) => !r['config-center'].replication.consistent);
  for (const r of inconsistent) {
    process.stderr.write(
      `bench: ERROR config-center nodes disagree on k0 after the load: versions ${JSON.stringify(r['config-center'].replication.k0Versions)}\n`,
    );
  }
  const failoverMissing = rounds.filter(
    (r) => r['config-center'].failover.timedOut || r.etcd.failover.timedOut,
  );
  if (failoverMissing.length > 0)
    process.stderr.write(
      'bench: ERROR a failover measurement saw no successful write within 30 s\n',
    );

  return {
    valid: failures.length === 0 && inconsistent.length === 0 && failoverMissing.length === 0,
    targets: { 'config-center': ours, etcd },
    rounds,
    comparisons: [comparison],
    failover,
    storage: ctx.storage,
    mariadb: ctx.mariadb ?? null,
    workload: {
      configCenter: { method: 'PUT', path: '/api/v1/admin/config', leaderOnly: true },
      etcd: { method: 'POST', path: `${etcd.gatewayPrefix}/kv/put`, leaderOnly: true },
      keys: KEYS,
      valueBytes: Buffer.byteLength(valueText(100000)),
      failoverClients: FAILOVER_CLIENTS,
    },
  };
}
