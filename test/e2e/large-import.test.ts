import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/**
 * Issue 11, item 6: an export re-imports. A namespace of 10,000 keys of ~300 B exports and
 * imports again (merge and replace) as one atomic write; an import past the 7 MiB limit of one
 * write is refused with 40002 naming the limit, and nothing of it is applied.
 */
jest.setTimeout(120_000);

const KEYS = 10_000;
const valueOf = (i: number) => ({ index: i, text: `value-${i}-`.padEnd(280, 'x') });

describe('large export and import', () => {
  let server: TestApp;
  let api: Api;

  beforeAll(async () => {
    server = await startApp();
    api = server.api;
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  const exportOf = async (namespace: string) =>
    ok(await api.get('/api/v1/admin/namespace/export', { namespace }));

  it('imports 10,000 keys at once, exports them, and the export re-imports (merge and replace)', async () => {
    const source = uniqueName('large-src');
    const configs = Array.from({ length: KEYS }, (_, i) => ({
      key: `app.key.${String(i).padStart(5, '0')}`,
      value: valueOf(i),
      description: i % 2 === 0 ? `even ${i}` : undefined,
    }));
    const imported = ok(
      await api.post('/api/v1/admin/namespace/import', { namespace: source, configs }),
    );
    expect(imported).toMatchObject({ written: KEYS, deleted: 0, created_namespace: true });

    const exported = await exportOf(source);
    expect(exported.configs).toHaveLength(KEYS);
    // Every key was written by one entry: one revision for all.
    expect(new Set(exported.configs.map((c: { version: number }) => c.version))).toEqual(
      new Set([1]),
    );

    const copy = uniqueName('large-copy');
    ok(await api.post('/api/v1/admin/namespace/import', { ...exported, namespace: copy }));
    const copied = await exportOf(copy);
    const strip = (list: Array<Record<string, unknown>>) =>
      list.map(({ key, value, description }) => ({ key, value, description }));
    expect(strip(copied.configs)).toEqual(strip(exported.configs));

    // Replace with half of it: the other half is deleted in the same write.
    const half = exported.configs.slice(0, KEYS / 2);
    const replaced = ok(
      await api.post('/api/v1/admin/namespace/import', {
        namespace: copy,
        configs: half,
        mode: 'replace',
      }),
    );
    expect(replaced).toMatchObject({ written: KEYS / 2, deleted: KEYS / 2 });
    const after = await exportOf(copy);
    expect(strip(after.configs)).toEqual(strip(half));
    const one = ok(
      await api.get('/api/v1/config/get', { namespace: copy, key: half[10].key as string }),
    );
    expect(one.value).toEqual(valueOf(10));
  });

  it('refuses an import past the 7 MiB limit of one write with 40002, applying nothing', async () => {
    const namespace = uniqueName('too-large');
    // ~7.6 MB of JSON: under the import route's body limit, over one write's limit once encoded.
    const configs = Array.from({ length: 900 }, (_, i) => ({
      key: `k${i}`,
      value: { text: 'y'.repeat(8_400) },
    }));
    const refused = fails(
      await api.post('/api/v1/admin/namespace/import', { namespace, configs }),
      40002,
    );
    expect(JSON.stringify(refused)).toMatch(/at most 7340032 bytes/);
    fails(await api.get('/api/v1/admin/namespace/export', { namespace }), 40402);
  });
});
