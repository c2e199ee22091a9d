import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { RequestContext } from '../http/request-context';
import { CleanupVersionsResource } from './version.resources';

/** Spec 3.6 "定时清理任务": runs the retention policy every VERSION_CLEANUP_INTERVAL_SECONDS. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cleanup: CleanupVersionsResource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.retention.cleanupIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<void> {
    try {
      const context: RequestContext = {
        requestId: randomUUID(),
        nodeId: this.config.nodeId,
        chain: [],
        operator: 'retention',
        onBehalfOf: null,
        mayUseNamespace: () => true,
      };
      const result = await this.cleanup.request({}, context);
      this.logger.log({ result }, 'version retention applied');
    } catch (error) {
      this.logger.warn({ err: error }, 'version retention failed; will retry at the next interval');
    }
  }
}
