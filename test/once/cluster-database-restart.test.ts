import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterHarness, log, must, sleep, waitFor } from '../support/cluster/harness';
import { MariadbProcess, startMariadbProcess } from '../support/mariadb-process';

jest.setTimeout(240_000);

interface Write {
  node: string;
  key: string;
  sentAt: number;
  code: number | undefined;
  retryAfter?: string;
  ms: number;
}

/**
 * DESIGN 23 on real processes: the leader of a three-node cluster loses its MariaDB (kill -9,
 * the test's own mariadbd; the other two run on SQLite). It gives its leadership up, the others
 * go on, it refuses writes at once with 50301 and keeps serving reads; once its database is
 * back it resumes, catches up and takes writes again, with no restart of the node.
 */
describe('a cluster node through a restart of its MariaDB', () => {
  let db: MariadbProcess;
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    db = await startMariadbProcess();
    await db.createDatabase('cc');
    const dir = mkdtempSync(join(tmpdir(), 'cc-dbrestart-'));
    cluster = await ClusterHarness.start({
      name: 'cluster-db-restart',
      databaseUrls: [
        `sqlite:${join(dir, 'n1.sqlite')}`,
        `sqlite:${join(dir, 'n2.sqlite')}`,
        db.url('cc'),
      ],
    });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
    await db?.destroy();
  });

  it('gives leadership up while its database is away and resumes when it is back', async () => {
    try {
      const away = 'node-3';
      must(await cluster.createNamespace(await cluster.waitForLeader(), 'dbr'), 'namespace');
      let leader = await cluster.waitForLeader({ all: true });
      if (leader !== away) {
        must(
          await cluster.http(leader, 'POST', '/api/v1/admin/cluster/transfer-leader', { to: away }),
          'transfer',
        );
        leader = await cluster.waitForLeader({ all: true });
      }
      expect(leader).toBe(away);

      const writes: Write[] = [];
      let running = true;
      let next = 0;
      const writer = async (node: string) => {
        while (running) {
          const key = `${node}-${next++}`;
          const sentAt = Date.now();
          const answer = await cluster.http(
            node,
            'POST',
            '/api/v1/admin/config',
            { namespace: 'dbr', key, value: sentAt },
            15_000,
          );
          writes.push({ node, key, sentAt, code: answer.body?.code, ms: answer.ms });
          if (answer.body?.code !== 0) await sleep(100);
        }
      };
      const load = Promise.all(['node-1', away].map(writer));
      await sleep(1000);

      await db.crash();
      const downAt = Date.now();
      const successor = await cluster.waitForLeader({
        among: ['node-1', 'node-2'],
        timeoutMs: 15_000,
      });
      log(`new leader ${successor} ${Date.now() - downAt} ms after the database was killed`);
      await sleep(1000);
      const health = await cluster.http(away, 'GET', '/api/v1/health');
      expect(health.body.data.status).toBe('degraded');
      expect(health.body.data.components.raft).toMatchObject({
        status: 'degraded',
        suspended: true,
      });
      expect(health.body.data.components.database).toMatchObject({ writable: false });
      const read = await cluster.http(away, 'GET', '/api/v1/config/namespace/dbr');
      expect(read.body.code).toBe(0);

      await db.start();
      const upAt = Date.now();
      await waitFor(
        'writes through the restarted node',
        () =>
          Promise.resolve(writes.some((w) => w.node === away && w.sentAt >= upAt && w.code === 0)),
        10_000,
      );
      log(`writes through ${away} resumed ${Date.now() - upAt} ms after its database was up`);
      running = false;
      await load;

      const whileDown = writes.filter(
        (w) => w.node === away && w.sentAt > downAt + 500 && w.sentAt < upAt,
      );
      expect(whileDown.length).toBeGreaterThan(0);
      expect(whileDown.filter((w) => w.code !== 50301)).toEqual([]);
      expect(whileDown.every((w) => w.ms < 1000)).toBe(true);

      const acknowledged = writes.filter((w) => w.code === 0).map((w) => w.key);
      await cluster.waitForApplied(cluster.voterIds);
      for (const id of cluster.voterIds) {
        const values = await cluster.namespaceValues(id, 'dbr');
        expect(acknowledged.filter((key) => !values.has(key))).toEqual([]);
      }
      expect((await cluster.health(away))?.status).toBe('healthy');
    } catch (error) {
      failed = true;
      (error as Error).message += `\n${cluster.dump(3000)}`;
      throw error;
    }
  });
});
