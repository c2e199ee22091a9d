// Runs autocannon in its own process (forked by load.mjs with an IPC channel), so the load
// generator never shares an event loop with the orchestrator or with a server.
// Protocol: parent sends one job; the worker answers { ok: true, result } or { ok: false, error }.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** Response-body checks, by name (functions cannot cross the IPC channel). */
const VERIFIERS = {
  // Our envelope: {"code":0,...}. A prefix check keeps the load generator's cost negligible.
  envelope: (body) => body.startsWith('{"code":0,'),
  // etcd range with the key present: {"header":{...},"kvs":[...],"count":"1"}
  'etcd-range': (body) => body.includes('"kvs":[') && body.includes('"count":"1"'),
  // etcd put: {"header":{"cluster_id":...,"revision":...}}
  'etcd-put': (body) => body.includes('"header"'),
};

/**
 * Per-request bodies, by name (functions cannot cross the IPC channel). Each request writes the
 * next key round-robin (`k0`..`k<keys-1>`) with a value carrying a counter that increases for
 * every request this worker sends (warm-up included), so no two bodies are the same.
 * Both produce the same value text: {"v":<counter>,"pad":"<padBytes x's>"}.
 */
let writeCounter = 0;
const GENERATORS = {
  'config-center-put': ({ namespace, keys, padBytes }) => {
    const pad = 'x'.repeat(padBytes);
    return () => {
      const n = writeCounter++;
      return `{"namespace":"${namespace}","key":"k${n % keys}","value":{"v":${n},"pad":"${pad}"}}`;
    };
  },
  'etcd-put': ({ keys, padBytes }) => {
    const pad = 'x'.repeat(padBytes);
    const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
    const keyText = Array.from({ length: keys }, (_, i) => b64(`k${i}`));
    return () => {
      const n = writeCounter++;
      return `{"key":"${keyText[n % keys]}","value":"${b64(`{"v":${n},"pad":"${pad}"}`)}"}`;
    };
  },
};

/** Latency histogram with 10 µs buckets up to 10 s (autocannon's own one rounds to 1 ms). */
class MicroHistogram {
  constructor() {
    this.bucketUs = 10;
    this.counts = new Uint32Array(1_000_001);
    this.n = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }
  record(ms) {
    const index = Math.min(this.counts.length - 1, Math.floor((ms * 1000) / this.bucketUs));
    this.counts[index] += 1;
    this.n += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }
  percentile(p) {
    if (this.n === 0) return null;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i += 1) {
      seen += this.counts[i];
      // upper edge of the bucket, in ms
      if (seen >= rank) return ((i + 1) * this.bucketUs) / 1000;
    }
    return this.maxMs;
  }
  summary() {
    const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
    return {
      samples: this.n,
      mean: round(this.n ? this.sumMs / this.n : null),
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      p999: round(this.percentile(99.9)),
      max: round(this.maxMs),
    };
  }
}

/** utime+stime of a process in clock ticks (Linux /proc), or null. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return null;
  }
}

/** Machine-wide { busy, total } ticks from /proc/stat, or null. */
function machineTicks() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] || 0); // idle + iowait
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal (guest is inside user)
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * CPU use during the measurement, in "% of one core": the server process(es), this load
 * generator, and everything else on the machine (other work that competes for the cores).
 */
function cpuSnapshot(pids, observe) {
  return {
    at: process.hrtime.bigint(),
    self: process.cpuUsage(),
    pids: pids.map(processTicks),
    observed: (observe ?? []).map(({ pid }) => processTicks(pid)),
    machine: machineTicks(),
  };
}

