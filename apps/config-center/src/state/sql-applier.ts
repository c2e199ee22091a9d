import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlWriter } from '../database/sql-writer';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { Applier, CommittedEntry, PendingApply, StateSnapshotReader } from './applier';
import { AppliedBatch } from './command-log';
import { StateMachine } from './state-machine';
import { loadState } from './state-loader';
import { dumpState, openStateReader, restoreState } from './state-snapshot';
import { SqlStateTransaction } from './sql-state-transaction';
import { StateView, ViewOverlay } from './state-view';

/** The state machine on SQL tables and its in-memory view: what both command logs apply to. */
@Injectable()
export class SqlApplier extends Applier {
  private readonly stateMachine = new StateMachine();
  private readonly listeners: Array<(batch: AppliedBatch) => void> = [];
  private loaded?: Promise<{ appliedIndex: number; lastLogIndex: number }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly view: StateView,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  load(): Promise<{ appliedIndex: number; lastLogIndex: number }> {
    this.loaded ??= loadState(this.dataSource, this.config.nodeId).then((state) => {
      this.view.load(state.appliedIndex, state.namespaces, state.configs, state.tokens);
      return { appliedIndex: state.appliedIndex, lastLogIndex: state.lastLogIndex };
    });
    return this.loaded;
  }

  get appliedIndex(): number {
    return this.view.appliedIndex;
  }

  async apply(
    writer: SqlWriter,
    entries: readonly CommittedEntry[],
    term?: number,
  ): Promise<PendingApply> {
    const overlay = new ViewOverlay(this.view);
    const tx = new SqlStateTransaction(writer, this.config.nodeId);
    const commands: AppliedBatch['commands'] = [];
    for (const { index, command } of entries) {
      if (!command) continue;
      commands.push({
        index,
        command,
        outcome: await this.stateMachine.apply(command, index, overlay, tx),
      });
    }
    const appliedIndex = entries[entries.length - 1].index;
    await tx.setApplied(appliedIndex, term);
    return {
      batch: { appliedIndex, commands },
      show: () => this.view.commit(overlay.changes, appliedIndex),
    };
  }

  publish(pending: PendingApply): void {
    pending.show();
    if (pending.batch.commands.length === 0) return;
    for (const listener of this.listeners) listener(pending.batch);
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.listeners.push(listener);
  }

  async restore(writer: SqlWriter, data: Uint8Array, index: number): Promise<void> {
    await restoreState(this.dataSource, writer, data);
    await new SqlStateTransaction(writer, this.config.nodeId).setApplied(index);
  }

  async reload(index: number): Promise<void> {
    const state = await loadState(this.dataSource, this.config.nodeId);
    this.view.load(index, state.namespaces, state.configs, state.tokens);
  }

  openSnapshotReader(): Promise<StateSnapshotReader | undefined> {
    return openStateReader(this.dataSource);
  }

  dump(): Promise<Uint8Array> {
    return dumpState(this.dataSource.manager);
  }
}
