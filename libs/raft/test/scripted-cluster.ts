import type { Entry, Message, NodeId, RaftNode, ReadState } from '../src';
import { encodeKvRequest, type KvRequest } from './support/sim/kv-state-machine';
import { SeededRandom } from './support/sim/prng';
import { SimNode, type NodeOptions } from './support/sim/sim-node';

export const DEFAULT_OPTIONS: Omit<NodeOptions, 'peers' | 'random'> = {
  electionTick: 10,
  heartbeatTick: 1,
  preVote: false,
  checkQuorum: false,
};

/**
 * Synchronous cluster for scripted scenarios (like etcd-io/raft's `network` test helper):
 * `deliver()` runs Ready processing and message delivery until the cluster is quiet.
 */
export class ScriptedCluster {
  readonly nodes = new Map<NodeId, SimNode>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  readonly applied = new Map<NodeId, Entry[]>();
  /** Messages dropped when this returns true (partitions, targeted loss). */
  dropWhen: (message: Message) => boolean = () => false;
  private readonly cutLinks = new Set<string>();
  readonly delivered: Message[] = [];
  readonly sent: Message[] = [];
  private proposals = 0;

  constructor(
    ids: readonly NodeId[],
    options: Partial<NodeOptions> = {},
    compactionThreshold = Infinity,
  ) {
    for (const [position, id] of ids.entries()) {
      const random = new SeededRandom(position + 1);
      const node = new SimNode(
        id,
        () => ({
          ...DEFAULT_OPTIONS,
          peers: ids,
          random: () => random.next(),
          ...options,
        }),
        compactionThreshold,
      );
      node.start();
      this.nodes.set(id, node);
      this.readStates.set(id, []);
      this.applied.set(id, []);
    }
  }

  /** Adds a node that joins an existing cluster (bootstrapped with no configuration). */
  addNode(id: NodeId, options: Partial<NodeOptions> = {}): SimNode {
    const random = new SeededRandom(this.nodes.size + 1);
    const node = new SimNode(id, () => ({
      ...DEFAULT_OPTIONS,
      peers: [],
      random: () => random.next(),
      ...options,
    }));
    node.start();
    this.nodes.set(id, node);
    this.readStates.set(id, []);
    this.applied.set(id, []);
    return node;
  }

  raft(id: NodeId): RaftNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    return node.requireRaft();
  }

  sim(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  /** Splits the cluster: nodes communicate only inside their group. */
  partition(...groups: NodeId[][]): void {
    for (const group of groups) {
      for (const id of group) {
        for (const other of this.nodes.keys()) if (!group.includes(other)) this.cut(id, other);
      }
    }
  }

  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(`${a}->${b}`);
    this.cutLinks.add(`${b}->${a}`);
  }

  heal(): void {
    this.cutLinks.clear();
    this.dropWhen = () => false;
  }

  crash(id: NodeId): void {
    this.sim(id).crash();
  }

  restart(id: NodeId): void {
    this.sim(id).start();
  }

  /** Processes Readies and delivers messages until nothing moves. */
  deliver(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      const outgoing: Message[] = [];
      for (const node of this.nodes.values()) {
        const outcome = node.processReady();
        if (!outcome) continue;
        outgoing.push(...outcome.messages);
        this.readStates.get(node.id)?.push(...outcome.readStates);
        this.applied.get(node.id)?.push(...outcome.appliedEntries);
      }
      if (outgoing.length === 0) return;
      for (const message of outgoing) {
        this.sent.push(message);
        if (this.cutLinks.has(`${message.from}->${message.to}`) || this.dropWhen(message)) continue;
        const target = this.nodes.get(message.to);
        if (!target?.raft) continue;
        this.delivered.push(message);
        target.raft.step(message);
      }
    }
    throw new Error('cluster did not quiesce');
  }

  /** Ticks every live node `count` times, delivering after each tick. */
  tick(count = 1, ids: readonly NodeId[] = [...this.nodes.keys()]): void {
    for (let i = 0; i < count; i++) {
      for (const id of ids) this.nodes.get(id)?.raft?.tick();
      this.deliver();
    }
  }

  campaign(id: NodeId): void {
    this.raft(id).campaign();
    this.deliver();
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()]
      .filter((node) => node.raft?.status().role === 'leader')
      .map((node) => node.id);
  }

  /** Encodes `put k=value` as the simulated state machine expects. */
  put(value: string): Uint8Array {
    const command = { kind: 'put', key: 'k', value } as const;
    return encodeKvRequest({ requestId: `put-${++this.proposals}`, command });
  }

  /** Proposes `put k=value` through `id` and delivers; returns the entry's index. */
  propose(id: NodeId, value: string): number {
    const request = {
      requestId: `${id}-${++this.proposals}`,
      command: { kind: 'put', key: 'k', value },
    };
    const { index } = this.raft(id).propose(encodeKvRequest(request as KvRequest));
    this.deliver();
    return index;
  }

  /** Terms of a node's log from its first index, as persisted in its storage. */
  persistedTerms(id: NodeId): number[] {
    const storage = this.sim(id).storage;
    return storage.entries(storage.firstIndex(), storage.lastIndex() + 1).map((e) => e.term);
  }
}
