import { AuditEventRecord } from './audit-event';
import { CommandOutcome } from './commands';
import {
  ConfigRecord,
  HistoryRecord,
  NamespaceRecord,
  TokenRecord,
  VersionRecord,
} from './records';

/** Row-level effects of applying a command, executed inside the apply transaction. */
export type Mutation =
  | { kind: 'saveNamespace'; record: NamespaceRecord; isNew: boolean }
  | { kind: 'deleteNamespace'; id: number }
  | { kind: 'saveConfig'; record: ConfigRecord }
  | { kind: 'insertHistory'; record: HistoryRecord }
  | { kind: 'insertVersion'; record: VersionRecord }
  | { kind: 'setVersionKept'; configId: number; version: number; kept: boolean }
  | { kind: 'pruneVersions'; keepLatest: number; olderThan: number }
  | { kind: 'pruneIdempotency'; olderThan: number }
  | { kind: 'saveToken'; record: TokenRecord }
  | { kind: 'insertAuditEvent'; record: AuditEventRecord };

/** The identity of an idempotency record: the scope is '' for entries of before scoping. */
export interface IdempotencyRecordId {
  scope: string;
  key: string;
}

export interface RememberedOutcome {
  outcome: CommandOutcome;
  /** Null for records written before fingerprints. */
  fingerprint: string | null;
}

/**
 * The database side of one apply transaction (a port: the TypeORM adapter implements it, unit
 * tests use a fake). `execute` returns the number of rows each mutation touched.
 */
export abstract class StateTransaction {
  abstract execute(mutations: Mutation[]): Promise<number[]>;
  /** The outcome remembered under (scope, key) later than `newerThan` (ms), if any. */
  abstract findOutcome(
    record: IdempotencyRecordId,
    newerThan: number,
  ): Promise<RememberedOutcome | undefined>;
  /** Remembers (or, for an expired record, replaces) the outcome under (scope, key). */
  abstract rememberOutcome(
    record: IdempotencyRecordId,
    fingerprint: string | null,
    outcome: CommandOutcome,
    at: number,
  ): Promise<void>;
  /** Records the last applied index; the single-node log also records its commit index and term. */
  abstract setApplied(index: number, term?: number): Promise<void>;
}
