import { Api, Json, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { SettingsRegistry } from '../../apps/config-center/src/settings/settings-registry';
import {
  AUDIT_SETTING,
  AUTH_SETTING,
  AuditSettings,
} from '../../apps/config-center/src/settings/system-settings';
import { StateService } from '../../apps/config-center/src/state/state.service';

const ADMIN_TOKEN = 'system-settings-admin-token';
const SYSTEM = '_system';

/**
 * `_system`, the typed settings service (DESIGN 15), through the real HTTP stack: created with
 * its defaults at the first start, every value checked by its key's schema before it is
 * proposed, changes seen by the next request and kept across a restart, and the namespace
 * protected from deletion, disabling, and imports aimed elsewhere.
 */
describe('_system settings', () => {
  let server: TestApp | undefined;
  let api: Api;

  const start = async () => {
    server = await startApp({ ADMIN_TOKEN });
    api = server.api.with({ authorization: `Bearer ${ADMIN_TOKEN}` });
  };
  const setting = async (key: string): Promise<Json> =>
    (ok(await api.get('/api/v1/admin/settings')).list as Json[]).find((s) => s.key === key);
  const systemNamespace = async (): Promise<Json> =>
    (ok(await api.get('/api/v1/admin/namespace/list', { name: SYSTEM })).list as Json[]).find(
      (n) => n.name === SYSTEM,
    );

  beforeAll(start);
  afterAll(async () => {
    // The suite's database may be shared with later suites: leave the defaults behind.
    if (server) {
      for (const [key, definition] of [
        ['audit', AUDIT_SETTING],
        ['auth', AUTH_SETTING],
      ] as const)
        ok(await api.updateConfig(SYSTEM, key, definition.default));
      await server.close();
    }
    removeSuiteDatabase();
  });

  it('exists from the first start with every registered key written at its default', async () => {
    for (const [key, definition] of [
      ['audit', AUDIT_SETTING],
      ['auth', AUTH_SETTING],
    ] as const) {
      ok(await api.getConfig(SYSTEM, key));
      // The suite's database may be shared with suites that changed it since: the first
      // version, written by the bootstrap, holds the default.
      const history = ok(
        await api.get('/api/v1/admin/config/history', { namespace: SYSTEM, key, page_size: 500 }),
      );
      expect(history.list.at(-1)).toMatchObject({
        version: 1,
        operation: 'CREATE',
        operator: 'system',
        new_value: definition.default,
      });
    }
    expect((await systemNamespace()).status).toBe(1);

    const audit = ok(await api.getConfig(SYSTEM, 'audit'));
    const view = ok(await api.get('/api/v1/admin/settings'));
    expect(view.namespace).toBe(SYSTEM);
    expect(view.list.map((s: Json) => s.key)).toEqual([
      'audit',
      'auth',
      'cache_routes',
      'cache_warmup',
    ]);
    expect(view.list[0]).toMatchObject({
      key: 'audit',
      schema: AUDIT_SETTING.schema,
      default: AUDIT_SETTING.default,
      value: audit.value,
      version: audit.version,
      revision: audit.revision,
      description: AUDIT_SETTING.description,
    });
  });

  it('refuses a value its schema rejects with 40002 and the schema message, and applies nothing', async () => {
    const before = await systemNamespace();
    const body = fails(
      await api.updateConfig(SYSTEM, 'audit', { retention_days: 0, max_denials_kept: 10 }),
      40002,
    );
    expect(body.message).toBe(
      'invalid value for setting _system/audit: value/retention_days must be >= 1',
    );
    expect(body.error.details).toEqual([
      expect.objectContaining({ field: 'value/retention_days', keyword: 'minimum' }),
    ]);
    fails(await api.updateConfig(SYSTEM, 'auth', { default_ttl_seconds: 'soon' }), 40002);
    fails(await api.updateConfig(SYSTEM, 'audit', 'ninety days'), 40002);
    // Every path that writes a value: batch, import, rollback to a value the schema refuses.
    const batch = fails(
      await api.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'upsert', namespace: uniqueName('other'), key: 'k', value: 1 },
          { op: 'update', namespace: SYSTEM, key: 'audit', value: { retention_days: -1 } },
        ],
      }),
      40002,
    );
    expect(batch.error.details[0].field).toMatch(/^operations\.1\.value/);
    fails(
      await api.post('/api/v1/admin/namespace/import', {
        namespace: SYSTEM,
        configs: [{ key: 'auth', value: { rotation_grace_seconds: 1 } }],
      }),
      40002,
    );
    // Unknown keys are refused too (40002: the body names a setting that does not exist).
    const unknown = fails(await api.createConfig(SYSTEM, 'no_such_setting', 1), 40002);
    expect(unknown.message).toBe('_system has no setting no_such_setting');

    expect((await systemNamespace()).revision).toBe(before.revision);
  });

  it('applies a good value on the next request, to the HTTP API and to the typed get/onChange', async () => {
    const registry = server!.app.get(SettingsRegistry);
    const heard: AuditSettings[] = [];
    const unsubscribe = registry.onChange('audit', (value) => heard.push(value));
    const value = { retention_days: 30, max_denials_kept: 5000 };
    const written = ok(await api.updateConfig(SYSTEM, 'audit', value));
    unsubscribe();

    expect(ok(await api.getConfig(SYSTEM, 'audit'))).toMatchObject({
      value,
      version: written.version,
    });
    expect(await setting('audit')).toMatchObject({ value, version: written.version });
    expect(registry.get('audit')).toEqual(value);
    expect(heard).toEqual([value]);
  });

  it('keeps the value across a restart (the bootstrap adds only what is missing)', async () => {
    const before = ok(await api.getConfig(SYSTEM, 'audit'));
    const namespace = await systemNamespace();
    await server!.close();
    server = undefined;
    await start();
    expect(ok(await api.getConfig(SYSTEM, 'audit'))).toMatchObject({
      value: before.value,
      version: before.version,
    });
    expect((await systemNamespace()).revision).toBe(namespace.revision);
    expect(server!.app.get(SettingsRegistry).get('audit')).toEqual(before.value);
  });

  it('cannot be deleted or disabled, nor can its keys be deleted (edge and apply)', async () => {
    const namespace = await systemNamespace();
    fails(await api.delete(`/api/v1/admin/namespace/${namespace.id}`), 40301);
    fails(await api.put(`/api/v1/admin/namespace/${namespace.id}`, { status: 0 }), 40301);
    fails(await api.deleteConfig(SYSTEM, 'audit'), 40301);
    fails(
      await api.post('/api/v1/admin/namespace/import', {
        namespace: SYSTEM,
        mode: 'replace',
        configs: [{ key: 'auth', value: AUTH_SETTING.default }],
      }),
      40301,
    );
    // However a command arrives (a forwarded proposal skips this node's edge), apply refuses it.
    const state = server!.app.get(StateService);
    const meta = { at: Date.now(), operator: 'test' };
    for (const command of [
      { ...meta, type: 'DeleteNamespace' as const, id: namespace.id },
      { ...meta, type: 'UpdateNamespace' as const, id: namespace.id, status: 0 },
      {
        ...meta,
        type: 'WriteConfig' as const,
        operation: { op: 'delete' as const, namespace: SYSTEM, key: 'audit' },
      },
    ]) {
      const outcome = await state.propose(command);
      expect(outcome).toMatchObject({ ok: false, error: { code: 40301 } });
    }
    expect((await systemNamespace()).status).toBe(1);
    ok(await api.getConfig(SYSTEM, 'audit'));
  });

  it('is exported by name, imported back, and never touched by an import elsewhere', async () => {
    const exported = ok(await api.get('/api/v1/admin/namespace/export', { namespace: SYSTEM }));
    expect(exported.configs.map((c: Json) => c.key)).toEqual([
      'audit',
      'auth',
      'cache_routes',
      'cache_warmup',
    ]);
    const before = await systemNamespace();

    const other = uniqueName('import-elsewhere');
    ok(
      await api.post('/api/v1/admin/namespace/import', {
        namespace: other,
        configs: exported.configs.map((c: Json) => ({ key: c.key, value: c.value })),
      }),
    );
    expect(ok(await api.getConfig(other, 'audit')).value).toEqual(
      exported.configs.find((c: Json) => c.key === 'audit').value,
    );
    expect((await systemNamespace()).revision).toBe(before.revision);

    // The round trip: the export imported into `_system` itself passes every schema.
    const changed = { retention_days: 7, max_denials_kept: 10 };
    ok(await api.updateConfig(SYSTEM, 'audit', changed));
    ok(
      await api.post('/api/v1/admin/namespace/import', {
        namespace: SYSTEM,
        configs: exported.configs.map((c: Json) => ({ key: c.key, value: c.value })),
      }),
    );
    for (const config of exported.configs as Json[])
      expect(ok(await api.getConfig(SYSTEM, config.key)).value).toEqual(config.value);
  });
});
