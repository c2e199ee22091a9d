import { Forbidden, NamespaceDisabled, NamespaceNotFound } from '@cc/common';
import { RESERVED_NAMESPACE_PREFIX } from '../common/validation';
import { NamespaceRecord } from '../state/records';
import { StateReader } from '../state/state-view';

/*
 * The namespace rules other folders apply: config/ and version/ read and write inside a
 * namespace and import this file, so namespace/ imports nothing from config/ or version/.
 */

/** A namespace that exists and is enabled: what every read and write of its configs needs. */
export function enabledNamespace(reader: StateReader, name: string): NamespaceRecord {
  const namespace = reader.namespaceByName(name);
  if (!namespace) throw new NamespaceNotFound(name);
  if (namespace.status !== 1) throw new NamespaceDisabled(name);
  return namespace;
}

/** Names starting with `_` belong to the system (DESIGN 15); the public API cannot create them. */
export function assertNotReserved(name: string): void {
  if (name.startsWith(RESERVED_NAMESPACE_PREFIX)) {
    throw new Forbidden({
      namespace: name,
      reason: `namespace names starting with "${RESERVED_NAMESPACE_PREFIX}" are reserved`,
    });
  }
}
