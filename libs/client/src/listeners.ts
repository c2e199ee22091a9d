import { AppliedUpdate, ConfigChange } from './types';
import { ConfigCenterError } from './errors';

export type Unsubscribe = () => void;
export type ChangeListener = (change: ConfigChange) => void;
export type UpdateListener = (update: AppliedUpdate) => void;
export type ErrorListener = (error: ConfigCenterError) => void;

/**
 * The callbacks of a watcher: any change, per namespace, per key, one per applied update, and
 * errors. A callback that throws does not stop the others or the stream: its error is reported
 * to the error listeners (code 50001).
 */
export class Listeners {
  private readonly any = new Set<ChangeListener>();
  private readonly byNamespace = new Map<string, Set<ChangeListener>>();
  private readonly byKey = new Map<string, Set<ChangeListener>>();
  private readonly updates = new Set<UpdateListener>();
  private readonly errors = new Set<ErrorListener>();

  onChange(listener: ChangeListener): Unsubscribe {
    return addTo(this.any, listener);
  }

  onNamespace(namespace: string, listener: ChangeListener): Unsubscribe {
    return addTo(setIn(this.byNamespace, namespace), listener);
  }

  onKey(namespace: string, key: string, listener: ChangeListener): Unsubscribe {
    return addTo(setIn(this.byKey, keyId(namespace, key)), listener);
  }

  onUpdate(listener: UpdateListener): Unsubscribe {
    return addTo(this.updates, listener);
  }

  onError(listener: ErrorListener): Unsubscribe {
    return addTo(this.errors, listener);
  }

  emitUpdate(update: AppliedUpdate): void {
    for (const listener of [...this.updates]) this.safely(() => listener(update));
    for (const change of update.changes) {
      const targets = [
        ...this.any,
        ...(this.byNamespace.get(change.namespace) ?? []),
        ...(this.byKey.get(keyId(change.namespace, change.key)) ?? []),
      ];
      for (const listener of targets) this.safely(() => listener(change));
    }
  }

  emitError(error: ConfigCenterError): void {
    for (const listener of [...this.errors]) {
      try {
        listener(error);
      } catch {
        // An error listener that throws has nobody left to tell.
      }
    }
  }

  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.emitError(new ConfigCenterError(50001, `a change listener threw: ${message}`));
    }
  }
}

function keyId(namespace: string, key: string): string {
  return JSON.stringify([namespace, key]);
}

function setIn<T>(map: Map<string, Set<T>>, id: string): Set<T> {
  let set = map.get(id);
  if (!set) map.set(id, (set = new Set()));
  return set;
}

function addTo<T>(set: Set<T>, item: T): Unsubscribe {
  set.add(item);
  return () => void set.delete(item);
}
