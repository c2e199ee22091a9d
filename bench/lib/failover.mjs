// Failover time: a steady stream of small writes from `clients` concurrent clients (each waits
// for its answer before sending the next), SIGKILL of the leader, and the time from the kill to
// the first write acknowledged as a success that was *sent* after the kill (a write already in
// flight at the kill could be acknowledged a moment later without any new leader, so it does not
// count; it is reported separately as `firstAckAnyMs`).
// Closed-loop clients alone would quantize the figure (after the kill they may all sit in a
// request timeout together), so from the kill on an open-loop prober also sends one write every
// `probeIntervalMs` with a long timeout: the figure's resolution is that interval.
import { performance } from 'node:perf_hooks';

/**
 * `send(client, seq, signal)` performs one write and resolves true on a verified success, false
 * otherwise (it may throw: a socket error, a timeout). `kill()` kills the leader (synchronously
 * sends SIGKILL). Resolves with the measurement.
 */
export async function measureFailover({
  clients = 16,
  send,
  kill,
  warmupMs = 2000,
  requestTimeoutMs = 500,
  retryDelayMs = 5,
  maxWaitMs = 30_000,
  afterMs = 1000,
  probeIntervalMs = 10,
  probeTimeoutMs = 10_000,
}) {
  const events = []; // { client, sentAt, doneAt, ok, error }
  let stopped = false;
  let killAt = null;
  let firstAfterKill = null;
  let resolveFirst;
  const firstSuccess = new Promise((resolve) => {
    resolveFirst = resolve;
  });

  /** One write with its timing; a throw becomes `error` (timeout, socket code or message). */
  async function attempt(c, seq, timeoutMs) {
    const sentAt = performance.now();
    let ok = false;
    let error = null;
    try {
      ok = await send(c, seq, AbortSignal.timeout(timeoutMs));
    } catch (e) {
      error =
        e && e.name === 'TimeoutError'
          ? 'timeout'
          : String((e && e.code) || (e && e.cause && e.cause.code) || (e && e.message) || e);
    }
    return { sentAt, doneAt: performance.now(), ok, error };
  }

  async function probe(c) {
    const { sentAt, doneAt, ok, error } = await attempt(c, 0, probeTimeoutMs);
    events.push({ client: c, sentAt, doneAt, ok, error, probe: true });
    if (ok && firstAfterKill === null) {
      firstAfterKill = { sentAt, doneAt, client: c, probe: true };
      resolveFirst();
    }
  }

  async function client(c) {
    let seq = 0;
    while (!stopped) {
      seq += 1;
      const { sentAt, doneAt, ok, error } = await attempt(c, seq, requestTimeoutMs);
      events.push({ client: c, sentAt, doneAt, ok, error });
      if (ok && killAt !== null && sentAt >= killAt && firstAfterKill === null) {
        firstAfterKill = { sentAt, doneAt, client: c };
        resolveFirst();
      }
      if (!ok) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }

  const running = Array.from({ length: clients }, (_, c) => client(c));
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const before = events.filter((e) => e.ok).length;
  const beforeFailed = events.filter((e) => !e.ok).length;
  const beforeRate = Math.round((before / warmupMs) * 1000);

  killAt = performance.now();
  kill();
  const probes = [];
  const prober = setInterval(() => {
    if (firstAfterKill === null) probes.push(probe(clients + probes.length));
  }, probeIntervalMs);
  const timer = setTimeout(resolveFirst, maxWaitMs);
  await firstSuccess;
  clearTimeout(timer);
  clearInterval(prober);
  // Keep writing a little longer: the rate once the new leader serves is worth seeing.
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  stopped = true;
  await Promise.all([...running, ...probes]);

  const after = events.filter((e) => e.doneAt >= killAt);
  const firstAckAny = after.find((e) => e.ok);
  const errorKinds = {};
  for (const e of after.filter((x) => !x.ok && !x.probe)) {
    const kind = e.error ?? 'rejected';
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  }
  const round = (x) => (x === null || x === undefined ? null : Math.round(x));
  return {
    clients,
    requestTimeoutMs,
    probeIntervalMs,
    probes: probes.length,
    firstSuccessWasProbe: firstAfterKill ? Boolean(firstAfterKill.probe) : null,
    writesPerSecBeforeKill: beforeRate,
    failedBeforeKill: beforeFailed,
    // The figure: kill -> first success of a write sent after the kill.
    failoverMs: firstAfterKill ? round(firstAfterKill.doneAt - killAt) : null,
    firstSentAfterKillAckedMs: firstAfterKill ? round(firstAfterKill.doneAt - killAt) : null,
    firstAckAnyMs: firstAckAny ? round(firstAckAny.doneAt - killAt) : null,
    failedAfterKill: after.filter((e) => !e.ok && !e.probe).length,
    errorKindsAfterKill: errorKinds,
    succeededAfterKill: after.filter((e) => e.ok && !e.probe).length,
    writesPerSecAfterRecovery: firstAfterKill
      ? Math.round(
          (events.filter((e) => e.ok && !e.probe && e.sentAt >= firstAfterKill.doneAt).length /
            afterMs) *
            1000,
        )
      : null,
    timedOut: firstAfterKill === null,
  };
}

/**
 * Time without an elected leader: from `stopLeader()` (SIGTERM or SIGKILL of the leader) to the
 * first poll, every `pollMs`, in which a surviving member names a leader other than `oldLeader`.
 * A graceful stop that hands leadership over first (ours, etcd) should show about one round
 * trip; a kill -9 at least one election timeout. `leaderOf(survivor)` answers the leader that
 * member follows (any id) or null; it may throw (a member busy with the election).
 */
export async function measureLeaderGap({
  stopLeader,
  survivors,
  leaderOf,
  oldLeader,
  pollMs = 10,
  maxWaitMs = 15_000,
}) {
  const started = performance.now();
  stopLeader();
  for (;;) {
    const seen = await Promise.all(
      survivors.map((survivor) =>
        Promise.resolve()
          .then(() => leaderOf(survivor))
          .catch(() => null),
      ),
    );
    const elapsed = performance.now() - started;
    const next = seen.find((leader) => leader && leader !== oldLeader);
    if (next) return { leaderlessMs: Math.round(elapsed), newLeader: next, timedOut: false };
    if (elapsed > maxWaitMs) return { leaderlessMs: null, newLeader: null, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
