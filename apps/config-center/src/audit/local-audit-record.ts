import { ChangeOrigin } from '../state/commands';
import { AuditOutcome } from './audit-actions';

/**
 * One row of `audit_local`: what this node refused (denied), what failed here, or a membership
 * change it made. Plain data: it also crosses the IPC channel from a read worker.
 */
export interface LocalAuditRecord {
  at: number;
  action: string | null;
  outcome: AuditOutcome;
  code: number;
  httpStatus: number;
  namespace: string | null;
  configKey: string | null;
  origin: ChangeOrigin;
}

export interface LocalAuditLimits {
  /** Rows written in one statement batch, and the buffer size that triggers a flush. */
  flushRows: number;
  /** A flush at least this often while rows wait. */
  flushIntervalMs: number;
  /** Rows accepted per second; beyond it they are counted as dropped. */
  perSecond: number;
}

export const DEFAULT_LOCAL_AUDIT_LIMITS: LocalAuditLimits = {
  flushRows: 500,
  flushIntervalMs: 1000,
  perSecond: 500,
};
