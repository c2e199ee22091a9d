import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { SqlTransactions } from '../database/sql-writer';
import { ComponentHealth, HealthRegistry } from './health-registry';

/** Probes while the database is up; more often while it is away, so writes resume quickly. */
export const PROBE_INTERVAL_MS = { up: 2_000, down: 500 };
const PROBE_TIMEOUT_MS = 2_000;

/**
 * The `database` health component (DESIGN 23): a `SELECT 1` on the connection writes use, in
 * turn with them, on an interval; health reports the last result. The probe is also what marks
 * the write path up again after an outage. An unreachable database makes the node `degraded`,
 * not `unhealthy`: reads are served from memory meanwhile.
 */
@Injectable()
export class WritePathHealth implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DatabaseHealth');
  private last: ComponentHealth = { status: 'healthy' };
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly registry: HealthRegistry,
    private readonly transactions: SqlTransactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.registry.register({
      name: 'database',
      critical: true,
      // A connection lost between probes shows at once, without waiting for the next one.
      check: () =>
        Promise.resolve(
          this.transactions.writePath.available || this.last.status !== 'healthy'
            ? this.last
            : this.unreachable('the write connection was lost'),
        ),
    });
    await this.probe();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async probe(): Promise<void> {
    const { writePath } = this.transactions;
    const wasAvailable = writePath.available;
    try {
      const latency = await this.transactions.probe(PROBE_TIMEOUT_MS);
      this.last = {
        status: 'healthy',
        latency_ms: Math.round(latency * 100) / 100,
        engine: this.config.database.engine,
        writable: true,
      };
      if (!wasAvailable) this.logger.log('the database is reachable again; writes resume');
    } catch (error) {
      this.last = this.unreachable((error as Error).message);
      if (wasAvailable)
        this.logger.warn(
          `the database cannot be reached (${(error as Error).message}): writes answer 50301, reads go on`,
        );
    }
    if (this.stopped) return;
    const next = writePath.available ? PROBE_INTERVAL_MS.up : PROBE_INTERVAL_MS.down;
    this.timer = setTimeout(() => void this.probe(), next).unref();
  }

  private unreachable(error: string): ComponentHealth {
    const { writePath } = this.transactions;
    return {
      status: 'degraded',
      engine: this.config.database.engine,
      writable: false,
      error: writePath.outage?.error ?? error,
      down_since: new Date(writePath.outage?.since ?? Date.now()).toISOString(),
      retry_after_seconds: Math.max(1, writePath.retryAfterSeconds()),
    };
  }
}
