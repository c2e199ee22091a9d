import { AddressInfo } from 'node:net';
import { CallContext } from '@cc/resource';
import { NamespaceConfigsResource } from '../../apps/config-center/src/config/config-read.resources';
import { SharedJson } from '../../apps/config-center/src/http/shared-answer';
import { ExportNamespaceResource } from '../../apps/config-center/src/namespace/namespace.resources';
import { fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';
import { stalledReader, stillConnected, waitFor } from '../support/stalled-reader';

/**
 * Issue 11 item 2 on the in-process HTTP stack: page caps (`limit` too), the byte bound of a
 * page, the bound of concurrent expensive requests, shared answers and the stalled-reader drop.
 */
jest.setTimeout(60_000);

const STALL_MS = 1500;
/** ~1 MB of JSON per value: 10 versions pass the 8 MiB page bound. */
const bigValue = (n: number): string => `${n}:`.padEnd(1_000_000, 'x');
const context: CallContext = { requestId: 'test', nodeId: 'test', chain: [] };

describe('large reads', () => {
  let server: TestApp;
  let port: number;
  let bigNs: string;

  beforeAll(async () => {
    server = await startApp({
      EXPENSIVE_READS_MAX: '1',
      ANSWER_STALL_TIMEOUT_MS: String(STALL_MS),
    });
    await server.app.listen(0, '127.0.0.1');
    port = (server.app.getHttpServer().address() as AddressInfo).port;
    bigNs = (await server.api.createNamespace()).name;
    ok(await server.api.createConfig(bigNs, 'big', bigValue(1)));
    for (let n = 2; n <= 10; n++) ok(await server.api.updateConfig(bigNs, 'big', bigValue(n)));
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  describe('page caps', () => {
    it.each(['100000', '501', '0', 'abc'])(
      'refuses limit=%s exactly as page_size of the same value',
      async (size) => {
        const query = { namespace: bigNs, key: 'big' };
        const bySize = await server.api.get('/api/v1/config/versions', {
          ...query,
          page_size: size,
        });
        const byLimit = await server.api.get('/api/v1/config/versions', { ...query, limit: size });
        expect(bySize.body.code).toBeGreaterThanOrEqual(40001);
        expect([byLimit.status, byLimit.body.code]).toEqual([bySize.status, bySize.body.code]);
        expect(JSON.stringify(byLimit.body.error)).toContain('limit');
      },
    );

    it('refuses a versions page over the byte bound naming the largest page_size that fits', async () => {
      const query = { namespace: bigNs, key: 'big' };
      const refused = fails(
        await server.api.get('/api/v1/config/versions', { ...query, page_size: 10 }),
        40002,
      );
      expect(refused.message).toContain('page_size at most 8');
      expect(refused.error.details[0]).toMatchObject({ field: 'page_size', largest_page_size: 8 });
      const fitting = ok(
        await server.api.get('/api/v1/config/versions', { ...query, page_size: 8 }),
      );
      expect(fitting.list.map((row: { version: number }) => row.version)).toEqual([
        10, 9, 8, 7, 6, 5, 4, 3,
      ]);
      expect(fitting.list[0].value).toBe(bigValue(10));
      fails(await server.api.get('/api/v1/config/versions', { ...query, page_size: 9 }), 40002);
      // The spec's alias is bounded the same way and named in the refusal.
      const byLimit = fails(
        await server.api.get('/api/v1/config/versions', { ...query, limit: 10 }),
        40002,
      );
      expect(byLimit.error.details[0]).toMatchObject({ field: 'limit', largest_page_size: 8 });
    });

    it('bounds history pages (old and new value per row) and config list pages too', async () => {
      const query = { namespace: bigNs, key: 'big' };
      const history = fails(
        await server.api.get('/api/v1/admin/config/history', { ...query, page_size: 10 }),
        40002,
      );
      expect(history.error.details[0].largest_page_size).toBe(4);
      const page = ok(
        await server.api.get('/api/v1/admin/config/history', { ...query, page_size: 4 }),
      );
      expect(page.list).toHaveLength(4);

      const listNs = (await server.api.createNamespace()).name;
      const operations = Array.from({ length: 9 }, (_, i) => ({
        op: 'create',
        namespace: listNs,
        key: `k${i}`,
        value: bigValue(i),
      }));
      ok(
        await server.api.post('/api/v1/admin/config/batch', { operations: operations.slice(0, 5) }),
      );
      ok(await server.api.post('/api/v1/admin/config/batch', { operations: operations.slice(5) }));
      const list = fails(
        await server.api.get('/api/v1/admin/config/list', { namespace: listNs, page_size: 9 }),
        40002,
      );
      expect(list.error.details[0].largest_page_size).toBe(8);
      expect(
        ok(await server.api.get('/api/v1/admin/config/list', { namespace: listNs, page_size: 8 }))
          .list,
      ).toHaveLength(8);

      // A batch-get is bounded the same way, by the keys it finds.
      const keys = operations.map((operation) => operation.key);
      const batch = fails(
        await server.api.post('/api/v1/config/batch-get', { namespace: listNs, keys }),
        40002,
      );
      expect(batch.error.details[0]).toMatchObject({ field: 'keys', largest_page_size: 8 });
      expect(batch.message).toContain('keys at most 8');
      const fitting = ok(
        await server.api.post('/api/v1/config/batch-get', {
          namespace: listNs,
          keys: keys.slice(1),
        }),
      );
      expect(fitting.configs).toHaveLength(8);
    });
  });

  it('answers 50301 with Retry-After beyond the bound of expensive requests, until the slot is freed', async () => {
    const gate = server.app.getHttpAdapter().getInstance().expensiveReads;
    const path = `/api/v1/config/versions?namespace=${bigNs}&key=big&page_size=8`;
    const stalled = await stalledReader(port, path);
    expect(await waitFor(() => gate.busy === 1, 5000)).toBe(true);

    const busy = await server.api.get('/api/v1/config/versions', {
      namespace: bigNs,
      key: 'big',
      page_size: 4,
    });
    const body = fails(busy, 50301);
    expect(busy.headers['retry-after']).toBe('2');
    expect(body.error.retry_after_seconds).toBe(2);
    // Small answers are not expensive: served meanwhile.
    ok(
      await server.api.get('/api/v1/config/versions', {
        namespace: bigNs,
        key: 'big',
        page_size: 1,
      }),
    );

    // The stalled reader is dropped after the stall timeout, and its slot is free again.
    expect(stillConnected(port).has(stalled.localPort)).toBe(true);
    expect(await waitFor(() => !stillConnected(port).has(stalled.localPort), STALL_MS + 3000)).toBe(
      true,
    );
    expect(await waitFor(() => gate.busy === 0, 1000)).toBe(true);
    stalled.socket.destroy();
    ok(
      await server.api.get('/api/v1/config/versions', {
        namespace: bigNs,
        key: 'big',
        page_size: 4,
      }),
    );
  });

  describe('shared answers', () => {
    it('builds the namespace answer once per revision and sends it in the usual envelope', async () => {
      const { api, app } = server;
      const { name } = await api.createNamespace();
      const values = { a: { nested: [1, 'ü', null] }, 'b.c': 'text "quoted"', d: 42 };
      for (const [key, value] of Object.entries(values))
        ok(await api.createConfig(name, key, value));

      const first = await api.get(
        `/api/v1/config/namespace/${name}`,
        {},
        { 'x-request-id': 'r-1' },
      );
      const second = await api.get(
        `/api/v1/config/namespace/${name}`,
        {},
        { 'x-request-id': 'r-2' },
      );
      const data = ok(first);
      expect(Object.keys(first.body)).toEqual([
        'code',
        'message',
        'data',
        'request_id',
        'timestamp',
      ]);
      expect(first.body).toMatchObject({ code: 0, message: 'success', request_id: 'r-1' });
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.text));
      expect(data).toEqual({
        namespace: name,
        configs: values,
        versions: { a: 1, 'b.c': 1, d: 1 },
        version: data.revision,
        revision: data.revision,
        updated_at: expect.any(String),
      });
      expect(Object.keys(data)).toEqual([
        'namespace',
        'configs',
        'versions',
        'version',
        'revision',
        'updated_at',
      ]);
      expect(ok(second)).toEqual(data);
      expect(second.body.request_id).toBe('r-2');

      const resource = app.get(NamespaceConfigsResource);
      const shared = await resource.request({ namespace: name }, context);
      expect(shared).toBeInstanceOf(SharedJson);
      expect((await resource.request({ namespace: name }, context)).parts[0]).toBe(shared.parts[0]);

      ok(await api.updateConfig(name, 'd', 43));
      const changed = await resource.request({ namespace: name }, context);
      expect(changed.parts[0]).not.toBe(shared.parts[0]);
      const after = ok(await api.namespaceConfigs(name));
      expect(after.configs.d).toBe(43);
      expect(after.versions.d).toBe(2);
      expect(after.revision).toBeGreaterThan(data.revision);
    });

    it('shares the configs of an export and keeps its document shape', async () => {
      const { api, app } = server;
      const { name } = await api.createNamespace(undefined, 'described');
      ok(await api.createConfig(name, 'x', { y: [1, 2] }, { description: 'the x' }));
      const exported = ok(await api.get('/api/v1/admin/namespace/export', { namespace: name }));
      expect(Object.keys(exported)).toEqual([
        'namespace',
        'description',
        'revision',
        'exported_at',
        'configs',
      ]);
      expect(exported).toMatchObject({
        namespace: name,
        description: 'described',
        configs: [{ key: 'x', value: { y: [1, 2] }, description: 'the x', version: 1 }],
      });
      const resource = app.get(ExportNamespaceResource);
      const one = await resource.request({ namespace: name }, context);
      const two = await resource.request({ namespace: name }, context);
      expect(two.parts[1]).toBe(one.parts[1]);
    });

    it('drops a reader that stops reading a large namespace answer after the stall timeout', async () => {
      const { api } = server;
      const { name } = await api.createNamespace();
      const operations = Array.from({ length: 6 }, (_, i) => ({
        op: 'create',
        namespace: name,
        key: `k${i}`,
        value: bigValue(i),
      }));
      ok(await api.post('/api/v1/admin/config/batch', { operations }));
      const started = Date.now();
      const stalled = await stalledReader(port, `/api/v1/config/namespace/${name}`);
      const connected = (): boolean => stillConnected(port).has(stalled.localPort);
      expect(await waitFor(() => !connected(), STALL_MS + 3000, 20)).toBe(true);
      const droppedAfter = Date.now() - started;
      expect(droppedAfter).toBeGreaterThanOrEqual(STALL_MS - 100);
      expect(droppedAfter).toBeLessThan(STALL_MS + 3000);
      stalled.socket.destroy();
      // A reader that reads gets the whole answer.
      expect(Object.keys(ok(await api.namespaceConfigs(name)).configs)).toHaveLength(6);
    });
  });
});
