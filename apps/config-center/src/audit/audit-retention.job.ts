import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlTime } from '../database/sql-dialect';
import { AuditLocalStore } from './audit-local.store';
import { AuditRetentionSource } from './audit-retention.source';

/** How often the audit retention runs. */
export const AUDIT_RETENTION_INTERVAL_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes audit rows past their retention on this node: audit_local (its own rows: by age,
 * then all but the newest max_denials_kept) and audit_event (each replica prunes its copy by the
 * same rule). config_history is version history too and is never deleted for the audit.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly local: AuditLocalStore,
    private readonly dataSource: DataSource,
    private readonly retention: AuditRetentionSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), AUDIT_RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async runOnce(now = Date.now()): Promise<{ local: number; events: number }> {
    const settings = this.retention.current();
    const cutoff = now - settings.retention_days * DAY_MS;
    try {
      const local = await this.local.prune(cutoff, settings.max_denials_kept);
      const q = this.dataSource.options.type === 'mysql' ? '`' : '"';
      const runner = this.dataSource.createQueryRunner();
      let events = 0;
      try {
        const result = await runner.query(
          `DELETE FROM ${q}audit_event${q} WHERE ${q}created_at${q} < ?`,
          [sqlTime(cutoff)],
          true,
        );
        events = result.affected ?? 0;
      } finally {
        await runner.release();
      }
      if (local + events > 0) this.logger.log({ local, events }, 'audit retention applied');
      return { local, events };
    } catch (error) {
      this.logger.warn({ err: error }, 'audit retention failed; will retry at the next interval');
      return { local: 0, events: 0 };
    }
  }
}
