import {
  AppliedUpdate,
  ConfigChange,
  JsonValue,
  SnapshotConfig,
  WatchEvent,
  WatchSnapshot,
} from './types';

interface Held {
  version: number;
  value: JsonValue;
}

/**
 * What a watcher holds: the configs of the watched namespaces and the revision they are at.
 * Pure logic, no I/O. The revision makes delivery exactly-once: an event at or below it was
 * already applied (a failover may replay it) and is dropped; a snapshot replaces everything and
 * reports only what really differs.
 */
export class WatchState {
  private readonly configs = new Map<string, Map<string, Held>>();
  private currentRevision: number | undefined;

  /** The revision applied last; undefined before the first snapshot. */
  get revision(): number | undefined {
    return this.currentRevision;
  }

  get(namespace: string, key: string): Held | undefined {
    return this.configs.get(namespace)?.get(key);
  }

  namespace(namespace: string): Map<string, Held> {
    return new Map(this.configs.get(namespace) ?? []);
  }

  entries(): SnapshotConfig[] {
    const all: SnapshotConfig[] = [];
    for (const [namespace, keys] of this.configs) {
      for (const [key, held] of keys) all.push({ namespace, key, ...held });
    }
    return all;
  }

  /** Applies an event; undefined when it is not newer than what is held (a replay). */
  applyEvent(event: WatchEvent): AppliedUpdate | undefined {
    if (this.currentRevision !== undefined && event.revision <= this.currentRevision) {
      return undefined;
    }
    const changes: ConfigChange[] = [];
    for (const change of event.changes) {
      const keys = this.keysOf(change.namespace);
      const previous = keys.get(change.key);
      if (change.op === 'delete') keys.delete(change.key);
      else keys.set(change.key, { version: change.version, value: change.value });
      changes.push({
        ...change,
        value: change.op === 'delete' ? null : change.value,
        previousValue: previous?.value,
        revision: event.revision,
        source: 'event',
      });
    }
    this.currentRevision = event.revision;
    return { revision: event.revision, source: 'event', changes };
  }

  /** Replaces everything with the snapshot; the changes are the difference. */
  applySnapshot(snapshot: WatchSnapshot, source: 'snapshot' | 'disk'): AppliedUpdate {
    const next = new Map<string, Map<string, Held>>();
    for (const config of snapshot.configs) {
      let keys = next.get(config.namespace);
      if (!keys) next.set(config.namespace, (keys = new Map()));
      keys.set(config.key, { version: config.version, value: config.value });
    }
    const changes: ConfigChange[] = [];
    const base = { revision: snapshot.revision, source };
    for (const [namespace, keys] of this.configs) {
      for (const [key, held] of keys) {
        if (next.get(namespace)?.has(key)) continue;
        changes.push({
          ...base,
          namespace,
          key,
          op: 'delete',
          version: held.version,
          value: null,
          previousValue: held.value,
        });
      }
    }
    for (const [namespace, keys] of next) {
      for (const [key, held] of keys) {
        const previous = this.configs.get(namespace)?.get(key);
        if (previous && previous.version === held.version) continue;
        changes.push({
          ...base,
          namespace,
          key,
          op: previous ? 'update' : 'create',
          version: held.version,
          value: held.value,
          previousValue: previous?.value,
        });
      }
    }
    this.configs.clear();
    for (const [namespace, keys] of next) this.configs.set(namespace, keys);
    this.currentRevision = snapshot.revision;
    return { revision: snapshot.revision, source, changes };
  }

  private keysOf(namespace: string): Map<string, Held> {
    let keys = this.configs.get(namespace);
    if (!keys) this.configs.set(namespace, (keys = new Map()));
    return keys;
  }
}
