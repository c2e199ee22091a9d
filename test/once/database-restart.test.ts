import { createConnection } from 'mysql2/promise';
import { MariadbProcess, startMariadbProcess } from '../support/mariadb-process';
import { ensureBuilt, NodeProcess, startNodeProcess } from '../support/node-process';
import { call, sleep, writeLoad } from '../support/write-load';

jest.setTimeout(180_000);

/**
 * Issue 16 item 3 on real processes: a single node on a MariaDB of the test's own, which is
 * killed (or stopped cleanly) under a write load and started again. Writes resume within 10 s
 * with no restart of the node; while the database is away they fail at once with 50301 and a
 * Retry-After, never 50003; reads go on; health says degraded; no acknowledged write is lost.
 * It starts its own mariadbd, so it runs once (test/once), whatever the suite's engine.
 */

describe('a single node through a restart of its MariaDB', () => {
  let db: MariadbProcess;
  let node: NodeProcess;

  beforeAll(async () => {
    ensureBuilt();
    db = await startMariadbProcess();
    await db.createDatabase('cc');
    node = await startNodeProcess({ DATABASE_URL: db.url('cc') }, 60_000);
    expect((await call(node, 'POST', '/api/v1/admin/namespace', { name: 'dbr' })).code).toBe(0);
    const seeded = await call(node, 'POST', '/api/v1/admin/config', {
      namespace: 'dbr',
      key: 'seed',
      value: 'kept',
    });
    expect(seeded.code).toBe(0);
  });
  afterAll(async () => {
    await node?.stop();
    await db?.destroy();
  });

  const restartUnderWrites = async (prefix: string, takeDown: () => Promise<void>) => {
    const load = writeLoad(node, prefix);
    await sleep(1000);
    await takeDown();
    const downAt = Date.now();
    await sleep(1500);
    // The writers' requests in flight at the stop settle first; then they send while it is away.
    const sendDeadline = Date.now() + 10_000;
    while (!load.writes.some((w) => w.sentAt >= downAt) && Date.now() < sendDeadline)
      await sleep(100);

    // Away: reads from memory, health degraded, writes refused at once with a retry time.
    const read = await call(node, 'GET', '/api/v1/config/get?namespace=dbr&key=seed');
    expect(read.code).toBe(0);
    const health = await call(node, 'GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.data.status).toBe('degraded');
    expect(health.data.components.database).toMatchObject({ status: 'degraded', writable: false });
    const refused = await call(node, 'POST', '/api/v1/admin/config', {
      namespace: 'dbr',
      key: `${prefix}-refused`,
      value: 1,
    });
    expect(refused).toMatchObject({ status: 503, code: 50301, retryAfter: '1' });
    expect(refused.ms).toBeLessThan(1000);

    await db.start();
    const upAt = Date.now();
    let resumedAt = 0;
    while (!resumedAt && Date.now() - upAt < 10_000) {
      if (load.writes.some((w) => w.sentAt >= upAt && w.answer.code === 0)) resumedAt = Date.now();
      else await sleep(100);
    }
    await sleep(500);
    await load.stop();
    expect(resumedAt).toBeGreaterThan(0);

    // Sent while the database was away: refused (50301), never "outcome unknown".
    const whileDown = load.writes.filter((w) => w.sentAt >= downAt && w.sentAt < upAt);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((w) => w.answer.code !== 50301)).toEqual([]);
    expect(whileDown.every((w) => w.answer.ms < 1000)).toBe(true);
    const codes = new Set(load.writes.map((w) => w.answer.code));
    for (const code of codes) expect([0, 50301, 50003]).toContain(code);

    // No acknowledged write lost: every one is in the database and in memory.
    const acknowledged = load.writes.filter((w) => w.answer.code === 0).map((w) => w.key);
    const connection = await createConnection(db.url('cc'));
    try {
      const [rows] = await connection.query('SELECT `key` FROM config WHERE `key` LIKE ?', [
        `${prefix}-%`,
      ]);
      const stored = new Set((rows as Array<{ key: string }>).map((row) => row.key));
      expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    } finally {
      await connection.end();
    }
    const last = acknowledged[acknowledged.length - 1];
    expect((await call(node, 'GET', `/api/v1/config/get?namespace=dbr&key=${last}`)).code).toBe(0);
    const healthy = await call(node, 'GET', '/api/v1/health');
    expect(healthy.data.components.database).toMatchObject({ status: 'healthy', writable: true });
    return { resumedInMs: resumedAt - upAt, writes: load.writes.length };
  };

  it('resumes writes within 10 s after kill -9 of the database, without a node restart', async () => {
    const result = await restartUnderWrites('killed', () => db.crash());
    console.log(`kill -9: writes resumed ${result.resumedInMs} ms after the database was up`);
  });

  it('resumes writes within 10 s after a clean stop of the database', async () => {
    const result = await restartUnderWrites('stopped', () => db.stop());
    console.log(`clean stop: writes resumed ${result.resumedInMs} ms after the database was up`);
  });
});
