import { AppliedUpdate, ConfigCenterClient, Watcher } from '@config-center/client';
import { ClusterHarness, must, sleep } from '../support/cluster/harness';
import { uniqueName } from '../support/names';

/**
 * The SDK (libs/client) over a real 3-node cluster: watchers keep every change, once and in
 * revision order, when the node they are attached to (a follower, then the leader) is killed
 * with SIGKILL mid-stream and they resume on another node with Last-Event-ID.
 */
describe('client SDK watchers over a 3-node cluster', () => {
  let cluster: ClusterHarness;
  const clients: ConfigCenterClient[] = [];

  beforeAll(async () => {
    // Two read workers per node, as on a 2-core machine by default: they serve the streams.
    cluster = await ClusterHarness.start({ name: 'sdk-watch', env: { HTTP_WORKERS: '2' } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.destroy();
  }, 60_000);

  async function readerToken(leader: string, namespace: string): Promise<string> {
    const data = must(
      await cluster.http(leader, 'POST', '/api/v1/admin/tokens', {
        client_id: uniqueName('sdk'),
        role: 'reader',
        namespaces: [namespace],
      }),
      'create token',
    );
    return data.token as string;
  }

  /** Three watchers of `namespace`, each with the nodes in `order` (the first is attached to). */
  async function watchers(namespace: string, token: string, order: string[]) {
    const servers = order.map((id) => cluster.node(id).baseUrl);
    const made: Array<{ watcher: Watcher; updates: AppliedUpdate[] }> = [];
    for (let i = 0; i < 3; i++) {
      const client = new ConfigCenterClient({
        servers,
        token,
        timeoutMs: 3_000,
        backoff: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      clients.push(client);
      const watcher = client.watch({ namespaces: [namespace] });
      const updates: AppliedUpdate[] = [];
      watcher.onUpdate((update) => updates.push(update));
      made.push({ watcher, updates });
    }
    await Promise.all(made.map(({ watcher }) => watcher.ready));
    for (const { watcher } of made) expect(watcher.server).toBe(servers[0]);
    return made;
  }

  async function untilAt(made: Array<{ watcher: Watcher }>, revision: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (made.some(({ watcher }) => (watcher.revision ?? 0) < revision)) {
      if (Date.now() > deadline) throw new Error(`watchers did not reach revision ${revision}`);
      await sleep(50);
    }
  }

  /** One snapshot (the start), then events only, strictly increasing: the resume needed no resync. */
  function eventsAfterTheSnapshot(updates: AppliedUpdate[]): AppliedUpdate[] {
    expect(updates[0].source).toBe('snapshot');
    expect(updates.filter((u) => u.source === 'snapshot')).toHaveLength(1);
    const events = updates.slice(1);
    const revisions = events.map((u) => u.revision);
    expect(revisions).toEqual([...new Set(revisions)].sort((a, b) => a - b));
    return events;
  }

  it('delivers every change exactly once and in order while the attached follower is SIGKILLed', async () => {
    const leader = await cluster.waitForLeader();
    const [victim, survivor] = cluster.voterIds.filter((id) => id !== leader);
    must(await cluster.createNamespace(leader, 'orders'), 'create namespace');
    const keys = ['k0', 'k1', 'k2', 'k3'];
    for (const key of keys) must(await cluster.createConfig(leader, 'orders', key, 0), 'create');
    const token = await readerToken(leader, 'orders');
    await cluster.waitForApplied(cluster.voterIds);
    const made = await watchers('orders', token, [victim, survivor, leader]);

    const acked: Array<{ revision: number; key: string; value: number }> = [];
    let killed: Promise<number> | undefined;
    for (let seq = 1; seq <= 80; seq++) {
      if (seq === 25) killed = cluster.kill(victim);
      const key = keys[seq % keys.length];
      const answer = must(await cluster.updateConfig(leader, 'orders', key, seq), `write ${seq}`);
      acked.push({ revision: answer.revision as number, key, value: seq });
    }
    await killed;
    await untilAt(made, acked[acked.length - 1].revision);
    const expected = Object.fromEntries(await cluster.namespaceValues(leader, 'orders'));

    for (const { watcher, updates } of made) {
      expect(watcher.server).not.toBe(cluster.node(victim).baseUrl);
      const events = eventsAfterTheSnapshot(updates);
      // Every acknowledged write, once, with its value; nothing else was written.
      expect(events.map((u) => u.revision)).toEqual(acked.map((write) => write.revision));
      for (const [n, write] of acked.entries()) {
        expect(events[n].changes).toEqual([
          expect.objectContaining({
            namespace: 'orders',
            key: write.key,
            op: 'update',
            value: write.value,
          }),
        ]);
      }
      expect(watcher.namespace('orders')).toEqual(expected);
    }
  }, 120_000);

  it('delivers every change exactly once and in order while the attached leader is SIGKILLed', async () => {
    for (const node of cluster.nodes) if (!node.alive) await cluster.restart(node.id);
    const leader = await cluster.waitForLeader({ all: true });
    must(await cluster.createNamespace(leader, 'ledger'), 'create namespace');
    const token = await readerToken(leader, 'ledger');
    await cluster.waitForApplied(cluster.voterIds);
    const others = cluster.voterIds.filter((id) => id !== leader);
    const made = await watchers('ledger', token, [leader, ...others]);

    // Writes to any live node, each retried with its Idempotency-Key until a node answers it
    // (no answer, or 5xx during the election): one committed entry per write.
    const acked = new Map<number, string>();
    let killed: Promise<number> | undefined;
    for (let seq = 1; seq <= 60; seq++) {
      if (seq === 20) killed = cluster.kill(leader);
      const idempotency = uniqueName('w');
      for (let attempt = 0; ; attempt++) {
        if (attempt > 200) throw new Error(`write ${seq} was never acknowledged`);
        const node = cluster.voterIds[(seq + attempt) % 3];
        if (!cluster.node(node).alive) continue;
        const answer = await cluster.http(
          node,
          'POST',
          '/api/v1/admin/config',
          { namespace: 'ledger', key: `k${seq}`, value: seq },
          5_000,
          { 'idempotency-key': idempotency },
        );
        if (answer.body?.code === 0) {
          acked.set(answer.body.data.revision as number, `k${seq}`);
          break;
        }
        if (answer.status !== 0 && answer.status < 500)
          throw new Error(JSON.stringify(answer.body));
        await sleep(50);
      }
    }
    await killed;
    await untilAt(made, Math.max(...acked.keys()));
    const survivor = cluster.live[0].id;
    const expected = Object.fromEntries(await cluster.namespaceValues(survivor, 'ledger'));
    expect(Object.keys(expected)).toHaveLength(60);

    const sequences = made.map(({ watcher, updates }) => {
      expect(watcher.server).not.toBe(cluster.node(leader).baseUrl);
      const events = eventsAfterTheSnapshot(updates);
      for (const [revision, key] of acked) {
        const event = events.find((u) => u.revision === revision);
        expect(event?.changes).toEqual([expect.objectContaining({ key, op: 'create' })]);
      }
      expect(watcher.namespace('ledger')).toEqual(expected);
      return events.map((u) => `${u.revision}:${u.changes.map((c) => c.key).join(',')}`);
    });
    // The same changes, in the same order, at every watcher; each key created exactly once.
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[2]).toEqual(sequences[0]);
    expect(sequences[0]).toHaveLength(60);
  }, 120_000);
});
