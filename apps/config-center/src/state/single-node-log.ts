import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError, DatabaseError } from '@cc/common';
import { appendLogEntries, readLastApplied } from '../database/raft-tables';
import { SqlTransactions } from '../database/sql-writer';
import { CommitInDoubt } from '../database/write-path';
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

/** A batch whose COMMIT was sent when the connection went: committed or not, we find out. */
interface InDoubt {
  batch: Pending[];
  applied: PendingApply;
}

const MAX_ENTRIES_PER_COMMIT = 256;
const SINGLE_NODE_TERM = 1;

/**
 * A log of one voter: an entry is committed as soon as it is durable. Proposals that arrive
 * while a commit is in flight are group-committed: their log rows, their apply and
 * `last_applied` go into ONE transaction (one fsync), so a crash keeps all of them or none.
 *
 * While the database is away, proposals fail at once with 50301 (nothing was sent). A batch
 * whose COMMIT was on the wire when the connection went is settled once the database is back,
 * from `last_applied`: published and answered if it committed, answered 50301 if it did not
 * (its callers see 50003 only if that takes longer than the proposal timeout).
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
  private inDoubt?: InDoubt;

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
    this.transactions.writePath.onRecovered(() => this.wake());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
    await this.transactions.close();
  }

  propose(command: Command): Promise<CommandOutcome> {
    const { writePath } = this.transactions;
    if (!writePath.available) return Promise.reject(writePath.unavailable());
    let data: Buffer;
    try {
      data = encodeProposal(command);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const committed = new Promise<CommandOutcome>((resolve, reject) => {
      this.queue.push({ command, data, resolve, reject });
      this.wake();
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

  private wake(): void {
    this.flushing ??= new Promise<void>((started) => setImmediate(started)).then(() =>
      this.flush(),
    );
  }

  private async flush(): Promise<void> {
    if (this.inDoubt) await this.settleInDoubt().catch(() => undefined);
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_ENTRIES_PER_COMMIT);
      if (this.inDoubt) {
        // Its index is not known to be free: nothing commits after it until it is settled.
        const away = this.transactions.writePath.unavailable();
        for (const pending of batch) pending.reject(away);
        continue;
      }
      let applied: PendingApply | undefined;
      try {
        applied = await this.commit(batch, (pending) => (applied = pending));
        this.accept(batch, applied);
      } catch (error) {
        if (error instanceof CommitInDoubt && applied) {
          this.logger.warn({ err: error.lost }, 'connection lost during COMMIT; settled when back');
          this.inDoubt = { batch, applied };
          continue;
        }
        this.logger.error({ err: error }, 'commit failed; nothing of the batch was written');
        const failure =
          error instanceof AppError
            ? error
            : new DatabaseError(`write not committed: ${(error as Error).message}`);
        for (const pending of batch) pending.reject(failure);
      }
    }
    this.flushing = undefined;
  }

  private accept(batch: readonly Pending[], applied: PendingApply): void {
    this.applier.publish(applied);
    this.nextIndex = applied.batch.appliedIndex + 1;
    applied.batch.commands.forEach((entry, i) => batch[i].resolve(entry.outcome));
  }

  /** Committed or not, from `last_applied`: the batch's last index is there only if it did. */
  private async settleInDoubt(): Promise<void> {
    const doubt = this.inDoubt;
    if (!doubt) return;
    const applied = await this.transactions.run((writer) =>
      readLastApplied(writer, this.config.nodeId),
    );
    this.inDoubt = undefined;
    if (applied >= doubt.applied.batch.appliedIndex) {
      this.logger.log(`the batch in doubt through ${doubt.applied.batch.appliedIndex} committed`);
      this.accept(doubt.batch, doubt.applied);
      return;
    }
    const notApplied = this.transactions.writePath.unavailable();
    for (const pending of doubt.batch) pending.reject(notApplied);
  }

  private commit(
    proposals: readonly Pending[],
    prepared: (applied: PendingApply) => void,
  ): Promise<PendingApply> {
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
      const applied = await this.applier.apply(writer, entries, SINGLE_NODE_TERM);
      prepared(applied);
      return applied;
    });
  }
}
