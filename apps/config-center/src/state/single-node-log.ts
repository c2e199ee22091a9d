import { Logger } from '@nestjs/common';
import { DatabaseError } from '@cc/common';
import { appendLogEntries } from '../database/raft-tables';
import { SqlTransactions } from '../database/sql-writer';
import { AppliedBatch, CommandLog } from './command-log';
import { Command, CommandOutcome, encodeProposal } from './commands';
import { StateMachine } from './state-machine';
import { StateView, ViewOverlay } from './state-view';
import { SqlStateTransaction } from './sql-state-transaction';

interface Pending {
  command: Command;
  /** Encoded (and size-checked) when proposed. */
  data: Buffer;
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: Error) => void;
}

const MAX_ENTRIES_PER_COMMIT = 256;
const SINGLE_NODE_TERM = 1;
/**
 * A log of one voter: an entry is committed as soon as it is durable. Proposals that arrive
 * while a commit is in flight are group-committed: their log rows, their apply and
 * `last_applied` go into ONE transaction (one fsync), so a crash keeps all of them or none.
 */
export class SingleNodeCommandLog extends CommandLog {
  private readonly logger = new Logger('SingleNodeLog');
  private readonly queue: Pending[] = [];
  private readonly listeners: Array<(batch: AppliedBatch) => void> = [];
  private flushing = false;
  private nextIndex: number;

  constructor(
    private readonly transactions: SqlTransactions,
    private readonly stateMachine: StateMachine,
    private readonly view: StateView,
    private readonly nodeId: string,
    lastIndex: number,
  ) {
    super();
    this.nextIndex = lastIndex + 1;
  }

  propose(command: Command): Promise<CommandOutcome> {
    let data: Buffer;
    try {
      data = encodeProposal(command);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, data, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.listeners.push(listener);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_ENTRIES_PER_COMMIT);
      try {
        const applied = await this.commit(batch);
        this.view.commit(applied.changes, applied.batch.appliedIndex);
        this.nextIndex = applied.batch.appliedIndex + 1;
        applied.batch.commands.forEach((entry, i) => batch[i].resolve(entry.outcome));
        for (const listener of this.listeners) listener(applied.batch);
      } catch (error) {
        this.logger.error({ err: error }, 'commit failed; nothing of the batch was written');
        const failure = new DatabaseError(`write not committed: ${(error as Error).message}`);
        for (const pending of batch) pending.reject(failure);
      }
    }
    this.flushing = false;
  }

  private async commit(proposals: readonly Pending[]) {
    const firstIndex = this.nextIndex;
    const overlay = new ViewOverlay(this.view);
    const entries: AppliedBatch['commands'] = [];
    await this.transactions.run(async (writer) => {
      const tx = new SqlStateTransaction(writer, this.nodeId);
      await appendLogEntries(
        writer,
        proposals.map(({ data }, i) => ({
          index: firstIndex + i,
          term: SINGLE_NODE_TERM,
          type: 'normal',
          data,
        })),
      );
      for (const [i, { command }] of proposals.entries()) {
        const index = firstIndex + i;
        const outcome = await this.stateMachine.apply(command, index, overlay, tx);
        entries.push({ index, command, outcome });
      }
      await tx.setApplied(firstIndex + proposals.length - 1, SINGLE_NODE_TERM);
    });
    return {
      changes: overlay.changes,
      batch: { appliedIndex: firstIndex + proposals.length - 1, commands: entries },
    };
  }
}
