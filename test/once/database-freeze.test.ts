import { createConnection } from 'mysql2/promise';
import { MariadbProcess, startMariadbProcess } from '../support/mariadb-process';
import { ensureBuilt, NodeProcess, startNodeProcess } from '../support/node-process';
import { call, sleep, writeLoad } from '../support/write-load';

jest.setTimeout(120_000);

/**
 * Review finding 5 of issue 16 on real processes: the node's own MariaDB is frozen (SIGSTOP)
 * under a write load: it answers nothing and closes nothing. Within seconds health says the
 * database is down and new writes answer 50301 at once (not 50003 after the proposal timeout);
 * after SIGCONT writes resume without a node restart and no acknowledged write is lost.
 */
describe('a single node whose MariaDB hangs without closing the connection', () => {
  let db: MariadbProcess;
  let node: NodeProcess;

  beforeAll(async () => {
    ensureBuilt();
    db = await startMariadbProcess();
    await db.createDatabase('cc');
    node = await startNodeProcess({ DATABASE_URL: db.url('cc') }, 60_000);
    expect((await call(node, 'POST', '/api/v1/admin/namespace', { name: 'dbr' })).code).toBe(0);
  });
  afterAll(async () => {
    db?.resume();
    await node?.stop();
    await db?.destroy();
  });

  it('says the database is down within seconds, refuses writes fast, and resumes after SIGCONT', async () => {
    const load = writeLoad(node, 'frozen');
    await sleep(1000);
    db.pause();
    const frozenAt = Date.now();
    let downAt = 0;
    while (!downAt && Date.now() - frozenAt < 8_000) {
      const health = await call(node, 'GET', '/api/v1/health');
      if (health.data.components.database.status !== 'healthy') downAt = Date.now();
      else await sleep(100);
    }
    expect(downAt).toBeGreaterThan(0);
    const refused = await call(node, 'POST', '/api/v1/admin/config', {
      namespace: 'dbr',
      key: 'frozen-refused',
      value: 1,
    });
    expect(refused).toMatchObject({ status: 503, code: 50301 });
    expect(refused.ms).toBeLessThan(1000);
    await sleep(1000);

    db.resume();
    const upAt = Date.now();
    let resumedAt = 0;
    while (!resumedAt && Date.now() - upAt < 10_000) {
      if (load.writes.some((w) => w.sentAt >= upAt && w.answer.code === 0)) resumedAt = Date.now();
      else await sleep(100);
    }
    await sleep(300);
    await load.stop();
    expect(resumedAt).toBeGreaterThan(0);

    // Sent once the node knew: refused at once with 50301.
    const whileDown = load.writes.filter((w) => w.sentAt >= downAt && w.sentAt < upAt);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((w) => w.answer.code !== 50301 || w.answer.ms >= 1000)).toEqual([]);
    for (const write of load.writes) expect([0, 50301, 50003]).toContain(write.answer.code);

    const acknowledged = load.writes.filter((w) => w.answer.code === 0).map((w) => w.key);
    const connection = await createConnection(db.url('cc'));
    try {
      const [rows] = await connection.query('SELECT `key` FROM config WHERE `key` LIKE ?', [
        'frozen-%',
      ]);
      const stored = new Set((rows as Array<{ key: string }>).map((row) => row.key));
      expect(acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    } finally {
      await connection.end();
    }
    const last = acknowledged[acknowledged.length - 1];
    expect((await call(node, 'GET', `/api/v1/config/get?namespace=dbr&key=${last}`)).code).toBe(0);
    console.log(
      `frozen database: health down after ${downAt - frozenAt} ms, writes resumed ${resumedAt - upAt} ms after SIGCONT, ${load.writes.length} writes`,
    );
  });
});
