import { Inject, Injectable } from '@nestjs/common';
import { fromReplicatedFailure } from '@cc/common';
import { CallContext } from '@cc/resource';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { AppliedBatch, CommandLog } from './command-log';
import { CommandResult, resultOf } from './command-results';
import { Command, CommandOutcome } from './commands';
import { Consistency, ReadModel } from './read-model';
import { StateReader, StateView } from './state-view';

/**
 * The write path and the read view in one place: resources read `reader` and call `write`.
 * Which log carries the writes (one voter, or Raft) is the CommandLog provider's business.
 */
@Injectable()
export class StateService extends ReadModel {
  private readonly visibilityBarriers: Array<(index: number) => Promise<void>> = [];
  private readonly proposalChecks: Array<(command: Command) => void> = [];
  private stopping = false;
  private releaseVisibilityWaits: () => void = () => undefined;
  private readonly stopped = new Promise<void>(
    (resolve) => (this.releaseVisibilityWaits = resolve),
  );

  constructor(
    private readonly log: CommandLog,
    private readonly view: StateView,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  get reader(): StateReader {
    return this.view;
  }

  /** The applied view itself, for read workers that replicate it. */
  get appliedView(): StateView {
    return this.view;
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.log.onApplied(listener);
  }

  /** Something else that must show a write before it is acknowledged (read workers). */
  addVisibilityBarrier(barrier: (index: number) => Promise<void>): void {
    this.visibilityBarriers.push(barrier);
  }

  /**
   * A check every write passes before it is proposed (the `_system` schemas, settings/): it
   * throws the error the caller gets, and the command never reaches the log.
   */
  addProposalCheck(check: (command: Command) => void): void {
    this.proposalChecks.push(check);
  }

  /** Proposes and waits; returns the apply result or throws the replicated failure, typed. */
  async write<C extends Command>(
    command: C,
    context?: CallContext,
  ): Promise<{ value: CommandResult<C>; revision: number }> {
    for (const check of this.proposalChecks) check(command);
    const outcome = await this.propose(command, context);
    await this.untilVisible(outcome.revision);
    if (!outcome.ok) throw fromReplicatedFailure(outcome.error);
    return { value: resultOf(command, outcome), revision: outcome.revision };
  }

  /**
   * A planned stop (issue 16): from now on a write is answered once the log has its outcome,
   * without waiting for this node's own view, and the writes already waiting for it are let
   * go. A stopping node cuts its inbound Raft streams and closes its port, so it would not catch
   * up before its deadline; and every answer now closes its connection, so the client's next
   * read goes to another node anyway.
   */
  stopWaitingForVisibility(): void {
    this.stopping = true;
    this.releaseVisibilityWaits();
  }

  /** Proposes through the log (a follower forwards to its leader); the log bounds the wait. */
  propose(command: Command, context?: CallContext): Promise<CommandOutcome> {
    return this.log.propose(command, context);
  }

  /** Waits until this node has applied every write committed before the call (ReadIndex). */
  async readBarrier(consistency: Consistency | undefined): Promise<void> {
    if (consistency !== 'linearizable') return;
    await this.log.readBarrier(this.config.proposalTimeoutMs);
  }

  /**
   * Read-your-writes: a write forwarded to the leader is answered once this node's own view
   * (and its read workers') shows it. Bounded: a lagging replica delays, never fails, a write.
   */
  private async untilVisible(index: number): Promise<void> {
    if (this.stopping) return;
    const waits: Array<Promise<void>> = this.visibilityBarriers.map((barrier) => barrier(index));
    if (this.view.appliedIndex < index) waits.push(this.log.untilApplied(index));
    if (waits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(waits),
      this.stopped,
      new Promise((resolve) => (timer = setTimeout(resolve, this.config.proposalTimeoutMs))),
    ]);
    clearTimeout(timer);
  }
}
