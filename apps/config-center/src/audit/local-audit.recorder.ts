import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { AuditLocalStore } from './audit-local.store';
import { LocalAuditBuffer } from './local-audit-buffer';
import { LocalAuditLimits, LocalAuditRecord } from './local-audit-record';

export const AUDIT_DROPPED = 'config_center_audit_denials_dropped_total';
export const AUDIT_FLUSHES = 'config_center_audit_local_flushes_total';
export const LOCAL_AUDIT_LIMITS = Symbol('LOCAL_AUDIT_LIMITS');

export const auditMetricProviders = [
  makeCounterProvider({
    name: AUDIT_DROPPED,
    help: 'Denied or failed requests not recorded in the local audit (per-second cap, full buffer, failed write)',
  }),
  makeCounterProvider({
    name: AUDIT_FLUSHES,
    help: 'Batches of local audit rows written to audit_local',
  }),
];

/** This node's local audit (denials, failures, membership changes), written in batches. */
@Injectable()
export class LocalAuditRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly buffer: LocalAuditBuffer;
  private readonly droppedRows: Counter;

  constructor(
    store: AuditLocalStore,
    @InjectMetric(AUDIT_DROPPED) dropped: Counter,
    @InjectMetric(AUDIT_FLUSHES) flushes: Counter,
    @Inject(LOCAL_AUDIT_LIMITS) limits: LocalAuditLimits,
  ) {
    this.droppedRows = dropped;
    this.buffer = new LocalAuditBuffer(
      async (rows) => {
        try {
          await store.insert(rows);
        } catch (error) {
          this.logger.warn({ err: error, rows: rows.length }, 'local audit rows not written');
          throw error;
        }
      },
      { dropped: (count) => dropped.inc(count), flushed: () => flushes.inc() },
      limits,
    );
  }

  readonly record = (row: LocalAuditRecord): void => this.buffer.record(row);

  /** Rows a read worker could not pass on (its own cap). */
  countDropped(count: number): void {
    if (count > 0) this.droppedRows.inc(count);
  }

  /** Everything recorded so far is in the table once this resolves (before a query). */
  flush(): Promise<void> {
    return this.buffer.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.buffer.close();
  }
}
