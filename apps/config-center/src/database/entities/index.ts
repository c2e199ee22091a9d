import { AccessTokenRow } from './access-token.entity';
import { AuditEventRow } from './audit-event.entity';
import { AuditLocalRow } from './audit-local.entity';
import { ConfigHistoryRow } from './config-history.entity';
import { ConfigVersionRow } from './config-version.entity';
import { ConfigRow } from './config.entity';
import { IdempotencyRow } from './idempotency.entity';
import { NamespaceRow } from './namespace.entity';
import { RaftLogRow } from './raft-log.entity';
import { RaftSnapshotRow } from './raft-snapshot.entity';
import { RaftStateRow } from './raft-state.entity';

export {
  AccessTokenRow,
  AuditEventRow,
  AuditLocalRow,
  ConfigHistoryRow,
  ConfigVersionRow,
  ConfigRow,
  IdempotencyRow,
  NamespaceRow,
  RaftLogRow,
  RaftSnapshotRow,
  RaftStateRow,
};
export type { HistoryOperation } from './config-history.entity';

export const ENTITIES = [
  NamespaceRow,
  ConfigRow,
  ConfigHistoryRow,
  ConfigVersionRow,
  RaftLogRow,
  RaftStateRow,
  IdempotencyRow,
  RaftSnapshotRow,
  AccessTokenRow,
  AuditEventRow,
  AuditLocalRow,
];
