import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { isActiveToken } from '../state/apply/token-commands';
import { CommandLog } from '../state/command-log';
import { StateService } from '../state/state.service';
import { ENVIRONMENT_ADMIN } from './token-authenticator';
import { hashTokenSecret, newTokenSecret } from './token-secret';

const RETRY_MS = 1000;

/**
 * DESIGN 21 bootstrap: without ADMIN_TOKEN, the single node, or a cluster's first leader,
 * creates an admin token and writes its secret to `$DATA_DIR/admin-token` (0600). The command
 * creates it only if no admin token is active yet, so leaders racing after an election create
 * one between them; the node whose command won writes the file.
 */
@Injectable()
export class AdminTokenBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AdminToken');
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly state: StateService,
    private readonly log: CommandLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where the generated secret is written. */
  get file(): string {
    return resolve(join(this.config.dataDir, 'admin-token'));
  }

  onApplicationBootstrap(): void {
    if (this.config.adminToken) return;
    this.schedule(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), delayMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.hasActiveAdmin()) return;
    if (!this.mayPropose()) return this.schedule(RETRY_MS);
    const secret = newTokenSecret();
    const secretHash = hashTokenSecret(secret);
    try {
      const { value } = await this.state.write({
        type: 'CreateToken',
        clientId: ENVIRONMENT_ADMIN,
        role: 'admin',
        namespaces: '*',
        secretHash,
        expiresAt: null,
        bootstrap: true,
        at: Date.now(),
        operator: 'bootstrap',
      });
      if (!value.created || this.state.reader.tokenById(value.id)?.secretHash !== secretHash)
        return;
      await mkdir(this.config.dataDir, { recursive: true });
      await writeFile(this.file, `${secret}\n`, { mode: 0o600 });
      // An older file keeps its mode on overwrite: make it the owner's only.
      await chmod(this.file, 0o600);
      this.logger.warn(
        { file: this.file, token_id: value.id },
        `no ADMIN_TOKEN set: generated an admin token and wrote it to ${this.file} (mode 0600)`,
      );
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'admin token not bootstrapped yet; retrying');
      this.schedule(RETRY_MS);
    }
  }

  private hasActiveAdmin(): boolean {
    const now = Date.now();
    return this.state.reader
      .tokens()
      .some((token) => token.role === 'admin' && isActiveToken(token, now));
  }

  /** The single node, or the leader: a follower leaves it to the leader. */
  private mayPropose(): boolean {
    return this.log.leads();
  }
}
