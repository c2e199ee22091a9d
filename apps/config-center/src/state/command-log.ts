import { OutcomeUnknown } from '@cc/common';
import { CallContext } from '@cc/resource';
import { Command, CommandOutcome } from './commands';

export interface AppliedBatch {
  /** Index of the last entry applied. */
  appliedIndex: number;
  commands: Array<{ index: number; command: Command; outcome: CommandOutcome }>;
}

/**
 * The replicated log, as the write path sees it (DESIGN 2): propose a command, get the outcome
 * apply produced for it. Two providers: the single-node log, which commits on fsync, and the
 * Raft log (raft/), which a follower forwards to its leader. `state/` knows only this port.
 */
export abstract class CommandLog {
  /** Proposes `command` and resolves with its replicated outcome (a refusal is an outcome). */
  abstract propose(command: Command, context?: CallContext): Promise<CommandOutcome>;
  /** Called after every committed batch, once the view shows it (watchers, caches). */
  abstract onApplied(listener: (batch: AppliedBatch) => void): void;
  /** ReadIndex: resolves once this node applied every write committed before the call. */
  abstract readBarrier(timeoutMs: number): Promise<void>;
  /** Resolves once this node has applied `index` (a write forwarded from here, read back here). */
  abstract untilApplied(index: number): Promise<void>;
  /**
   * True when a proposal made here is appended here: the single voter always, a Raft node while
   * it leads. Work that only one node should propose (the `_system` bootstrap) asks this.
   */
  leads(): boolean {
    return true;
  }
}

/**
 * A proposal answered within `timeoutMs`, else 50003 "outcome unknown": the entry may still
 * commit after the answer (a slow disk, a paused leader), so the client retries with its key.
 */
export function withinProposalTimeout(
  proposal: Promise<CommandOutcome>,
  timeoutMs: number,
): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new OutcomeUnknown()), timeoutMs);
    proposal.then(
      (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
