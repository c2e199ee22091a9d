import { isDeepStrictEqual } from 'node:util';
import { Answer, ClusterHarness, log, waitFor } from '../support/cluster/harness';
import {
  Ledger,
  WriteRecord,
  acked,
  outcomeCounts,
  readBack,
  writeStream,
} from '../support/cluster/workload';
import { uniqueName } from '../support/names';

/**
 * A real 3-node cluster (DESIGN 2, 4, 12, 19): one process and one database per node, every
 * node-to-node link through a TCP proxy the test can cut. The tests run in order on one
 * cluster; every write a client saw acknowledged goes into `ledger` and must survive to the end.
 */
jest.setTimeout(180_000);

const brief = (a: Answer) =>
  `HTTP ${a.status} code=${a.body?.code ?? a.error} ${a.body?.message ?? ''} (${a.ms} ms)`;

describe('a 3-node cluster of real processes', () => {
  let cluster: ClusterHarness;
  let failed = false;
  const ledger = new Ledger();

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'failover',
      // No compaction here: a restarted node must catch up from the log itself.
      env: { RAFT_SNAPSHOT_ENTRIES: '1000000' },
    });
  });

  // Each test starts from a whole cluster: every link healed, every node running, a leader.
  beforeEach(async () => {
    cluster.healAll();
    for (const node of cluster.nodes) if (!node.alive) await cluster.restart(node.id);
    await cluster.waitForLeader({ all: true });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  /** Fails with the nodes' recent output attached. */
  const check = async (what: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (error) {
      failed = true;
      (error as Error).message += `\n(${what})\n${cluster.dump(2000)}`;
      throw error;
    }
  };

  /** `it` that keeps the cluster's logs (and prints where) when the test fails. */
  const scenario = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (error) {
        failed = true;
        throw error;
      }
    });

  scenario(
    'kill -9 the leader during a stream of writes: a new leader within 3 s, no acknowledged write lost, the restarted node catches up',
    async () => {
      const ns = uniqueName('failover');
      const leader = await cluster.waitForLeader();
      const created = await cluster.createNamespace(leader, ns);
      expect(created.body?.code).toBe(0);
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));

      let killedAt = 0;
      const records: WriteRecord[] = await writeStream(cluster, {
        namespace: ns,
        writers: 8,
        durationMs: 6000,
        pauseMs: 5,
        event: {
          atMs: 2000,
          run: async () => {
            killedAt = await cluster.kill(leader);
          },
        },
      });
      expect(killedAt).toBeGreaterThan(0);

      // Failover: kill time -> first write SENT after the kill and acknowledged (so the new
      // leader committed it; the old one was dead when it was sent).
      const afterKill = records
        .filter((r) => acked(r) && r.sentAt >= killedAt)
        .sort((a, b) => a.answeredAt - b.answeredAt);
      const okWrites = records.filter(acked);
      log(
        `kill -9 ${leader}: ${records.length} writes, ${okWrites.length} acknowledged, outcomes before the kill ${JSON.stringify(outcomeCounts(records.filter((r) => r.sentAt < killedAt)))}, after ${JSON.stringify(outcomeCounts(records.filter((r) => r.sentAt >= killedAt)))}`,
      );
      const before = okWrites
        .filter((r) => r.answeredAt < killedAt)
        .map((r) => r.answeredAt - r.sentAt);
      before.sort((a, b) => a - b);
      log(
        `before the kill: ${before.length} acknowledged, latency p50 ${before[Math.floor(before.length / 2)]} ms, p99 ${before[Math.floor(before.length * 0.99)]} ms`,
      );
      const failoverMs = afterKill.length > 0 ? afterKill[0].answeredAt - killedAt : Infinity;
      log(`failover: kill -> first write acknowledged by the new leader = ${failoverMs} ms`);
      expect(afterKill.length).toBeGreaterThan(0);

      const survivors = cluster.live.map((n) => n.id);
      const newLeader = await cluster.waitForLeader();
      expect(newLeader).not.toBe(leader);
      await cluster.waitForApplied(survivors);
      // What an SRE sees on the new leader: it leads, it saw a takeover, the dead peer is down.
      const metrics = await cluster.metrics(newLeader);
      expect(metrics.get('config_center_raft_leader')).toBe(1);
      expect(metrics.get('config_center_raft_leader_changes_total')).toBeGreaterThanOrEqual(2);
      expect(metrics.get(`config_center_raft_peer_reachable{peer="${leader}"}`)).toBe(0);
      // Spec 3.7.4's raft_commit_duration: the new leader committed writes proposed on it.
      expect(metrics.get('config_center_raft_commit_duration_milliseconds_count')).toBeGreaterThan(
        0,
      );
      expect(metrics.get('config_center_raft_apply_duration_milliseconds_count')).toBeGreaterThan(
        0,
      );
      for (const r of okWrites) ledger.record(r.namespace, r.key, r.value);

      const entries = okWrites.map((r) => ({ namespace: r.namespace, key: r.key, value: r.value }));
      const problems = await readBack(cluster, survivors, entries, [
        'linearizable',
        'serializable',
      ]);
      await check('acknowledged writes on the survivors', () => {
        expect(problems.slice(0, 10)).toEqual([]);
      });

      // Nothing appears that no client sent; both survivors hold the same data.
      const sent = new Map(records.map((r) => [r.key, r.value]));
      const lists = await Promise.all(survivors.map((id) => cluster.namespaceValues(id, ns)));
      for (const list of lists) {
        for (const [key, value] of list) expect(isDeepStrictEqual(sent.get(key), value)).toBe(true);
      }
      expect(Object.fromEntries(lists[1])).toEqual(Object.fromEntries(lists[0]));

      // The killed node comes back with the same command and env and catches up from the log.
      await cluster.restart(leader);
      const target = (await cluster.health(newLeader))!.commit_index;
      const healths = await cluster.waitForApplied(
        cluster.nodes.map((n) => n.id),
        target,
        60_000,
      );
      log(
        `restarted ${leader}: applied_index ${JSON.stringify(Object.fromEntries([...healths].map(([id, h]) => [id, h.applied_index])))}`,
      );
      const restarted = await cluster.namespaceValues(leader, ns);
      await check('restarted node converges', () => {
        expect(Object.fromEntries(restarted)).toEqual(Object.fromEntries(lists[0]));
      });
      const again = await readBack(cluster, [leader], entries, ['serializable']);
      expect(again.slice(0, 10)).toEqual([]);
      // The restarted node is a follower of the current leader.
      const h = await cluster.health(leader);
      expect(h?.role).toBe('follower');
      // Checked last, so a slow failover does not hide the data checks above.
      await check('failover time', () => expect(failoverMs).toBeLessThan(3000));
    },
  );
  scenario('a minority partition cannot commit and serves no stale linearizable read', async () => {
    const ns = uniqueName('partition');
    const old = await cluster.waitForLeader();
    const majority = cluster.nodes.map((n) => n.id).filter((id) => id !== old);
    expect((await cluster.createNamespace(old, ns)).body?.code).toBe(0);
    expect((await cluster.createConfig(old, ns, 'k', 'v1')).body?.code).toBe(0);
    ledger.record(ns, 'k', 'v1');
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));

    const termBefore = (await cluster.health(old))!.term;
    cluster.isolate(old);
    const isolatedAt = Date.now();
    // Sent at once, while the old leader still believes it leads: it cannot reach a quorum.
    const earlyWrite = cluster.updateConfig(old, ns, 'k', 'minority-early', {}, 10_000);
    const earlyRead = cluster.getConfig(old, ns, 'k', 'linearizable', 10_000);

    const newLeader = await cluster.waitForLeader({ among: majority, timeoutMs: 20_000 });
    log(
      `partition: ${old} isolated; ${newLeader} leads the majority after ${Date.now() - isolatedAt} ms`,
    );
    const committed = await cluster.updateConfig(newLeader, ns, 'k', 'v2');
    expect(committed.body?.code).toBe(0);
    const viaFollower = majority.find((id) => id !== newLeader)!;
    expect((await cluster.createConfig(viaFollower, ns, 'k2', 'majority')).body?.code).toBe(0);
    ledger.record(ns, 'k', 'v2');
    ledger.record(ns, 'k2', 'majority');

    // Once the majority committed v2, the isolated node must not answer v1 as linearizable.
    const lateRead = await cluster.getConfig(old, ns, 'k', 'linearizable', 10_000);
    const lateWrite = await cluster.updateConfig(old, ns, 'k', 'minority-late', {}, 10_000);
    const serializable = await cluster.getConfig(old, ns, 'k', 'serializable');
    const early = { write: await earlyWrite, read: await earlyRead };
    log(
      `isolated ${old}: early write ${brief(early.write)}; early linearizable read ${brief(early.read)}`,
    );
    log(
      `isolated ${old}: late write ${brief(lateWrite)}; late linearizable read ${brief(lateRead)}; serializable read ${JSON.stringify(serializable.body?.data?.value)}`,
    );
    await check('minority side', () => {
      expect(early.write.body?.code).not.toBe(0);
      expect(lateWrite.body?.code).not.toBe(0);
      expect(lateRead.body?.code).not.toBe(0);
      // The early read was sent before any new leader existed: v1 is its only valid answer.
      if (early.read.body?.code === 0) expect(early.read.body.data.value).toBe('v1');
      // A serializable read may be stale: v1, never a value no quorum accepted.
      expect(serializable.body?.data?.value).toBe('v1');
    });
    const isolatedHealth = await cluster.health(old);
    log(`isolated ${old} health: ${JSON.stringify(isolatedHealth)}`);
    // Pre-vote: a node that cannot win an election does not inflate its term.
    expect(isolatedHealth?.term).toBe(termBefore);

    cluster.healAll();
    const healedAt = Date.now();
    await waitFor(
      `${old} rejoins as a follower`,
      async () => {
        const hs = await cluster.healths();
        const o = hs.get(old);
        const leaderNow = [...hs.entries()].find(([, x]) => x.role === 'leader');
        return (
          o?.role === 'follower' && !!leaderNow && leaderNow[0] !== old && o.leader === leaderNow[0]
        );
      },
      20_000,
    );
    log(`healed: ${old} is a follower again after ${Date.now() - healedAt} ms`);
    // ...and rejoining does not depose the majority's leader.
    expect(await cluster.waitForLeader({ all: true })).toBe(newLeader);
    await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
    await check('old leader converges', async () => {
      for (const consistency of ['serializable', 'linearizable'] as const) {
        expect((await cluster.getConfig(old, ns, 'k', consistency)).body?.data?.value).toBe('v2');
        expect((await cluster.getConfig(old, ns, 'k2', consistency)).body?.data?.value).toBe(
          'majority',
        );
      }
      for (const id of cluster.nodes.map((n) => n.id))
        expect(Object.fromEntries(await cluster.namespaceValues(id, ns))).toEqual({
          k: 'v2',
          k2: 'majority',
        });
    });
  });

  scenario(
    'a linearizable read on a node cut off from every peer fails with 50301/50302, not 500',
    async () => {
      const ns = uniqueName('cutoff');
      const leader = await cluster.waitForLeader();
      const follower = cluster.nodes.map((n) => n.id).find((id) => id !== leader)!;
      expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
      expect((await cluster.createConfig(leader, ns, 'k', 'v')).body?.code).toBe(0);
      ledger.record(ns, 'k', 'v');
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      cluster.isolate(follower);
      try {
        // Without heartbeats the follower forgets its leader after an election timeout.
        await waitFor(
          `${follower} has no leader`,
          async () => (await cluster.health(follower))?.leader === null,
          20_000,
        );
        const read = await cluster.getConfig(follower, ns, 'k', 'linearizable', 10_000);
        const write = await cluster.updateConfig(follower, ns, 'k', 'cut-off', {}, 10_000);
        log(`cut-off ${follower}: linearizable read ${brief(read)}; write ${brief(write)}`);
        expect(write.body?.code).not.toBe(0);
        expect([50301, 50302]).toContain(read.body?.code);
      } finally {
        cluster.healAll();
      }
      await cluster.waitForLeader();
    },
  );

  scenario(
    'a linearizable read waiting on a leader that loses its quorum fails when it steps down, not at its timeout',
    async () => {
      const ns = uniqueName('stepdown');
      const first = await cluster.waitForLeader();
      expect((await cluster.createNamespace(first, ns)).body?.code).toBe(0);
      expect((await cluster.createConfig(first, ns, 'k', 'v')).body?.code).toBe(0);
      ledger.record(ns, 'k', 'v');
      // A node whose reads would wait 20 s, made leader, then cut off from both peers.
      const slow = cluster.nodes.map((n) => n.id).find((id) => id !== first)!;
      await cluster.restart(slow, { PROPOSAL_TIMEOUT_MS: '20000' });
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      expect(
        (await cluster.http(first, 'POST', '/api/v1/admin/cluster/transfer-leader', { to: slow }))
          .body?.data?.leader,
      ).toBe(slow);
      cluster.isolate(slow);
      try {
        const read = await cluster.getConfig(slow, ns, 'k', 'linearizable', 25_000);
        log(`read on cut-off leader ${slow}: ${brief(read)}`);
        expect([50301, 50302]).toContain(read.body?.code);
        // CheckQuorum steps it down within two election timeouts (2 s here).
        expect(read.ms).toBeLessThan(6000);
      } finally {
        cluster.healAll();
        await cluster.restart(slow, { PROPOSAL_TIMEOUT_MS: '2000' });
      }
      await cluster.waitForLeader({ all: true });
    },
  );

  scenario('leadership transfer moves the leader to the named follower', async () => {
    const leader = await cluster.waitForLeader();
    const to = cluster.nodes.map((n) => n.id).find((id) => id !== leader)!;
    const onFollower = await cluster.http(to, 'POST', '/api/v1/admin/cluster/transfer-leader', {
      to,
    });
    expect(onFollower.body?.code).toBe(50302);
    const started = Date.now();
    const answer = await cluster.http(leader, 'POST', '/api/v1/admin/cluster/transfer-leader', {
      to,
    });
    log(`transfer-leader ${leader} -> ${to}: ${brief(answer)}`);
    expect(answer.body?.code).toBe(0);
    // The answer comes once the transfer is done, not when it starts.
    expect(answer.body?.data?.leader).toBe(to);
    expect((await cluster.health(to))?.role).toBe('leader');
    let elected = '';
    await waitFor(
      `${to} leads`,
      async () => {
        elected = await cluster.waitForLeader({ timeoutMs: 10_000 });
        if (elected !== to)
          log(`waiting: ${JSON.stringify(Object.fromEntries(await cluster.healths()))}`);
        return elected === to;
      },
      10_000,
    );
    const ms = Date.now() - started;
    log(`transfer-leader ${leader} -> ${to}: ${elected} leads after ${ms} ms`);
    expect(elected).toBe(to);
    expect(ms).toBeLessThan(5000);
    const ns = uniqueName('transfer');
    expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
    expect((await cluster.createConfig(leader, ns, 'after', 'transfer')).body?.code).toBe(0);
    ledger.record(ns, 'after', 'transfer');
    expect((await cluster.health(leader))?.role).toBe('follower');

    // A target that cannot be reached never catches up: 50301 after two election timeouts,
    // and the leader keeps leading.
    const cut = cluster.nodes.map((n) => n.id).find((id) => id !== to)!;
    cluster.isolate(cut);
    const refused = await cluster.http(to, 'POST', '/api/v1/admin/cluster/transfer-leader', {
      to: cut,
    });
    log(`transfer-leader ${to} -> isolated ${cut}: ${brief(refused)}`);
    expect(refused.body?.code).toBe(50301);
    cluster.healAll();
    expect(await cluster.waitForLeader()).toBe(to);
  });

  scenario('a member can be removed and added back', async () => {
    const leader = await cluster.waitForLeader();
    const victim = cluster.nodes.map((n) => n.id).find((id) => id !== leader)!;
    const all = cluster.nodes.map((n) => n.id);
    const removed = await cluster.http(leader, 'DELETE', `/api/v1/admin/cluster/members/${victim}`);
    log(`remove ${victim}: ${JSON.stringify(removed.body?.data ?? removed.body)}`);
    expect(removed.body?.code).toBe(0);
    await waitFor(`${victim} removed`, async () => {
      const hs = await cluster.healths(all.filter((id) => id !== victim));
      return [...hs.values()].every((h) => !h.voters.includes(victim) && h.voters.length === 2);
    });
    const members = await cluster.http(leader, 'GET', '/api/v1/admin/cluster/members');
    expect(members.body?.data?.members?.map((m: { id: string }) => m.id).sort()).toEqual(
      all.filter((id) => id !== victim).sort(),
    );

    // Two voters still commit (quorum 2 of 2).
    const ns = uniqueName('members');
    expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
    expect((await cluster.createConfig(leader, ns, 'while-removed', 1)).body?.code).toBe(0);
    ledger.record(ns, 'while-removed', 1);

    const added = await cluster.http(leader, 'POST', '/api/v1/admin/cluster/members', {
      id: victim,
      url: cluster.proxy(leader, victim).url,
    });
    log(`add ${victim} back: ${JSON.stringify(added.body?.data ?? added.body)}`);
    expect(added.body?.code).toBe(0);
    await waitFor(`${victim} added back`, async () => {
      const hs = await cluster.healths(all);
      return hs.size === 3 && [...hs.values()].every((h) => h.voters.length === 3);
    });
    await cluster.waitForApplied(all);
    expect((await cluster.getConfig(victim, ns, 'while-removed')).body?.data?.value).toBe(1);
    expect((await cluster.createConfig(victim, ns, 'after-add', 2)).body?.code).toBe(0);
    ledger.record(ns, 'after-add', 2);
  });

  scenario(
    'a retried write (same Idempotency-Key) is applied once, on any node and across a leader crash',
    async () => {
      const leader = await cluster.waitForLeader();
      const [f1, f2] = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
      const ns = uniqueName('idem');
      expect((await cluster.createNamespace(leader, ns)).body?.code).toBe(0);
      expect((await cluster.createConfig(leader, ns, 'k', 0)).body?.code).toBe(0);
      const headers = { 'idempotency-key': `retry-${ns}` };
      const body = { namespace: ns, key: 'k', value: 'once' };
      const put = (id: string) =>
        cluster.http(id, 'PUT', '/api/v1/admin/config', body, 10_000, headers);
      const first = await put(f1);
      expect(first.body?.code).toBe(0);
      ledger.record(ns, 'k', 'once');
      const answers = [await put(f2), await put(leader)];
      await cluster.kill(leader);
      await cluster.waitForLeader({ timeoutMs: 20_000 });
      answers.push(await put(f1), await put(f2));
      log(
        `idempotent retries: ${[first, ...answers].map((a) => `${a.body?.code}/v${a.body?.data?.version}/r${a.body?.data?.revision}`).join(' ')}`,
      );
      for (const answer of answers) {
        expect(answer.body?.code).toBe(0);
        expect(answer.body.data).toEqual(first.body.data);
      }
      await cluster.restart(leader);
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      for (const id of cluster.nodes.map((n) => n.id)) {
        const got = (await cluster.getConfig(id, ns, 'k', 'serializable')).body?.data;
        expect({ value: got?.value, version: got?.version }).toEqual({ value: 'once', version: 2 });
      }
    },
  );

  scenario(
    'no acknowledged write is lost when all three nodes are killed and restarted',
    async () => {
      const all = cluster.nodes.map((n) => n.id);
      await Promise.all(all.map((id) => cluster.kill(id)));
      await Promise.all(all.map((id) => cluster.restart(id)));
      const leader = await cluster.waitForLeader({ timeoutMs: 30_000 });
      await cluster.waitForApplied(all);
      const entries = ledger.all();
      log(
        `restart all: ${leader} leads; reading back ${entries.length} acknowledged writes on every node`,
      );
      const problems = [
        ...(await readBack(cluster, all, entries, ['serializable'])),
        ...(await readBack(cluster, [leader, all.find((id) => id !== leader)!], entries, [
          'linearizable',
        ])),
      ];
      await check('after restarting everything', () => {
        expect(problems.slice(0, 10)).toEqual([]);
      });
    },
  );
});
