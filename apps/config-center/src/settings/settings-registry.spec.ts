import { ErrorCode } from '@cc/common';
import { ConfigRecord, NamespaceRecord } from '../state/records';
import { StateView } from '../state/state-view';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { SettingsRegistry } from './settings-registry';
import { AUDIT_SETTING, AUTH_SETTING, AuditSettings } from './system-settings';

const system: NamespaceRecord = {
  id: 7,
  name: SYSTEM_NAMESPACE,
  description: null,
  status: 1,
  revision: 1,
  createdAt: 0,
  updatedAt: 0,
};

function auditRecord(value: unknown, version: number): ConfigRecord {
  return {
    id: 70 + version,
    namespaceId: system.id,
    key: 'audit',
    value,
    valueText: JSON.stringify(value),
    version,
    description: null,
    status: 1,
    createdBy: 'system',
    updatedBy: 'admin',
    revision: version + 1,
    createRevision: 2,
    deleted: false,
    createdAt: 0,
    updatedAt: 0,
  };
}

function registryOn(view: StateView): SettingsRegistry {
  const registry = new SettingsRegistry(view);
  registry.register('audit', AUDIT_SETTING);
  registry.register('auth', AUTH_SETTING);
  return registry;
}

describe('SettingsRegistry', () => {
  it('refuses a key registered twice and a default its own schema rejects', () => {
    const registry = registryOn(new StateView());
    expect(() => registry.register('audit', AUDIT_SETTING)).toThrow(/registered twice/);
    const other = new SettingsRegistry(new StateView());
    expect(() =>
      other.register('audit', {
        ...AUDIT_SETTING,
        default: { retention_days: 0, max_denials_kept: 1 },
      }),
    ).toThrow(
      /default of setting audit does not match its schema: audit\/retention_days must be >= 1/,
    );
  });

  it('refuses a schema ajv cannot compile in strict mode, at registration', () => {
    const registry = new SettingsRegistry(new StateView());
    expect(() =>
      registry.register('audit', { ...AUDIT_SETTING, schema: { type: 'object', retention: 1 } }),
    ).toThrow(/unknown keyword/);
  });

  it('lists its keys and answers the defaults while _system does not exist', () => {
    const registry = registryOn(new StateView());
    expect(registry.keys()).toEqual(['audit', 'auth']);
    expect(registry.isRegistered('audit')).toBe(true);
    expect(registry.isRegistered('nope')).toBe(false);
    expect(registry.get('audit')).toEqual(AUDIT_SETTING.default);
    expect(registry.get('auth')).toEqual({
      default_ttl_seconds: null,
      rotation_grace_seconds: 3600,
    });
    expect(registry.record('audit')).toBeUndefined();
  });

  it('checks values against the schema: 40002, the schema message, ajv errors as details', () => {
    const registry = registryOn(new StateView());
    expect(registry.check('audit', { retention_days: 30, max_denials_kept: 0 })).toBeUndefined();
    expect(
      registry.check('auth', { default_ttl_seconds: 3600, rotation_grace_seconds: 0 }),
    ).toBeUndefined();
    const refusal = registry.check('audit', { retention_days: 1.5, extra: true }, 'value')!;
    expect(refusal.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(refusal.message).toMatch(/^invalid value for setting _system\/audit: /);
    expect(refusal.message).toContain('value/retention_days must be integer');
    expect(refusal.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'value/retention_days', keyword: 'type' }),
        expect.objectContaining({ field: 'value', keyword: 'required' }),
        expect.objectContaining({ field: 'value', keyword: 'additionalProperties' }),
      ]),
    );
  });

  it('reads the applied value, and tells subscribers of commits and loads that change it', () => {
    const view = new StateView();
    const registry = registryOn(view);
    const heard: Array<[AuditSettings, AuditSettings]> = [];
    registry.onChange('audit', (value, previous) => heard.push([value, previous]));

    const first = { retention_days: 30, max_denials_kept: 5 };
    view.commit(
      {
        namespaces: new Map([[system.id, system]]),
        configs: new Map([['a', auditRecord(first, 2)]]),
        tokens: new Map(),
      },
      2,
    );
    expect(registry.get('audit')).toEqual(first);
    expect(registry.record('audit')?.version).toBe(2);

    // A commit elsewhere does not wake anyone.
    view.commit(
      {
        namespaces: new Map([[99, { ...system, id: 99, name: 'app' }]]),
        configs: new Map(),
        tokens: new Map(),
      },
      3,
    );
    // A load (restart, snapshot installed) that brings another value does.
    const second = { retention_days: 7, max_denials_kept: 5 };
    view.load(4, [system], [auditRecord(second, 3)]);
    expect(heard).toEqual([
      [first, AUDIT_SETTING.default],
      [second, first],
    ]);
  });

  it('reads a stored value this build no longer accepts as the default', () => {
    const view = new StateView();
    const registry = registryOn(view);
    view.load(2, [system], [auditRecord({ retention_days: 'forever' }, 2)]);
    expect(registry.get('audit')).toEqual(AUDIT_SETTING.default);
  });
});
