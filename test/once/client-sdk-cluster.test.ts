import { AppliedUpdate, ConfigCenterClient, Watcher } from '@config-center/client';
import { ClusterHarness, must } from '../support/cluster/harness';

/**
 * The SDK (libs/client) over a real 3-node cluster: watchers attached to a follower keep every
 * change, once and in revision order, when that follower is killed with SIGKILL mid-stream and
 * they resume on another node with Last-Event-ID.
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

  it('delivers every change exactly once and in order while the attached node is SIGKILLed', async () => {
    const leader = await cluster.waitForLeader();
    const [victim, survivor] = cluster.voterIds.filter((id) => id !== leader);
    must(await cluster.createNamespace(leader, 'orders'), 'create namespace');
    const keys = ['k0', 'k1', 'k2', 'k3'];
    for (const key of keys) must(await cluster.createConfig(leader, 'orders', key, 0), 'create');
    const token = must(
      await cluster.http(leader, 'POST', '/api/v1/admin/tokens', {
        client_id: 'sdk-test',
        role: 'reader',
        namespaces: ['orders'],
      }),
      'create token',
    ).token as string;
    await cluster.waitForApplied(cluster.voterIds);

    // The victim first: every watcher attaches to it and must fail over when it dies.
    const servers = [victim, survivor, leader].map((id) => cluster.node(id).baseUrl);
    const watchers: Watcher[] = [];
    const updates: AppliedUpdate[][] = [];
    for (let i = 0; i < 3; i++) {
      const client = new ConfigCenterClient({
        servers,
        token,
        timeoutMs: 3_000,
        backoff: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      clients.push(client);
      const watcher = client.watch({ namespaces: ['orders'] });
      const seen: AppliedUpdate[] = [];
      watcher.onUpdate((update) => seen.push(update));
      watchers.push(watcher);
      updates.push(seen);
    }
    await Promise.all(watchers.map((watcher) => watcher.ready));
    for (const watcher of watchers) expect(watcher.server).toBe(cluster.node(victim).baseUrl);

    const acked: Array<{ revision: number; key: string; value: number }> = [];
    let killed: Promise<number> | undefined;
    for (let seq = 1; seq <= 80; seq++) {
      if (seq === 25) killed = cluster.kill(victim);
      const key = keys[seq % keys.length];
      const answer = must(await cluster.updateConfig(leader, 'orders', key, seq), `write ${seq}`);
      acked.push({ revision: answer.revision as number, key, value: seq });
    }
    await killed;
    const last = acked[acked.length - 1].revision;
    const deadline = Date.now() + 30_000;
    while (watchers.some((w) => (w.revision ?? 0) < last) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const expected = Object.fromEntries(await cluster.namespaceValues(leader, 'orders'));

    for (const [i, watcher] of watchers.entries()) {
      const seen = updates[i];
      expect(watcher.revision).toBe(last);
      expect(watcher.server).not.toBe(cluster.node(victim).baseUrl);
      // One snapshot (the start), then only events: the resume needed no resync.
      expect(seen.filter((u) => u.source === 'snapshot')).toHaveLength(1);
      expect(seen[0].source).toBe('snapshot');
      const events = seen.slice(1);
      const revisions = events.map((u) => u.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      expect(new Set(revisions).size).toBe(revisions.length);
      // Every acknowledged write, once, with its value; nothing else was written.
      expect(revisions).toEqual(acked.map((write) => write.revision));
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
});
