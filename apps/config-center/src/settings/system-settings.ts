import type { AnySchemaObject } from 'ajv';
import type { CacheRoutesSettings } from './cache-routes-setting';

/**
 * The keys of `_system` and the type of each value (DESIGN 15). A module that owns a setting
 * adds its key here (or by declaration merging from its own folder) and registers it once with
 * `SettingsRegistry.register`; `get(key)` is then typed by this map.
 */
export interface SystemSettings {
  audit: AuditSettings;
  auth: AuthSettings;
  cache_routes: CacheRoutesSettings;
  cache_warmup: CacheWarmupSettings;
}

/** `_system/cache_warmup`: what a node puts in the cache after it starts (cache/, issue 14). */
export interface CacheWarmupSettings {
  /** Namespaces whose keys are written to Redis first (by the node that fills: the leader). */
  namespaces: string[];
  /** Then this many of the keys read most in the last day (their version lists, their TTLs). */
  hot_keys: number;
  /** The warm-up stops after this long, done or not; readiness never waits for it. */
  max_seconds: number;
}

export type SettingKey = keyof SystemSettings & string;

/** What registering a key takes: its schema (compiled once), its default and what it is for. */
export interface SettingDefinition<K extends SettingKey> {
  /** A JSON Schema (draft-07, ajv strict mode) that every value of the key must match. */
  schema: AnySchemaObject;
  /** Written at bootstrap; what `get` answers before `_system` exists. Must match the schema. */
  default: SystemSettings[K];
  description: string;
  /**
   * Checks a schema cannot say (a name that must exist elsewhere in the value, duplicates by a
   * field): run after the schema passed; each problem is a 40002 detail (`field` is a JSON
   * pointer into the value, '' for the whole value).
   */
  verify?: (value: SystemSettings[K]) => SettingProblem[];
}

export interface SettingProblem {
  field: string;
  error: string;
}

/** `_system/audit`: how long the audit trail is kept (spec 3.3.1; issue 13 item 3). */
export interface AuditSettings {
  /** Audit rows (changes and denials) older than this many days are removed. */
  retention_days: number;
  /** At most this many denied-request rows are kept per node (a flood of bad requests). */
  max_denials_kept: number;
}

/** `_system/auth`: defaults of the tokens issued through the admin API (DESIGN 21). */
export interface AuthSettings {
  /** Lifetime of a token created without `expires_at`; null: it does not expire. */
  default_ttl_seconds: number | null;
  /** How long the old secret of a rotated token stays valid. */
  rotation_grace_seconds: number;
}

export const AUDIT_SETTING: SettingDefinition<'audit'> = {
  description:
    'audit trail retention: rows older than retention_days are removed; each node keeps at most max_denials_kept denied requests',
  default: { retention_days: 90, max_denials_kept: 100_000 },
  schema: {
    type: 'object',
    properties: {
      retention_days: { type: 'integer', minimum: 1, maximum: 3650 },
      max_denials_kept: { type: 'integer', minimum: 0, maximum: 10_000_000 },
    },
    required: ['retention_days', 'max_denials_kept'],
    additionalProperties: false,
  },
};

export const AUTH_SETTING: SettingDefinition<'auth'> = {
  description:
    'token defaults: default_ttl_seconds for a token created without expires_at (null: no expiry); rotation_grace_seconds the old secret of a rotated token stays valid',
  default: { default_ttl_seconds: null, rotation_grace_seconds: 3600 },
  schema: {
    type: 'object',
    properties: {
      default_ttl_seconds: { type: ['integer', 'null'], minimum: 60, maximum: 10 * 365 * 86_400 },
      rotation_grace_seconds: { type: 'integer', minimum: 0, maximum: 30 * 86_400 },
    },
    required: ['default_ttl_seconds', 'rotation_grace_seconds'],
    additionalProperties: false,
  },
};
