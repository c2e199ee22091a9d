import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/config-center/src/database/data-source-options';
import { parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { AUDIT_SETTING } from '../../apps/config-center/src/settings/system-settings';
import { ClusterHarness, log, must, waitFor } from '../support/cluster/harness';
import { pool } from '../support/cluster/workload';
import { uniqueName } from '../support/names';

/**
 * Log compaction with real processes (DESIGN 2, 4): with RAFT_SNAPSHOT_ENTRIES=50 the leader
 * compacts its log every 50 applied entries, so a follower that was down for several hundred
 * entries can only catch up by installing a snapshot, which must replace its whole state
 * (deleted keys gone, histories and versions identical to the leader's).
 */
jest.setTimeout(180_000);

const SNAPSHOT_ENTRIES = 50;
const SYSTEM = '_system';
const SNAPSHOT_CHUNK_BYTES = 4096;
describe('log compaction and snapshots on a 3-node cluster of real processes', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    cluster = await ClusterHarness.start({
      name: 'snapshot',
      // Small chunks: the snapshot travels in many of them (each its own request).
      env: {
        RAFT_SNAPSHOT_ENTRIES: String(SNAPSHOT_ENTRIES),
        RAFT_SNAPSHOT_CHUNK_BYTES: String(SNAPSHOT_CHUNK_BYTES),
      },
    });
  });

  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('a restarted node catches up by snapshot after compaction', async () => {
    try {
      const leader = await cluster.waitForLeader();
      const [down, other] = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
      // `_system` (DESIGN 15): written once, by the first leader, with its defaults.
      await waitFor(
        '_system/audit on the leader',
        async () => (await cluster.getConfig(leader, SYSTEM, 'audit')).body?.code === 0,
        10_000,
      );
      const bootstrapHistory = must(
        await cluster.http(
          leader,
          'GET',
          `/api/v1/admin/config/history?namespace=${SYSTEM}&key=audit`,
        ),
        '_system/audit history',
      );
      expect(
        bootstrapHistory.list.map((h: { operator: string; version: number }) => [
          h.operator,
          h.version,
        ]),
      ).toEqual([['system', 1]]);
      // A change made on a follower is what the next request sees on every node.
      const firstChange = { retention_days: 45, max_denials_kept: 1000 };
      must(
        await cluster.updateConfig(other, SYSTEM, 'audit', firstChange),
        'change _system on a follower',
      );
      for (const node of cluster.nodes) {
        const seen = must(
          await cluster.getConfig(node.id, SYSTEM, 'audit', 'linearizable'),
          `_system on ${node.id}`,
        );
        expect(seen.value).toEqual(firstChange);
      }
      const ns = uniqueName('snap');
      must(await cluster.createNamespace(leader, ns), 'namespace');
      // State the stopped node already holds; some of it changes or disappears while it is down.
      const early = Array.from({ length: 20 }, (_, i) => `early.${i}`);
      await pool(early, 4, async (key) =>
        must(await cluster.createConfig(leader, ns, key, { v: 1, key }), key),
      );
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      await cluster.kill(down);
      const before = (await cluster.health(leader))!;

      // Several snapshot thresholds' worth of entries while `down` is away.
      const whileDown = { retention_days: 12, max_denials_kept: 34 };
      must(await cluster.updateConfig(other, SYSTEM, 'audit', whileDown), 'change _system again');
      const ns2 = uniqueName('snap-new');
      must(await cluster.createNamespace(other, ns2), 'second namespace');
      const created = Array.from({ length: 6 * SNAPSHOT_ENTRIES }, (_, i) => `late.${i}`);
      await pool(created, 8, async (key, i) =>
        must(
          await cluster.createConfig(i % 2 ? leader : other, i % 3 ? ns : ns2, key, i),
          `create ${key}`,
        ),
      );
      await pool(early.slice(0, 10), 4, async (key) => {
        must(await cluster.updateConfig(leader, ns, key, { v: 2, key }), `update ${key}`);
        must(await cluster.updateConfig(other, ns, key, { v: 3, key }), `update ${key} again`);
      });
      await pool(early.slice(10, 15), 4, async (key) =>
        must(
          await cluster.http(
            leader,
            'DELETE',
            `/api/v1/admin/config?${new URLSearchParams({ namespace: ns, key })}`,
          ),
          `delete ${key}`,
        ),
      );
      const after = (await cluster.health(leader))!;
      log(
        `${down} down from index ${before.applied_index} to ${after.commit_index} (${after.commit_index - before.applied_index} entries, snapshot every ${SNAPSHOT_ENTRIES})`,
      );
      expect(after.commit_index - before.applied_index).toBeGreaterThan(5 * SNAPSHOT_ENTRIES);

      // Back with the same env, at info level so its log says how it caught up.
      const restartedAt = Date.now();
      await cluster.restart(down, { LOG_LEVEL: 'info' });
      const target = (await cluster.health(leader))!.commit_index;
      await cluster.waitForApplied(
        cluster.nodes.map((n) => n.id),
        target,
        60_000,
      );
      log(`${down} caught up to ${target} in ${Date.now() - restartedAt} ms`);

      const output = cluster.node(down).output();
      const sinceRestart = output.slice(output.lastIndexOf('===== start #2'));
      expect(sinceRestart).toMatch(/installed snapshot from the leader/);
      const chunks = Number(/received a snapshot in (\d+) chunk/.exec(sinceRestart)?.[1] ?? 0);
      log(`the snapshot came in ${chunks} chunks of ${SNAPSHOT_CHUNK_BYTES} bytes`);
      expect(chunks).toBeGreaterThan(1);
      // And so do the metrics an SRE would watch.
      const downMetrics = await cluster.metrics(down);
      expect(
        downMetrics.get('config_center_raft_snapshots_installed_total'),
      ).toBeGreaterThanOrEqual(1);
      expect(downMetrics.get('config_center_raft_applied_index')).toBeGreaterThanOrEqual(target);
      const leaderMetrics = await cluster.metrics(leader);
      expect(leaderMetrics.get('config_center_raft_leader')).toBe(1);
      expect(leaderMetrics.get('config_center_raft_snapshots_taken_total')).toBeGreaterThanOrEqual(
        5,
      );
      expect(leaderMetrics.get(`config_center_raft_peer_reachable{peer="${down}"}`)).toBe(1);

      // Same data everywhere: every namespace's configs, versions and the history kept.
      for (const namespace of [ns, ns2]) {
        const lists = await Promise.all(
          cluster.nodes.map(async (n) =>
            Object.fromEntries(await cluster.namespaceValues(n.id, namespace)),
          ),
        );
        expect(lists[1]).toEqual(lists[0]);
        expect(lists[2]).toEqual(lists[0]);
      }
      const onDown = Object.fromEntries(await cluster.namespaceValues(down, ns));
      for (const key of early.slice(10, 15)) expect(onDown).not.toHaveProperty(key);
      for (const key of early.slice(0, 10)) expect(onDown[key]).toEqual({ v: 3, key });
      // late.i went to ns2 when i % 3 === 0, else to ns.
      const sample: Array<[string, string]> = [
        ...early.slice(0, 10).map((key): [string, string] => [ns, key]),
        [ns, 'late.1'],
        [ns2, 'late.3'],
      ];
      for (const [namespace, key] of sample) {
        const mine = must(await cluster.getConfig(down, namespace, key), `get ${key} on ${down}`);
        const theirs = must(
          await cluster.getConfig(leader, namespace, key),
          `get ${key} on leader`,
        );
        expect({ value: mine.value, version: mine.version }).toEqual({
          value: theirs.value,
          version: theirs.version,
        });
      }
      // `_system` came with the snapshot, with the change made while the node was down.
      expect(
        must(await cluster.getConfig(down, SYSTEM, 'audit'), '_system after snapshot').value,
      ).toEqual(whileDown);
      // History written while it was down (version 2 of an updated key).
      const v2 = await cluster.http(
        down,
        'GET',
        `/api/v1/config/get?${new URLSearchParams({ namespace: ns, key: 'early.0', version: '2' })}`,
      );
      expect(must(v2, 'version 2 of early.0 on the restarted node').value).toEqual({
        v: 2,
        key: 'early.0',
      });

      // It keeps following the log afterwards, and survives another kill -9.
      must(await cluster.createConfig(down, ns, 'after.snapshot', 'yes'), 'write via restarted');
      await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
      await cluster.restart(down);
      await cluster.waitForApplied(
        cluster.nodes.map((n) => n.id),
        undefined,
        60_000,
      );
      expect(must(await cluster.getConfig(down, ns, 'after.snapshot'), 'after restart').value).toBe(
        'yes',
      );
      expect(Object.fromEntries(await cluster.namespaceValues(down, ns))).toEqual(
        Object.fromEntries(await cluster.namespaceValues(leader, ns)),
      );
      // Node 1's database may be the next suite's: leave the default behind.
      must(
        await cluster.updateConfig(leader, SYSTEM, 'audit', AUDIT_SETTING.default),
        'reset _system/audit',
      );
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });

  it('compacting a large state keeps the leader: the snapshot is read off the Raft loop', async () => {
    try {
      // The same 100,000 old history rows on every node, as a long-lived cluster has: reading
      // them for a snapshot takes seconds, longer than the election timeout (1-2 s).
      const databases = await Promise.all(
        cluster.nodes.map(async (node) => {
          const dataSource = new DataSource(
            dataSourceOptions(parseDatabaseUrl(node.env.DATABASE_URL)),
          );
          await dataSource.initialize();
          return dataSource;
        }),
      );
      try {
        await Promise.all(databases.map((dataSource) => addOldHistory(dataSource, 100_000)));
        // Writing into a running node's SQLite file holds its loop (better-sqlite3 waits for the
        // lock synchronously), which may cost a leader: measure from the leader after it.
        const leader = await cluster.waitForLeader();
        await cluster.waitForApplied(cluster.nodes.map((n) => n.id));
        const before = (await cluster.health(leader))!;
        const ns = uniqueName('big');
        must(await cluster.createNamespace(leader, ns), 'namespace');
        const keys = Array.from({ length: 3 * SNAPSHOT_ENTRIES }, (_, i) => `k.${i}`);
        await pool(keys, 8, async (key) =>
          must(await cluster.createConfig(leader, ns, key, key), `create ${key}`),
        );
        // Every node stores a snapshot taken after the rows went in, and it holds them (the
        // cluster's own state compresses to ~20 KB, the rows to ~500 KB).
        await waitFor(
          'a snapshot of the large state on every node',
          async () => {
            const stored = await Promise.all(databases.map(storedSnapshot));
            return stored.every((s) => s.index > before.commit_index && s.bytes > 200_000);
          },
          90_000,
        );
        const metrics = await cluster.metrics(leader);
        expect(metrics.get('config_center_raft_snapshot_bytes')).toBeGreaterThan(200_000);
        expect(metrics.get('config_center_raft_snapshot_build_seconds')).toBeGreaterThan(0);
        const after = (await cluster.health(leader))!;
        expect({ role: after.role, term: after.term }).toEqual({
          role: 'leader',
          term: before.term,
        });
      } finally {
        await Promise.all(databases.map((dataSource) => dataSource.destroy()));
      }
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(2000)}`;
      throw error;
    }
  });
});

async function addOldHistory(dataSource: DataSource, rows: number): Promise<void> {
  const q = dataSource.options.type === 'mysql' ? '`' : '"';
  const value = `'{"timeout":30,"retry":3,"hosts":["10.0.0.1","10.0.0.2"]}'`;
  for (let from = 0; from < rows; from += 2000) {
    const values = Array.from({ length: Math.min(2000, rows - from) }, (_, i) => {
      const id = 1e12 + from + i;
      return `(${id}, 999999, 999999, 'old.key', ${value}, ${value}, ${from + i + 1}, 'UPDATE', NULL, 0, '2026-01-01 00:00:00')`;
    });
    await dataSource.query(
      `INSERT INTO config_history (id, config_id, namespace_id, ${q}key${q}, old_value, new_value, version, operation, operator, revision, created_at) VALUES ${values.join(', ')}`,
    );
  }
}

async function storedSnapshot(dataSource: DataSource): Promise<{ index: number; bytes: number }> {
  const [snapshot] = (await dataSource.query(
    'SELECT snapshot_index AS i FROM raft_snapshot',
  )) as Array<{
    i: number | string;
  }>;
  const [stored] = (await dataSource.query(
    'SELECT SUM(LENGTH(data)) AS n FROM raft_snapshot_chunk',
  )) as Array<{
    n: number | string | null;
  }>;
  return { index: Number(snapshot?.i ?? 0), bytes: Number(stored.n ?? 0) };
}
