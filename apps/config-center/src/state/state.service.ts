import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, ErrorCodeValue, OutcomeUnknown } from '@cc/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { AppliedBatch, CommandLog } from './command-log';
import { Command, CommandOutcome } from './commands';
import { SingleNodeCommandLog } from './single-node-log';
import { loadState } from './state-loader';
import { StateMachine } from './state-machine';
import { StateReader, StateView } from './state-view';

/**
 * The write path and the read view in one place: resources read `reader` and call `write`.
 * `write` proposes a command and turns a replicated failure into the typed AppError.
 */
@Injectable()
export class StateService implements OnModuleInit {
  private readonly view = new StateView();
  private readonly stateMachine = new StateMachine();
  private log!: CommandLog;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const loaded = await loadState(this.dataSource, this.config.nodeId);
    this.view.load(loaded.appliedIndex, loaded.namespaces, loaded.configs);
    this.log = new SingleNodeCommandLog(
      this.dataSource,
      this.stateMachine,
      this.view,
      this.config.nodeId,
      Math.max(loaded.appliedIndex, loaded.lastLogIndex),
    );
  }

  get reader(): StateReader {
    return this.view;
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.log.onApplied(listener);
  }

  /** Proposes and waits; returns the apply result or throws the replicated failure. */
  async write<T>(command: Command): Promise<{ value: T; revision: number }> {
    const outcome = await this.proposeWithTimeout(command);
    if (!outcome.ok) {
      throw new AppError(
        outcome.error.code as ErrorCodeValue,
        outcome.error.message,
        outcome.error.details,
      );
    }
    return { value: outcome.value as T, revision: outcome.revision };
  }

  private proposeWithTimeout(command: Command): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new OutcomeUnknown()), this.config.proposalTimeoutMs);
      this.log.propose(command).then(
        (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
