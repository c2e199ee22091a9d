import type { RaftConfig } from '../../../src/config';
import { InvalidArgumentError } from '../../../src/errors';
import { MemoryStorage } from '../../../src/memory-storage';
import { RaftNode } from '../../../src/raft-node';
import type { Entry, Message, NodeId, ReadState, Snapshot } from '../../../src/types';
import { KvStateMachine } from './kv-state-machine';

/** Everything of RaftConfig except what the host supplies (identity and persisted state). */
export type NodeOptions = Omit<RaftConfig, 'id' | 'storage' | 'applied'>;

/** What one processed Ready produced, for the host to route and for the invariant checks. */
export interface ReadyOutcome {
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly persistedEntries: readonly Entry[];
  readonly installedSnapshot: Snapshot | undefined;
  readonly appliedEntries: readonly Entry[];
}

/**
 * A simulated server: durable parts (storage and the applied state machine) outlive crashes,
 * the RaftNode does not. Processes each Ready atomically and in the order its contract states.
 */
export class SimNode {
  readonly storage = new MemoryStorage();
  readonly stateMachine = new KvStateMachine();
  raft: RaftNode | undefined;

  constructor(
    readonly id: NodeId,
    private readonly options: () => NodeOptions,
    /** Compact the log once this many applied entries sit in it; Infinity disables. */
    private readonly compactionThreshold = Infinity,
  ) {}

  get alive(): boolean {
    return this.raft !== undefined;
  }

  start(): RaftNode {
    this.raft = new RaftNode({
      ...this.options(),
      id: this.id,
      storage: this.storage,
      applied: this.stateMachine.lastApplied,
    });
    return this.raft;
  }

  /** Loses all volatile state: whatever was not persisted through a Ready is gone. */
  crash(): void {
    this.raft = undefined;
  }

  requireRaft(): RaftNode {
    if (!this.raft) throw new InvalidArgumentError(`node ${this.id} is down`);
    return this.raft;
  }

  processReady(): ReadyOutcome | undefined {
    const raft = this.raft;
    if (!raft || !raft.hasReady()) return undefined;
    const ready = raft.ready();
    this.storage.persist(ready);
    if (ready.snapshot) this.stateMachine.restore(ready.snapshot.data);
    for (const entry of ready.committedEntries) this.stateMachine.apply(entry);
    raft.advance(ready);
    this.maybeCompact(raft);
    return {
      messages: ready.messages,
      readStates: ready.readStates,
      persistedEntries: ready.entries,
      installedSnapshot: ready.snapshot,
      appliedEntries: ready.committedEntries,
    };
  }

  private maybeCompact(raft: RaftNode): void {
    const applied = this.stateMachine.lastApplied;
    if (applied - this.storage.firstIndex() + 1 < this.compactionThreshold) return;
    this.storage.compact(raft.compact(applied, this.stateMachine.snapshot()));
  }
}
