import { Message, Ready, Snapshot } from '@cc/raft';
import { SqlWriter } from '../../../apps/config-center/src/database/sql-writer';
import { PeerAddress } from '../../../apps/config-center/src/env/app-config';
import { ReadyLoop, ReadyLoopSettings } from '../../../apps/config-center/src/raft/log/ready-loop';
import {
  RaftLogStore,
  TransactionRunner,
} from '../../../apps/config-center/src/raft/storage/raft-log-store';
import {
  PeerStatus,
  RaftTransport,
} from '../../../apps/config-center/src/raft/transport/raft-transport';
import {
  Applier,
  CommittedEntry,
  PendingApply,
  StateSnapshotReader,
} from '../../../apps/config-center/src/state/applier';
import { AppliedBatch } from '../../../apps/config-center/src/state/command-log';
import { Command } from '../../../apps/config-center/src/state/commands';
import { SimNetwork } from '../../../libs/raft/test/support/sim/network';
import { SeededRandom } from '../../../libs/raft/test/support/sim/prng';

/** The Ready loop's ports in memory, for unit tests of the loop without processes or SQL. */

/** A log store on MemoryStorage alone; `failWrites` makes the next writes throw (a dead disk). */
export class MemoryLogStore extends RaftLogStore {
  failWrites = false;
  /** What a failing write throws (a lost database connection, say); a disk error by default. */
  failure = new Error('disk I/O error');
  writes = 0;
  loads = 0;
  /** While set, loads and writes wait for it (a slow database). */
  gate?: Promise<void>;

  async load(): Promise<void> {
    this.loads += 1;
    await this.gate;
  }

  async write(_writer: SqlWriter, _ready: Ready): Promise<void> {
    await this.gate;
    if (this.failWrites) throw this.failure;
    this.writes += 1;
  }

  dropCompactedLog(): Promise<number> {
    return Promise.resolve(0);
  }

  protected saveSnapshot(_writer: SqlWriter, _snapshot: Snapshot): Promise<void> {
    return Promise.resolve();
  }
}

/** A state machine that records the commands it applied, in order, and answers with them. */
export class RecordingApplier extends Applier {
  /** Command names, in apply order: the replicated state a test compares across nodes. */
  applied: string[] = [];
  restoredFrom: number[] = [];
  private index = 0;
  private readonly listeners: Array<(batch: AppliedBatch) => void> = [];

  load(): Promise<{ appliedIndex: number; lastLogIndex: number }> {
    return Promise.resolve({ appliedIndex: 0, lastLogIndex: 0 });
  }

  get appliedIndex(): number {
    return this.index;
  }

  apply(_writer: SqlWriter, entries: readonly CommittedEntry[]): Promise<PendingApply> {
    const commands: AppliedBatch['commands'] = [];
    const names: string[] = [];
    for (const { index, command } of entries) {
      if (!command) continue;
      const name = nameOf(command);
      names.push(name);
      commands.push({ index, command, outcome: { ok: true, revision: index, value: name } });
    }
    const appliedIndex = entries[entries.length - 1].index;
    return Promise.resolve({
      batch: { appliedIndex, commands },
      show: () => {
        this.applied.push(...names);
        this.index = appliedIndex;
      },
    });
  }

  publish(pending: PendingApply): void {
    pending.show();
    for (const listener of this.listeners) listener(pending.batch);
  }

  onApplied(listener: (batch: AppliedBatch) => void): void {
    this.listeners.push(listener);
  }

  restore(_writer: SqlWriter, data: Uint8Array, index: number): Promise<void> {
    this.pendingRestore = { applied: JSON.parse(Buffer.from(data).toString()) as string[], index };
    return Promise.resolve();
  }

  reload(index: number): Promise<void> {
    this.applied = this.pendingRestore?.applied ?? [];
    this.index = index;
    this.restoredFrom.push(index);
    return Promise.resolve();
  }

  openSnapshotReader(): Promise<StateSnapshotReader | undefined> {
    return Promise.resolve(undefined);
  }

  dump(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(Buffer.from(JSON.stringify(this.applied))));
  }

  private pendingRestore?: { applied: string[]; index: number };
}

