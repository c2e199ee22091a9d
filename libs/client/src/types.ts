/** The shapes the config center answers (README "API"), as the client hands them out. */

/** Any JSON value a config can hold. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One config as GET /api/v1/config/get answers it. */
export interface ConfigItem<T = JsonValue> {
  namespace: string;
  key: string;
  value: T;
  version: number;
  /** Raft index of the change that produced this version. */
  revision: number;
  updatedAt: string;
}

export interface BatchGetResult {
  namespace: string;
  configs: ConfigItem[];
  /** Keys that do not exist (or are deleted). */
  missing: string[];
  /** The namespace revision the answer was read at. */
  revision: number;
}

export interface NamespaceConfigs {
  namespace: string;
  /** key -> value of every live config. */
  configs: Record<string, JsonValue>;
  /** key -> version. */
  versions: Record<string, number>;
  revision: number;
  updatedAt: string;
}

export type ChangeOp = 'create' | 'update' | 'delete';

/** One change of a watch event (WATCH-API: value is null on delete). */
export interface WireChange {
  namespace: string;
  key: string;
  op: ChangeOp;
  version: number;
  value: JsonValue;
}

/** One committed log entry that changed watched configs; a batch is one event. */
export interface WatchEvent {
  revision: number;
  changes: WireChange[];
}

export interface SnapshotConfig {
  namespace: string;
  key: string;
  version: number;
  value: JsonValue;
}

/** The full state of the watched namespaces at a revision; replaces what the client holds. */
export interface WatchSnapshot {
  revision: number;
  configs: SnapshotConfig[];
}

/**
 * What a change callback receives. `source` says how the client learnt it: a server event, a
 * server snapshot (the difference between what it held and the snapshot) or the on-disk
 * snapshot loaded at start.
 */
export interface ConfigChange {
  namespace: string;
  key: string;
  op: ChangeOp;
  version: number;
  /** The new value; null on delete. */
  value: JsonValue;
  /** The value before, undefined when the key was absent. */
  previousValue: JsonValue | undefined;
  revision: number;
  source: 'event' | 'snapshot' | 'disk';
}

/** A batch of changes applied together at one revision (one event or one snapshot). */
export interface AppliedUpdate {
  revision: number;
  source: ConfigChange['source'];
  changes: ConfigChange[];
}
