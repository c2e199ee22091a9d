import { ConfigVersionRow } from '../database/entities';
import { ConfigRecord, NamespaceRecord } from '../state/records';

/** Which config a historical read is about: by name for the cache's keys, by id for the database. */
export interface VersionAt {
  namespace: string;
  key: string;
  configId: number;
  /** The namespace's revision when the read began: a list filled from it is refused once newer. */
  namespaceRevision: number;
  /** The node's applied index when the read began: a version read before a prune is not cached. */
  readIndex: number;
}

export function versionAt(
  readIndex: number,
  namespace: NamespaceRecord,
  config: ConfigRecord,
): VersionAt {
  return {
    namespace: namespace.name,
    key: config.key,
    configId: config.id,
    namespaceRevision: namespace.revision,
    readIndex,
  };
}

/** One historical version as a read answers it. */
export interface StoredVersion {
  value: unknown;
  version: number;
  revision: number;
  /** ISO 8601. */
  createdAt: string;
}

/** One row of a version-list page: what the API answers of each version. */
export type VersionListRow = Pick<
  ConfigVersionRow,
  'version' | 'value' | 'createdBy' | 'createdAt' | 'revision' | 'kept'
>;

/** A historical version of one config (the node's cache, or nothing on a read worker). */
export abstract class VersionLookup {
  abstract findVersion(at: VersionAt, version: number): Promise<StoredVersion | null>;
}

/** Historical reads of the version API: versions, pages of the version list (cache/ implements). */
export abstract class VersionReads extends VersionLookup {
  /** Stored bytes of each version's value on a page: to bound the answer before reading it. */
  abstract versionSizes(at: VersionAt, page: number, pageSize: number): Promise<number[]>;
  abstract listVersions(
    at: VersionAt,
    page: number,
    pageSize: number,
  ): Promise<[VersionListRow[], number]>;
}
