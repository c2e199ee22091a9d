import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandLog } from '../state/command-log';
import { BootstrapSystem } from '../state/commands';
import { StateService } from '../state/state.service';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';
import { SettingsRegistry } from './settings-registry';
import { SettingKey } from './system-settings';

const WATCH_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * Creates `_system` with every registered key at its default (DESIGN 15), in one log entry.
 * Proposed by the node that leads the log (the single node at start, a cluster's leader once
 * it leads), only while something is missing: followers never propose it, and a later build
 * that registers one more key adds it at the next start. A failed proposal is retried with
 * backoff; the node serves meanwhile (settings read as their defaults until then).
 */
@Injectable()
export class SystemBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SystemSettings');
  private timer?: NodeJS.Timeout;
  private backoffMs = WATCH_MS;
  private stopped = false;

  constructor(
    private readonly registry: SettingsRegistry,
    private readonly state: StateService,
    private readonly log: CommandLog,
  ) {}

  /** After every module registered its keys; the single node is done before it listens. */
  async onApplicationBootstrap(): Promise<void> {
    await this.attempt();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The registered keys `_system` does not hold yet (all of them when it does not exist). */
  missingKeys(): SettingKey[] {
    const reader = this.state.reader;
    const namespace = reader.namespaceByName(SYSTEM_NAMESPACE);
    return this.registry.keys().filter((key) => {
      const record = namespace && reader.config(namespace.id, key);
      return !record || record.deleted;
    });
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const missing = this.missingKeys();
    if (missing.length === 0) return;
    if (this.log.leads()) {
      try {
        await this.state.write(this.command(missing));
        this.backoffMs = WATCH_MS;
        this.logger.log(
          `${SYSTEM_NAMESPACE} settings written at their defaults: ${missing.join(', ')}`,
        );
      } catch (error) {
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
        this.logger.warn(
          `${SYSTEM_NAMESPACE} bootstrap failed, retrying in ${this.backoffMs} ms: ${(error as Error).message}`,
        );
      }
    }
    // A follower watches too: it proposes if it becomes the leader before anyone wrote them.
    if (this.stopped || this.missingKeys().length === 0) return;
    this.timer = setTimeout(() => void this.attempt(), this.backoffMs);
    this.timer.unref();
  }

  private command(keys: SettingKey[]): BootstrapSystem {
    return {
      type: 'BootstrapSystem',
      at: Date.now(),
      operator: 'system',
      settings: keys.map((key) => {
        const definition = this.registry.definition(key);
        return {
          key,
          valueText: JSON.stringify(definition.default),
          description: definition.description,
        };
      }),
    };
  }
}
