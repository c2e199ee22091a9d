import { Json, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/** Everything acknowledged survives a restart on the same database, and revisions keep growing. */
describe('persistence across restart', () => {
  let server: TestApp | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => removeSuiteDatabase());

  it('a new app on the same database serves the same values, versions, history and continues revisions', async () => {
    server = await startApp();
    let api = server.api;
    const ns = await api.createNamespace(uniqueName('persist'), 'kept across restarts');
    ok(await api.createConfig(ns.name, 'db', { host: 'h1' }, { description: 'database' }));
    ok(await api.updateConfig(ns.name, 'db', { host: 'h2' }));
    ok(await api.updateConfig(ns.name, 'db', { host: 'h3' }));
    ok(
      await api.post('/api/v1/admin/config/rollback', {
        namespace: ns.name,
        key: 'db',
        target_version: 1,
      }),
    );
    ok(await api.createConfig(ns.name, 'gone', 'bye'));
    ok(await api.deleteConfig(ns.name, 'gone'));
    ok(
      await api.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'create', namespace: ns.name, key: 'b1', value: [1, 2] },
          { op: 'create', namespace: ns.name, key: 'b2', value: 'two' },
        ],
      }),
    );
    const disabled = await api.createNamespace(uniqueName('persist-off'));
    ok(await api.put(`/api/v1/admin/namespace/${disabled.id}`, { status: 0, description: 'off' }));
    const idem = uniqueName('idem');
    const lastWrite = ok(
      await api.put(
        '/api/v1/admin/config',
        { namespace: ns.name, key: 'b2', value: 'three' },
        { 'Idempotency-Key': idem },
      ),
    );

    const capture = async () => ({
      all: ok(await api.namespaceConfigs(ns.name)),
      db: ok(await api.getConfig(ns.name, 'db')),
      dbV2: ok(await api.getConfig(ns.name, 'db', 2)),
      versions: ok(await api.get('/api/v1/config/versions', { namespace: ns.name, key: 'db' })),
      history: ok(await api.get('/api/v1/admin/config/history', { namespace: ns.name, key: 'db' })),
      goneHistory: ok(
        await api.get('/api/v1/admin/config/history', { namespace: ns.name, key: 'gone' }),
      ),
      namespaces: ok(
        await api.get('/api/v1/admin/namespace/list', {
          name: ns.name.split('-').slice(0, 3).join('-'),
        }),
      ),
      off: ok(await api.get('/api/v1/admin/namespace/list', { name: disabled.name })),
    });
    const before: Json = await capture();
    expect(before.db).toMatchObject({ value: { host: 'h1' }, version: 4 });

    await server.close();
    server = await startApp();
    api = server.api;
    const after: Json = await capture();
    expect(after).toEqual(before);
    expect(after.all.configs).toEqual({ db: { host: 'h1' }, b1: [1, 2], b2: 'three' });
    expect(after.goneHistory.list.map((h: { operation: string }) => h.operation)).toEqual([
      'DELETE',
      'CREATE',
    ]);
    expect(after.off.list[0]).toMatchObject({ status: 0, description: 'off' });

    // The idempotency memory is durable too: the retried write is still answered, not re-applied.
    const retried = ok(
      await api.put(
        '/api/v1/admin/config',
        { namespace: ns.name, key: 'b2', value: 'three' },
        { 'Idempotency-Key': idem },
      ),
    );
    expect(retried).toEqual(lastWrite);
    expect(ok(await api.getConfig(ns.name, 'b2')).version).toBe(2);

    // Revisions never go back: the next write is after every write acknowledged before.
    const next = ok(await api.updateConfig(ns.name, 'db', { host: 'h5' }));
    expect(next.version).toBe(5);
    expect(next.revision).toBeGreaterThan(lastWrite.revision);
    expect(next.revision).toBeGreaterThan(before.all.revision);
    const recreated = ok(await api.createConfig(ns.name, 'gone', 'back'));
    expect(recreated.version).toBe(3);
  });

  it('several restarts in a row keep the state and grow the revision each time', async () => {
    const name = uniqueName('restarts');
    let lastRevision = 0;
    for (let round = 1; round <= 3; round++) {
      server = await startApp();
      const { api } = server;
      if (round === 1) await api.createNamespace(name);
      const write = ok(
        round === 1
          ? await api.createConfig(name, 'counter', round)
          : await api.updateConfig(name, 'counter', round, { expected_version: round - 1 }),
      );
      expect(write.version).toBe(round);
      expect(write.revision).toBeGreaterThan(lastRevision);
      lastRevision = write.revision;
      await server.close();
      server = undefined;
    }
    server = await startApp();
    expect(ok(await server.api.getConfig(name, 'counter'))).toMatchObject({
      value: 3,
      version: 3,
      revision: lastRevision,
    });
  });
  it('values with quotes, backslashes, control characters and emoji come back byte for byte after a restart', async () => {
    // The MySQL write path builds its own SQL literals: every character it escapes (or not) must round-trip.
    const tricky: Json[] = [
      "it's",
      'back\\slash \\n not a newline',
      'real\nnewline\r\tand tab',
      'nul\u0000and ctrl-z\u001a',
      '"double" \\"escaped\\"',
      'ünïcødé 😀 中文',
      { nested: "o'k", path: 'C:\\dir\\file', quote: '"' },
    ];
    const ns = uniqueName('escape');
    server = await startApp();
    await server.api.createNamespace(ns, "desc with ' and \\");
    for (const [i, value] of tricky.entries())
      ok(await server.api.createConfig(ns, `k${i}`, value));
    ok(await server.api.updateConfig(ns, 'k0', tricky[1]));
    await server.close();

    server = await startApp();
    for (const [i, value] of tricky.entries()) {
      const expected = i === 0 ? tricky[1] : value;
      expect(ok(await server.api.getConfig(ns, `k${i}`)).value).toEqual(expected);
    }
    expect(ok(await server.api.getConfig(ns, 'k0', 1)).value).toEqual(tricky[0]);
  });
});
