import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { HealthRegistry } from './health-registry';

const PROBE_TIMEOUT_MS = 2000;

/** The database component: a `SELECT 1` round trip, with its latency. */
@Injectable()
export class DatabaseHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'database',
      critical: true,
      check: async () => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            this.dataSource.query('SELECT 1'),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)),
                PROBE_TIMEOUT_MS,
              );
            }),
          ]);
          return {
            status: 'healthy',
            latency_ms: Math.round((performance.now() - started) * 100) / 100,
            engine: this.config.database.engine,
          };
        } catch (error) {
          return {
            status: 'unhealthy',
            engine: this.config.database.engine,
            error: (error as Error).message,
          };
        } finally {
          clearTimeout(timer);
        }
      },
    });
  }
}
