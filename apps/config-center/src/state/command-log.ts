import { Command, CommandOutcome } from './commands';

export interface AppliedBatch {
  /** Index of the last entry applied. */
  appliedIndex: number;
  commands: Array<{ index: number; command: Command; outcome: CommandOutcome }>;
}

/**
 * The replicated log, as the write path sees it: propose a command, get the outcome apply
 * produced for it. The single-node log commits at once; the Raft log replaces it without
 * touching the state machine (DESIGN 2).
 */
export abstract class CommandLog {
  abstract propose(command: Command): Promise<CommandOutcome>;
  /** Called after every committed batch, once the view shows it (watchers, caches). */
  abstract onApplied(listener: (batch: AppliedBatch) => void): void;
}
