import { InvalidArgumentError } from './errors';
import type { ConfChange, Entry, NodeId } from './types';

/** Payload of a `conf` entry: the change and the full voter set it produces. */
export interface ConfChangeRecord {
  readonly change: ConfChange;
  readonly voters: readonly NodeId[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(record: ConfChangeRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function decodeConfChange(entry: Entry): ConfChangeRecord {
  if (entry.type !== 'conf') throw new InvalidArgumentError(`entry ${entry.index} is not conf`);
  const parsed = JSON.parse(decoder.decode(entry.data)) as ConfChangeRecord;
  return { change: parsed.change, voters: [...parsed.voters] };
}

interface Configuration {
  /** Log index of the entry that introduced it (the snapshot index for the base). */
  readonly index: number;
  readonly voters: readonly NodeId[];
}

/**
 * Configurations present in the log. A server uses the latest configuration in its log whether
 * or not it is committed (thesis §4.1), so removing uncommitted entries may revert it: we keep
 * every configuration after the last snapshot to be able to do that.
 */
export class Membership {
  private history: Configuration[];

  constructor(baseIndex: number, baseVoters: readonly NodeId[]) {
    this.history = [{ index: baseIndex, voters: [...baseVoters] }];
  }

  voters(): readonly NodeId[] {
    return this.history[this.history.length - 1].voters;
  }

  isVoter(id: NodeId): boolean {
    return this.voters().includes(id);
  }

  /** Index of the entry that introduced the current configuration. */
  currentConfigIndex(): number {
    return this.history[this.history.length - 1].index;
  }

  votersAt(index: number): readonly NodeId[] {
    let found = this.history[0];
    for (const configuration of this.history) {
      if (configuration.index <= index) found = configuration;
    }
    return found.voters;
  }

  /**
   * Log entries from `entries[0].index` on were (re)written: forget configurations of replaced
   * entries and adopt the new ones. Returns true if the current configuration changed.
   */
  onAppend(entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false;
    const before = this.voters();
    const first = entries[0].index;
    this.history = this.history.filter(
      (configuration, position) => position === 0 || configuration.index < first,
    );
    for (const entry of entries) {
      if (entry.type === 'conf') {
        this.history.push({ index: entry.index, voters: decodeConfChange(entry).voters });
      }
    }
    return !sameVoters(before, this.voters());
  }

  /** The log was replaced by a snapshot. */
  reset(baseIndex: number, voters: readonly NodeId[]): void {
    this.history = [{ index: baseIndex, voters: [...voters] }];
  }

  /** Entries up to `index` were compacted: only the configuration in force there matters. */
  compactTo(index: number): void {
    const base = { index, voters: this.votersAt(index) };
    this.history = [base, ...this.history.filter((configuration) => configuration.index > index)];
  }
}

function sameVoters(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