const nameOf = (command: Command): string =>
  command.type === 'CreateNamespace' ? command.name : command.type;

/** A transport onto the simulator's network (libs/raft test support): loss and partitions. */
export class SimTransport extends RaftTransport {
  closed = false;
  sent = 0;

  constructor(
    private readonly network: SimNetwork,
    private readonly clock: () => number,
  ) {
    super();
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    this.sent += messages.length;
    this.network.send(messages, this.clock());
  }
  close(): void {
    this.closed = true;
  }
  knows(): boolean {
    return true;
  }
  addPeer(_peer: PeerAddress): void {}
  removePeer(): void {}
  addressOf(id: string): string {
    return `sim://${id}`;
  }
  peers(): PeerStatus[] {
    return [];
  }
}

/** One transaction at a time, like SqlTransactions.run; the writer is never used in memory. */
export function serialRunner(): TransactionRunner {
  let tail: Promise<unknown> = Promise.resolve();
  const writer = {} as SqlWriter;
  return <T>(work: (writer: SqlWriter) => Promise<T>): Promise<T> => {
    const result = tail.then(() => work(writer));
    tail = result.catch(() => undefined);
    return result;
  };
}

export interface SimNode {
  id: string;
  loop: ReadyLoop;
  store: MemoryLogStore;
  applier: RecordingApplier;
  transport: SimTransport;
  fatal: unknown[];
}

/**
 * Three (or n) Ready loops on memory ports and one simulated network, driven by hand: `round()`
 * ticks every loop, lets each handle its Readies, and delivers the messages due.
 */
export class LoopCluster {
  readonly network: SimNetwork;
  readonly nodes: SimNode[];
  private now = 0;

  constructor(
    ids: string[],
    options: {
      seed?: number;
      snapshotEntries?: number;
      recoverable?: (error: unknown) => boolean;
    } = {},
  ) {
    const random = new SeededRandom(options.seed ?? 7);
    this.network = new SimNetwork(random, {
      dropRate: 0,
      duplicateRate: 0,
      minDelay: 1,
      maxDelay: 1,
    });
    this.nodes = ids.map((id) => {
      const store = new MemoryLogStore();
      const applier = new RecordingApplier();
      const transport = new SimTransport(this.network, () => this.now);
      const fatal: unknown[] = [];
      const settings: ReadyLoopSettings = {
        nodeId: id,
        voters: ids,
        electionTicks: 10,
        heartbeatTicks: 1,
        maxAppendBytes: 1 << 20,
        snapshotEntries: options.snapshotEntries ?? 1_000_000,
        random: () => random.next(),
        now: () => this.now,
        onFatal: (error) => fatal.push(error),
        recoverable: options.recoverable,
      };
      const loop = new ReadyLoop({ store, transport, applier, run: serialRunner() }, settings);
      return { id, loop, store, applier, transport, fatal };
    });
  }

  start(): void {
    for (const node of this.nodes) node.loop.start();
  }

  node(id: string): SimNode {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  leader(): SimNode | undefined {
    return this.nodes.find((node) => !node.loop.isStopped && node.loop.status().role === 'leader');
  }

  /** Settles every loop (a Ready is handled in a few microtasks and one setImmediate). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all(this.nodes.map((node) => node.loop.settled()));
    }
  }

  async round(options: { tick?: boolean } = {}): Promise<void> {
    this.now += 1;
    if (options.tick ?? true)
      for (const node of this.nodes) if (!node.loop.isStopped) node.loop.tick();
    await this.settle();
    for (const message of this.network.takeDue(this.now)) {
      const to = this.nodes.find((node) => node.id === message.to);
      if (to && !to.loop.isStopped) to.loop.step([message]);
    }
    await this.settle();
  }

  /** Rounds until `done()` holds; fails the test after `limit` rounds. */
  async until(done: () => boolean, limit = 200): Promise<void> {
    for (let i = 0; i < limit; i++) {
      if (done()) return;
      await this.round();
    }
    throw new Error(`condition not reached in ${limit} rounds`);
  }

  async electedLeader(): Promise<SimNode> {
    await this.until(() => this.leader() !== undefined);
    return this.leader()!;
  }
}
