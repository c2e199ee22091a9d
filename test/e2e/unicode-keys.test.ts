import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';

/**
 * DESIGN 25: keys in letters, digits and marks of any script, compared exactly (no Unicode
 * normalization, no case or accent folding: the MySQL tables are utf8mb4_bin). Runs on both
 * engines; the restart reads every key back from the database.
 */
describe('keys in any script', () => {
  let server: TestApp;
  let api: Api;
  let ns: string;

  const CHINESE = 'app.名字';
  const CYRILLIC = 'сервис.ключ';
  const NFC = 'caf\u00e9'; // é precomposed
  const NFD = 'cafe\u0301'; // e + combining acute accent
  const HINDI = 'सेवा.नाम'; // vowel signs are marks (\p{M})
  const ASTRAL = `k.${'\u{20000}'.repeat(254)}`; // 256 characters, 510 UTF-16 units

  beforeAll(async () => {
    server = await startApp();
    api = server.api;
    ns = (await api.createNamespace()).name;
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  it('creates, reads, updates, lists and versions keys like app.名字 and сервис.ключ', async () => {
    for (const key of [CHINESE, CYRILLIC, HINDI]) {
      expect(ok(await api.createConfig(ns, key, { v: 1 }))).toMatchObject({ key, version: 1 });
      expect(ok(await api.updateConfig(ns, key, { v: 2 }))).toMatchObject({ key, version: 2 });
      expect(ok(await api.getConfig(ns, key))).toMatchObject({ key, value: { v: 2 }, version: 2 });
      expect(ok(await api.getConfig(ns, key, 1))).toMatchObject({ key, value: { v: 1 } });
      const history = ok(await api.get('/api/v1/admin/config/history', { namespace: ns, key }));
      expect(history.list.map((row: { operation: string }) => row.operation)).toEqual([
        'UPDATE',
        'CREATE',
      ]);
      const versions = ok(await api.get('/api/v1/config/versions', { namespace: ns, key }));
      expect(versions.list.map((row: { version: number }) => row.version)).toEqual([2, 1]);
    }
    const all = ok(await api.namespaceConfigs(ns)).configs;
    expect(all).toMatchObject({
      [CHINESE]: { v: 2 },
      [CYRILLIC]: { v: 2 },
      [HINDI]: { v: 2 },
    });
  });

  it('keeps NFC and NFD spellings, and upper and lower case, as different keys', async () => {
    ok(await api.createConfig(ns, NFC, 'nfc'));
    ok(await api.createConfig(ns, NFD, 'nfd'));
    ok(await api.createConfig(ns, 'Cafe', 'upper'));
    ok(await api.createConfig(ns, 'cafe', 'lower'));
    expect(ok(await api.getConfig(ns, NFC)).value).toBe('nfc');
    expect(ok(await api.getConfig(ns, NFD)).value).toBe('nfd');
    expect(ok(await api.getConfig(ns, 'Cafe')).value).toBe('upper');
    expect(ok(await api.getConfig(ns, 'cafe')).value).toBe('lower');
    fails(await api.createConfig(ns, NFD, 'again'), 40902);
  });

  it('counts the 256-character limit in characters, not UTF-16 units', async () => {
    expect([...ASTRAL]).toHaveLength(256);
    ok(await api.createConfig(ns, ASTRAL, 1));
    expect(ok(await api.getConfig(ns, ASTRAL)).key).toBe(ASTRAL);
    fails(await api.createConfig(ns, `${ASTRAL}x`, 1), 40002);
  });

  it('refuses whitespace, control and format characters, and a leading mark', async () => {
    for (const key of ['a\u00a0b', 'a\u3000b', 'a\u200bb', 'a\u202eb', 'a\u0000b', '\u0301a']) {
      fails(await api.createConfig(ns, key, 1), 40002);
    }
  });

  it('deletes, exports and imports such keys, and reads them back after a restart', async () => {
    ok(await api.deleteConfig(ns, CYRILLIC));
    fails(await api.getConfig(ns, CYRILLIC), 40403);
    const exported = ok(await api.get('/api/v1/admin/namespace/export', { namespace: ns }));
    const keys = exported.configs.map((config: { key: string }) => config.key);
    expect(keys).toEqual(expect.arrayContaining([CHINESE, HINDI, NFC, NFD, ASTRAL]));
    expect(keys).not.toContain(CYRILLIC);

    const target = (await api.createNamespace()).name;
    ok(await api.post('/api/v1/admin/namespace/import', { ...exported, namespace: target }));
    expect(ok(await api.getConfig(target, CHINESE)).value).toEqual({ v: 2 });
    expect(ok(await api.getConfig(target, NFD)).value).toBe('nfd');

    await server.close();
    server = await startApp();
    api = server.api;
    expect(ok(await api.getConfig(ns, CHINESE)).value).toEqual({ v: 2 });
    expect(ok(await api.getConfig(ns, NFC)).value).toBe('nfc');
    expect(ok(await api.getConfig(ns, NFD)).value).toBe('nfd');
    expect(ok(await api.getConfig(ns, ASTRAL)).key).toBe(ASTRAL);
    expect(ok(await api.getConfig(target, HINDI)).value).toEqual({ v: 2 });
    const history = ok(
      await api.get('/api/v1/admin/config/history', { namespace: ns, key: CYRILLIC }),
    );
    expect(history.list[0].operation).toBe('DELETE');
  });
});
