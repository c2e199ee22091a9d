import { RaftError } from '../../../src/errors';
import type { HistoryRecorder } from '../linearizability/history';
import type { NodeId, ReadState } from '../../../src/types';
import { encodeKvRequest, type KvCommand, type KvResult } from './kv-state-machine';
import type { SeededRandom } from './prng';
import type { SimNode } from './sim-node';

const KEYS = ['x', 'y'];

type Waiting =
  | {
      kind: 'write';
      handle: number;
      node: NodeId;
      index: number;
      requestId: string;
      deadline: number;
    }
  | {
      kind: 'read';
      handle: number;
      node: NodeId;
      key: string;
      requestContext: string;
      readIndex: number | undefined;
      deadline: number;
    };

/**
 * Concurrent clients of the simulated key-value service: writes are proposed to a node that
 * believes it leads, reads go through ReadIndex on any node. A client that gets no answer in
 * time gives up; its operation stays in the history without a response (outcome unknown).
 */
export class SimClients {
  private readonly waiting = new Map<number, Waiting>();
  private readonly seenValues: string[] = [''];
  private counter = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly recorder: HistoryRecorder<KvCommand, KvResult>,
    private readonly clientCount: number,
    private readonly timeoutSteps: number,
    /** Serve reads from local state, skipping ReadIndex: only to prove the checker catches it. */
    private readonly unsafeLocalReads = false,
  ) {}

  /** Lets idle clients start an operation against the cluster. */
  issue(nodes: readonly SimNode[], now: number, rate: number): void {
    for (let client = 0; client < this.clientCount; client++) {
      if (this.waiting.has(client) || !this.random.chance(rate)) continue;
      const alive = nodes.filter((node) => node.alive);
      if (alive.length === 0) return;
      if (this.random.chance(0.5)) this.issueRead(client, this.random.pick(alive), now);
      else this.issueWrite(client, alive, now);
    }
  }

  private issueWrite(client: number, alive: readonly SimNode[], now: number): void {
    const leaders = alive.filter((node) => node.raft?.status().role === 'leader');
    if (leaders.length === 0) return;
    const node = this.random.pick(leaders);
    const key = this.random.pick(KEYS);
    const value = `c${client}-${++this.counter}`;
    const command: KvCommand = this.random.chance(0.3)
      ? { kind: 'cas', key, expected: this.random.pick(this.seenValues), value }
      : { kind: 'put', key, value };
    const requestId = `req-${this.counter}`;
    let proposed;
    try {
      proposed = node.requireRaft().propose(encodeKvRequest({ requestId, command }));
    } catch (error) {
      if (error instanceof RaftError) return; // refused: nothing was appended, nothing happened
      throw error;
    }
    this.seenValues.push(value);
    const handle = this.recorder.invoke(client, command);
    const deadline = now + this.timeoutSteps;
    this.waiting.set(client, {
      kind: 'write',
      handle,
      node: node.id,
      index: proposed.index,
      requestId,
      deadline,
    });
  }

  private issueRead(client: number, node: SimNode, now: number): void {
    const key = this.random.pick(KEYS);
    if (this.unsafeLocalReads) {
      // Deliberately broken mode: read local state without ReadIndex (may be stale).
      const handle = this.recorder.invoke(client, { kind: 'get', key });
      this.recorder.respond(handle, { ok: true, value: node.stateMachine.get(key) });
      return;
    }
    const requestContext = `read-${++this.counter}`;
    try {
      node.requireRaft().readIndex(requestContext);
    } catch (error) {
      if (error instanceof RaftError) return;
      throw error;
    }
    const handle = this.recorder.invoke(client, { kind: 'get', key });
    this.waiting.set(client, {
      kind: 'read',
      handle,
      node: node.id,
      key,
      requestContext,
      readIndex: undefined,
      deadline: now + this.timeoutSteps,
    });
  }

  onReadStates(node: NodeId, readStates: readonly ReadState[]): void {
    for (const readState of readStates) {
      for (const waiting of this.waiting.values()) {
        if (
          waiting.kind === 'read' &&
          waiting.node === node &&
          waiting.requestContext === readState.requestContext
        ) {
          waiting.readIndex = readState.index;
        }
      }
    }
  }

  /** Answers operations whose node has applied far enough; gives up on stuck ones. */
  complete(nodesById: ReadonlyMap<NodeId, SimNode>, now: number): void {
    for (const [client, waiting] of this.waiting) {
      const node = nodesById.get(waiting.node);
      if (!node?.alive || now > waiting.deadline) {
        this.waiting.delete(client);
        continue;
      }
      const stateMachine = node.stateMachine;
      if (waiting.kind === 'write') {
        if (stateMachine.lastApplied < waiting.index) continue;
        const result = stateMachine.results.get(waiting.requestId);
        // Absent: another entry took that index (or a snapshot skipped it): outcome unknown.
        if (result) this.recorder.respond(waiting.handle, result);
        this.waiting.delete(client);
      } else if (waiting.readIndex !== undefined && stateMachine.lastApplied >= waiting.readIndex) {
        const value = stateMachine.get(waiting.key);
        this.seenValues.push(value);
        this.recorder.respond(waiting.handle, { ok: true, value });
        this.waiting.delete(client);
      }
    }
  }

  /** Forgets every outstanding operation (their outcome stays unknown). */
  abandonAll(): void {
    this.waiting.clear();
  }
}
