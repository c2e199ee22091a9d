import {
  DEFAULT_LOCAL_AUDIT_LIMITS,
  LocalAuditLimits,
  LocalAuditRecord,
} from './local-audit-record';

/** Where flushed rows go (the audit_local table; a fake in unit tests). */
export type LocalAuditSink = (rows: LocalAuditRecord[]) => Promise<void>;

export interface LocalAuditCounters {
  /** Rows refused by the per-second cap, a full buffer, or a failed flush. */
  dropped(count: number): void;
  flushed(rows: number): void;
}

/**
 * Denied and failed requests are written in batches, not one fsync each (DESIGN 17): rows wait
 * in memory and are flushed every `flushIntervalMs` or once `flushRows` wait. A flood is capped
 * twice: at most `perSecond` rows are accepted per second, and at most two batches wait while
 * a flush is under way; whatever passes a cap is counted and dropped, so memory stays bounded
 * and a flood of bad requests is at most one flush a second plus one per `flushRows` accepted.
 */
export class LocalAuditBuffer {
  private rows: LocalAuditRecord[] = [];
  private second = -1;
  private acceptedThisSecond = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: LocalAuditSink,
    private readonly counters: LocalAuditCounters,
    private readonly limits: LocalAuditLimits = DEFAULT_LOCAL_AUDIT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get waiting(): number {
    return this.rows.length;
  }

  record(row: LocalAuditRecord): void {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.acceptedThisSecond = 0;
    }
    if (
      this.acceptedThisSecond >= this.limits.perSecond ||
      this.rows.length >= 2 * this.limits.flushRows
    ) {
      this.counters.dropped(1);
      return;
    }
    this.acceptedThisSecond++;
    this.rows.push(row);
    if (this.rows.length >= this.limits.flushRows) void this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => void this.flush(), this.limits.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes what waits (after any flush under way); never throws. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.rows.length === 0) return;
    const batch = this.rows.slice(0, this.limits.flushRows);
    this.rows = this.rows.slice(batch.length);
    this.flushing = this.sink(batch).then(
      () => this.counters.flushed(batch.length),
      () => this.counters.dropped(batch.length),
    );
    await this.flushing;
    this.flushing = null;
    if (this.rows.length > 0 && this.timer === null) {
      this.timer = setTimeout(() => void this.flush(), this.limits.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Stops the timer and writes everything that waits (shutdown). */
  async close(): Promise<void> {
    while (this.rows.length > 0 || this.flushing) await this.flush();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
