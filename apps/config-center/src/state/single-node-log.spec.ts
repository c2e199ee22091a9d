import { ErrorCode } from '@cc/common';
import { RecordingApplier } from '../../../../test/support/raft/memory-ports';
import { SqlDialect } from '../database/sql-dialect';
import { SqlTransactions, SqlWriter } from '../database/sql-writer';
import { CommitInDoubt, DatabaseUnreachable, WritePathState } from '../database/write-path';
import { AppConfig } from '../env/app-config';
import { Command } from './commands';
import { SingleNodeCommandLog } from './single-node-log';

const create = (name: string): Command => ({
  type: 'CreateNamespace',
  name,
  description: null,
  at: 1,
  operator: 'test',
});

/**
 * The write connection as a script: each transaction runs the log's work on a writer that
 * stores nothing, then does what the test says (commit, or lose the connection during COMMIT);
 * `last_applied` is what the database would answer once it is back.
 */
class ScriptedTransactions {
  readonly writePath = new WritePathState();
  lastApplied = 0;
  loseNextCommit = false;
  transactions = 0;
  private readonly writer: SqlWriter = {
    dialect: new SqlDialect('mysql'),
    write: () => Promise.resolve(),
    run: () => Promise.resolve(0),
    select: <T>() => Promise.resolve([{ last_applied: this.lastApplied }] as T[]),
  };

  async run<T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> {
    if (!this.writePath.available) throw this.writePath.unavailable();
    this.transactions += 1;
    const result = await work(this.writer);
    if (this.loseNextCommit) {
      this.loseNextCommit = false;
      const lost = new Error('Connection lost: The server closed the connection.');
      this.writePath.markDown(lost);
      throw new CommitInDoubt(lost);
    }
    return result;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function singleNode() {
  const transactions = new ScriptedTransactions();
  const applier = new RecordingApplier();
  const log = new SingleNodeCommandLog(transactions as unknown as SqlTransactions, applier, {
    nodeId: 'node-1',
    proposalTimeoutMs: 5_000,
  } as AppConfig);
  await log.onModuleInit();
  return { log, transactions, applier };
}

describe('SingleNodeCommandLog through a database outage', () => {
  it('refuses a write at once with 50301 while the database is away, sending nothing', async () => {
    const { log, transactions } = await singleNode();
    transactions.writePath.markDown(new Error('connect ECONNREFUSED'));
    const refusal = await log.propose(create('a')).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DatabaseUnreachable);
    expect((refusal as DatabaseUnreachable).code).toBe(ErrorCode.UNAVAILABLE);
    expect((refusal as DatabaseUnreachable).retryAfterSeconds).toBe(1);
    expect(transactions.transactions).toBe(0);
  });

  it('answers a write whose COMMIT was lost once the database shows it committed', async () => {
    const { log, transactions, applier } = await singleNode();
    transactions.loseNextCommit = true;
    const outcome = log.propose(create('in-doubt'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(applier.applied).toEqual([]);

    transactions.lastApplied = 1;
    transactions.writePath.markUp();
    await expect(outcome).resolves.toMatchObject({ ok: true, value: 'in-doubt' });
    expect(applier.applied).toEqual(['in-doubt']);
    // The next write takes the next index.
    await expect(log.propose(create('next'))).resolves.toMatchObject({ revision: 2 });
  });

  it('answers 50301 (not applied) when the database shows the COMMIT did not happen', async () => {
    const { log, transactions, applier } = await singleNode();
    transactions.loseNextCommit = true;
    const outcome = log.propose(create('lost')).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    transactions.writePath.markUp();
    const error = await outcome;
    expect(error).toBeInstanceOf(DatabaseUnreachable);
    expect(applier.applied).toEqual([]);
    await expect(log.propose(create('again'))).resolves.toMatchObject({ revision: 1 });
  });
});
