import { AppError, ErrorCode } from '@cc/common';
import { ReadState } from '@cc/raft';
import { CommandOutcome } from '../../state/commands';

/** A proposal whose log slot went to another leader's entry: it was NOT applied; retrying is safe. */
export class ProposalDropped extends AppError {
  constructor(index: number) {
    super(
      ErrorCode.RAFT_FAILED,
      `the write was not committed: leadership changed before entry ${index} committed; retry it`,
      { outcome: 'not_applied' },
    );
  }
}

interface ProposalWaiter {
  term: number;
  proposedAt: number;
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: Error) => void;
}

interface ReadWaiter {
  resolve: (index: number) => void;
  reject: (error: Error) => void;
}

const NO_READS: ReadonlySet<string> = new Set();
/** Node ids never hold NUL: this one stands for whichever leader comes next. */
const ANY_LEADER = '\u0000any';

/**
 * Who waits for what in the Raft log: proposals for their entry's outcome, ReadIndex requests
 * for their read state, callers for an applied index or for a leader. The Ready loop settles
 * them; nothing here touches the core or the storage.
 */
export class WaiterRegistry {
  private readonly proposals = new Map<number, ProposalWaiter>();
  private readonly reads = new Map<string, ReadWaiter>();
  private applied: Array<{ index: number; resolve: () => void }> = [];
  private leaders: Array<{ id: string; resolve: () => void }> = [];
  /** Proposals a leader change dropped (answered 50003 not_applied). */
  dropped = 0;

  constructor(private readonly now: () => number) {}

  /** Waits for the outcome of the entry proposed at `index` in `term`. */
  proposal(index: number, term: number): Promise<CommandOutcome> {
    // A re-elected leader may reuse an index its truncated log gave out before: that one lost.
    const lost = this.proposals.get(index);
    if (lost) this.drop(lost, index);
    return new Promise((resolve, reject) =>
      this.proposals.set(index, { term, proposedAt: this.now(), resolve, reject }),
    );
  }

  /**
   * Answers the proposals of applied entries: with the outcome apply gave, when the entry is the
   * one proposed (same term); dropped when another leader's entry took the slot.
   */
  settleProposals(
    entries: ReadonlyArray<{ index: number; term: number }>,
    outcomes: ReadonlyMap<number, CommandOutcome>,
    committed?: (milliseconds: number) => void,
  ): void {
    for (const entry of entries) {
      const waiter = this.proposals.get(entry.index);
      if (!waiter) continue;
      this.proposals.delete(entry.index);
      const outcome = outcomes.get(entry.index);
      if (waiter.term === entry.term && outcome) {
        committed?.(this.now() - waiter.proposedAt);
        waiter.resolve(outcome);
      } else this.drop(waiter, entry.index);
    }
  }

  /** A snapshot replaced the state through `index`: those proposals' outcomes are unknowable. */
  failProposalsThrough(index: number, error: Error): void {
    for (const [waiting, waiter] of this.proposals) {
      if (waiting > index) continue;
      this.proposals.delete(waiting);
      waiter.reject(error);
    }
  }

  read(context: string): Promise<number> {
    return new Promise((resolve, reject) => this.reads.set(context, { resolve, reject }));
  }

  cancelRead(context: string): void {
    this.reads.delete(context);
  }

  /** The reads asked so far (a leader change may lose them). */
  readsAsked(): ReadonlySet<string> {
    return this.reads.size === 0 ? NO_READS : new Set(this.reads.keys());
  }

  resolveReads(states: readonly ReadState[]): void {
    for (const state of states) {
      const waiter = this.reads.get(state.requestContext);
      this.reads.delete(state.requestContext);
      waiter?.resolve(state.index);
    }
  }

  failReads(contexts: ReadonlySet<string>, error: () => Error): void {
    for (const context of contexts) {
      const waiter = this.reads.get(context);
      if (!waiter) continue;
      this.reads.delete(context);
      waiter.reject(error());
    }
  }

  untilApplied(index: number, appliedNow: number): Promise<void> {
    if (appliedNow >= index) return Promise.resolve();
    return new Promise((resolve) => this.applied.push({ index, resolve }));
  }

  releaseApplied(appliedIndex: number): void {
    const ready = this.applied.filter((waiter) => waiter.index <= appliedIndex);
    if (ready.length === 0) return;
    this.applied = this.applied.filter((waiter) => waiter.index > appliedIndex);
    for (const waiter of ready) waiter.resolve();
  }

  /** True once `id` leads (or `leaderNow` is it), false after `timeoutMs`. */
  untilLeader(id: string, leaderNow: string | undefined, timeoutMs: number): Promise<boolean> {
    if (leaderNow === id) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.leaders = this.leaders.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs);
      this.leaders.push(waiter);
    });
  }

  /** True once any leader is known (an election or a handover ended), false after `timeoutMs`. */
  untilAnyLeader(leaderNow: string | undefined, timeoutMs: number): Promise<boolean> {
    if (leaderNow !== undefined) return Promise.resolve(true);
    return this.untilLeader(ANY_LEADER, leaderNow, timeoutMs);
  }

  leaderChanged(id: string): void {
    const waiting = this.leaders.filter((waiter) => waiter.id === id || waiter.id === ANY_LEADER);
    this.leaders = this.leaders.filter((waiter) => waiter.id !== id && waiter.id !== ANY_LEADER);
    for (const waiter of waiting) waiter.resolve();
  }

  /** The log stopped for good (storage failure): every proposal and read is answered now. */
  failAll(error: Error): void {
    this.failProposalsThrough(Number.POSITIVE_INFINITY, error);
    this.failReads(this.readsAsked(), () => error);
  }

  private drop(waiter: ProposalWaiter, index: number): void {
    this.dropped += 1;
    waiter.reject(new ProposalDropped(index));
  }
}
