import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationFailed } from '@cc/common';
import { ConfigRecord } from '../state/records';
import { StateView, ViewEvent } from '../state/state-view';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { SettingDefinition, SettingKey, SystemSettings } from './system-settings';

interface Registered<K extends SettingKey> extends SettingDefinition<K> {
  key: K;
  validate: ValidateFunction<SystemSettings[K]>;
}

/** The applied record of a key and the value `get` answers for it, checked once per record. */
interface Seen {
  record: ConfigRecord | undefined;
  value: unknown;
}

type Listener<K extends SettingKey> = (
  value: SystemSettings[K],
  previous: SystemSettings[K],
) => void;

/**
 * The typed settings of `_system` (DESIGN 15). A module registers the keys it owns (a schema,
 * compiled once; a default; a description), reads them with `get(key)` and hears of a change
 * with `onChange`. Values come from the applied view, so a change committed anywhere in the
 * cluster is what the next request sees on every node, with no restart; the view's loads
 * (a restart, a snapshot installed) are changes too.
 */
export class SettingsRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  private readonly definitions = new Map<SettingKey, Registered<SettingKey>>();
  private readonly seen = new Map<SettingKey, Seen>();
  private readonly listeners = new Map<SettingKey, Array<Listener<SettingKey>>>();

  constructor(private readonly view: StateView) {
    view.onChange((event) => this.notify(event));
  }

  /** One call per key, at start (before the bootstrap proposes the defaults). */
  register<K extends SettingKey>(key: K, definition: SettingDefinition<K>): void {
    if (this.definitions.has(key)) throw new Error(`setting ${key} is registered twice`);
    const validate = this.ajv.compile<SystemSettings[K]>(definition.schema);
    if (!validate(definition.default)) {
      throw new Error(
        `the default of setting ${key} does not match its schema: ${this.ajv.errorsText(validate.errors, { dataVar: key })}`,
      );
    }
    const problems = definition.verify?.(definition.default) ?? [];
    if (problems.length > 0)
      throw new Error(
        `the default of setting ${key} is refused: ${problems.map((p) => `${key}${p.field} ${p.error}`).join('; ')}`,
      );
    this.definitions.set(key, { ...definition, key, validate } as Registered<SettingKey>);
  }

  keys(): SettingKey[] {
    return [...this.definitions.keys()].sort();
  }

  isRegistered(key: string): key is SettingKey {
    return this.definitions.has(key as SettingKey);
  }

  definition<K extends SettingKey>(key: K): SettingDefinition<K> {
    return this.registered(key);
  }

  /** The 40002 a value of `key` that does not match its schema gets; undefined when it does. */
  check(key: SettingKey, value: unknown, field: string = key): ValidationFailed | undefined {
    const { validate, verify } = this.registered(key);
    if (validate(value)) {
      const problems = verify?.(value) ?? [];
      if (problems.length === 0) return undefined;
      return new ValidationFailed(
        problems.map((problem) => ({ field: `${field}${problem.field}`, errors: [problem.error] })),
        `invalid value for setting ${SYSTEM_NAMESPACE}/${key}: ${problems.map((p) => `${field}${p.field} ${p.error}`).join('; ')}`,
      );
    }
    const errors = validate.errors ?? [];
    return new ValidationFailed(
      errors.map((error) => detailOf(error, field)),
      `invalid value for setting ${SYSTEM_NAMESPACE}/${key}: ${this.ajv.errorsText(errors, { dataVar: field })}`,
    );
  }

  /** The applied value of `key`; its default while `_system` does not hold a valid one. */
  get<K extends SettingKey>(key: K): SystemSettings[K] {
    return this.current(key).value as SystemSettings[K];
  }

  /** The applied row of `key` (undefined before the bootstrap wrote it). */
  record(key: SettingKey): ConfigRecord | undefined {
    return this.current(key).record;
  }

  /** Called after a change of `key` is applied on this node; returns the unsubscribe. */
  onChange<K extends SettingKey>(key: K, listener: Listener<K>): () => void {
    this.registered(key);
    this.current(key);
    const list = this.listeners.get(key) ?? [];
    list.push(listener as Listener<SettingKey>);
    this.listeners.set(key, list);
    return () => list.splice(list.indexOf(listener as Listener<SettingKey>), 1);
  }

  private registered<K extends SettingKey>(key: K): Registered<K> {
    const definition = this.definitions.get(key);
    if (!definition) throw new Error(`setting ${key} is not registered`);
    return definition as unknown as Registered<K>;
  }

  private appliedRecord(key: SettingKey): ConfigRecord | undefined {
    const namespace = this.view.namespaceByName(SYSTEM_NAMESPACE);
    const record = namespace && this.view.config(namespace.id, key);
    return record && !record.deleted ? record : undefined;
  }

  private current(key: SettingKey): Seen {
    const record = this.appliedRecord(key);
    const seen = this.seen.get(key);
    if (seen && seen.record === record) return seen;
    const definition = this.registered(key);
    // A value written under an older schema that this build's no longer accepts reads as the default.
    const valid =
      record !== undefined &&
      definition.validate(record.value) &&
      (definition.verify?.(record.value) ?? []).length === 0;
    const value = valid ? record.value : definition.default;
    const next = { record, value };
    this.seen.set(key, next);
    return next;
  }

  private notify(event: ViewEvent): void {
    if (this.listeners.size === 0) return;
    if (event.kind === 'commit') {
      const system = this.view.namespaceByName(SYSTEM_NAMESPACE);
      // Every config write also touches its namespace: nothing else to look at otherwise.
      if (!system || !event.changes.namespaces.has(system.id)) return;
    }
    for (const [key, listeners] of this.listeners) {
      const before = this.seen.get(key);
      const after = this.current(key);
      if (before && before.value === after.value) continue;
      for (const listener of [...listeners]) listener(after.value as never, before?.value as never);
    }
  }
}

function detailOf(error: ErrorObject, field: string) {
  return {
    field: `${field}${error.instancePath}`,
    errors: [error.message ?? error.keyword],
    keyword: error.keyword,
    params: error.params,
  };
}