function cpuDelta(before, after, pids, clockTicks, requests, observe = []) {
  const seconds = Number(after.at - before.at) / 1e9;
  const pct = (x) => Math.round((x / seconds) * 1000) / 10;
  const selfUs = after.self.user - before.self.user + (after.self.system - before.self.system);
  const serverTicks = pids.reduce(
    (sum, _pid, i) =>
      sum === null || after.pids[i] === null || before.pids[i] === null
        ? null
        : sum + after.pids[i] - before.pids[i],
    0,
  );
  const server = serverTicks === null ? null : serverTicks / clockTicks;
  const loadgen = selfUs / 1e6;
  let machine = null;
  if (before.machine && after.machine) {
    machine = (after.machine.busy - before.machine.busy) / clockTicks;
  }
  return {
    serverCorePct: server === null ? null : pct(server),
    loadGeneratorCorePct: pct(loadgen),
    machineBusyCorePct: machine === null ? null : pct(machine),
    otherCorePct:
      machine === null || server === null ? null : pct(Math.max(0, machine - server - loadgen)),
    serverCpuUsPerRequest:
      server === null || !requests ? null : Math.round((server * 1e6) / requests),
    // Unrounded, for comparisons finer than a whole µs per request (bench/ab.mjs).
    serverCpuSeconds: server,
    // Named processes watched one by one (e.g. each node, the database server).
    processes: observe.map(({ label, pid }, i) => {
      const a = before.observed[i];
      const b = after.observed[i];
      const s = a === null || b === null ? null : (b - a) / clockTicks;
      return {
        label,
        pid,
        corePct: s === null ? null : pct(s),
        cpuUsPerRequest: s === null || !requests ? null : Math.round((s * 1e6) / requests),
      };
    }),
  };
}

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function job(spec) {
  const base = {
    url: spec.url,
    method: spec.method,
    headers: spec.headers ?? {},
    body: spec.body,
    connections: spec.connections,
    pipelining: spec.pipelining,
    timeout: 10,
    verifyBody: spec.verify ? VERIFIERS[spec.verify] : undefined,
  };
  if (spec.generator) {
    const make = GENERATORS[spec.generator.name];
    if (!make) throw new Error(`unknown body generator ${spec.generator.name}`);
    const next = make(spec.generator);
    base.requests = [{ setupRequest: (request) => ({ ...request, body: next() }) }];
  }
  if (spec.paths) {
    // Each request takes the next path in turn (many keys or versions, one target).
    let next = 0;
    base.requests = [
      { setupRequest: (request) => ({ ...request, path: spec.paths[next++ % spec.paths.length] }) },
    ];
  }
  if (spec.verify && !VERIFIERS[spec.verify]) throw new Error(`unknown verifier ${spec.verify}`);

  let warmup = null;
  if (spec.warmupSeconds > 0) {
    const w = await run({ ...base, duration: spec.warmupSeconds });
    warmup = {
      requests: w.requests.total,
      non2xx: w.non2xx,
      errors: w.errors,
      timeouts: w.timeouts,
      mismatches: w.mismatches,
    };
  }

  const histogram = new MicroHistogram();
  const pids = spec.serverPids ?? [];
  const observe = spec.observePids ?? [];
  const cpuBefore = cpuSnapshot(pids, observe);
  const started = process.hrtime.bigint();
  const r = await run({
    ...base,
    duration: spec.durationSeconds,
    setupClient: (client) => {
      client.on('response', (status, _bytes, durationMs) => {
        if (status >= 200 && status < 300) histogram.record(durationMs);
      });
    },
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuDelta(
    cpuBefore,
    cpuSnapshot(pids, observe),
    pids,
    spec.clockTicks ?? 100,
    r.requests.total,
    observe,
  );
  const ok2xx = r['2xx'];
  const failures = r.non2xx + r.errors + r.timeouts + r.mismatches;
  return {
    url: spec.url,
    method: spec.method,
    connections: r.connections,
    pipelining: r.pipelining,
    durationSeconds: r.duration,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    responses: r.requests.total,
    ok2xx,
    // Verified successes per second: 2xx responses whose body passed the check.
    rps: Math.round(((ok2xx - r.mismatches) / r.duration) * 10) / 10,
    rpsSampledMean: r.requests.average,
    rpsSampledStddev: r.requests.stddev,
    latencyMs: histogram.summary(),
    autocannonLatencyMs: {
      p50: r.latency.p50,
      p99: r.latency.p99,
      mean: r.latency.mean,
      max: r.latency.max,
    },
    throughputBytesPerSec: r.throughput.average,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    mismatches: r.mismatches,
    failures,
    cpu,
    bodiesSent: spec.generator ? writeCounter : undefined,
    statusCodeStats: r.statusCodeStats,
    warmup,
  };
}

process.once('message', async (spec) => {
  try {
    const result = await job(spec);
    process.send({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    process.send({ ok: false, error: error.stack ?? String(error) }, () => process.exit(1));
  }
});
