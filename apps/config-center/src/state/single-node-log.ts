import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DatabaseError } from '@cc/common';
import { appendLogEntries } from '../database/raft-tables';
import { SqlTransactions } from '../database/sql-writer';
import { Applier, PendingApply } from './applier';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { AppliedBatch, CommandLog, withinProposalTimeout } from './command-log';
import { Command, CommandOutcome, encodeProposal } from './commands';

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
@Injectable()
export class SingleNodeCommandLog
  extends CommandLog
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('SingleNodeLog');
  private readonly queue: Pending[] = [];
  private flushing?: Promise<void>;
  private nextIndex = 1;

  constructor(
    private readonly transactions: SqlTransactions,
    private readonly applier: Applier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    const { appliedIndex, lastLogIndex } = await this.applier.load();
    this.nextIndex = Math.max(appliedIndex, lastLogIndex) + 1;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
    await this.transactions.close();
  }

  propose(command: Command): Promise<CommandOutcome> {
    let data: Buffer;
    try {
      data = encodeProposal(command);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const committed = new Promise<CommandOutcome>((resolve, reject) => {
      this.queue.push({ command, data, resolve, reject });
      this.flushing ??= new Promise<void>((started) => setImmediate(started)).then(() =>
        this.flush(),
      );
    });
    return withinProposalTimeout(committed, this.config.proposalTimeoutMs);
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.applier.onApplied(listener);
  }

  /** One voter: whatever was committed before the call is applied already. */
  readBarrier(): Promise<void> {
    return Promise.resolve();
  }

  /** A write is applied before it is answered: nothing to wait for. */
  untilApplied(): Promise<void> {
    return Promise.resolve();
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_ENTRIES_PER_COMMIT);
      try {
        const applied = await this.commit(batch);
        this.applier.publish(applied);
        this.nextIndex = applied.batch.appliedIndex + 1;
        applied.batch.commands.forEach((entry, i) => batch[i].resolve(entry.outcome));
      } catch (error) {
        this.logger.error({ err: error }, 'commit failed; nothing of the batch was written');
        const failure = new DatabaseError(`write not committed: ${(error as Error).message}`);
        for (const pending of batch) pending.reject(failure);
      }
    }
    this.flushing = undefined;
  }

  private commit(proposals: readonly Pending[]): Promise<PendingApply> {
    const firstIndex = this.nextIndex;
    const entries = proposals.map(({ command }, i) => ({ index: firstIndex + i, command }));
    return this.transactions.run(async (writer) => {
      await appendLogEntries(
        writer,
        proposals.map(({ data }, i) => ({
          index: firstIndex + i,
          term: SINGLE_NODE_TERM,
          type: 'normal',
          data,
        })),
      );
      return this.applier.apply(writer, entries, SINGLE_NODE_TERM);
    });
  }
}
