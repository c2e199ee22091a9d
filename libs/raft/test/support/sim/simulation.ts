import { HistoryRecorder } from '../linearizability/history';
import type { KvOperation } from '../linearizability/kv-model';
import type { NodeId } from '../../../src/types';
import { SimClients } from './clients';
import { SafetyChecker, SafetyViolation } from './invariants';
import type { KvCommand, KvResult } from './kv-state-machine';
import { SimNetwork } from './network';
import { SeededRandom } from './prng';
import { SimNode, type ReadyOutcome } from './sim-node';

export interface SimulationOptions {
  readonly seed: number;
  readonly nodeCount: number;
  /** Steps with faults; one step is one clock tick on every (non-drifting) node. */
  readonly steps: number;
  /** Fault-free steps afterwards, within which the cluster must converge (liveness). */
  readonly recoverySteps: number;
  readonly clients: number;
  /** Injects a bug: reads skip ReadIndex and return local state (see SimClients). */
  readonly unsafeLocalReads?: boolean;
  /** Receives a line per notable event (elections, faults, persisted and applied entries). */
  readonly trace?: (line: string) => void;
}

export interface SimulationReport {
  readonly seed: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly compactionThreshold: number;
  readonly leadersElected: number;
  readonly committedIndex: number;
  readonly history: KvOperation[];
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`simulation seed ${seed} failed at step ${step}: ${reason} (replay: RAFT_SEED=${seed})`);
    if (cause instanceof Error && cause.stack)
      this.stack = `${this.stack}\ncaused by ${cause.stack}`;
  }
}

/**
 * One deterministic run: a cluster on a faulty network (loss, duplication, reordering, delay,
 * partitions) with crashes and restarts, concurrent clients, and the safety checks after every
 * step. Everything random is drawn from the seed, so a seed replays exactly.
 */
export function runSimulation(options: SimulationOptions): SimulationReport {
  const random = new SeededRandom(options.seed);
  const preVote = random.chance(0.5);
  const checkQuorum = random.chance(0.5);
  const compactionThreshold = random.pick([Infinity, 4, 16]);
  const maxEntriesPerMessage = random.pick([1, 4, 64]);
  const ids: NodeId[] = Array.from({ length: options.nodeCount }, (_, i) => `n${i + 1}`);
  const network = new SimNetwork(random.fork(), {
    dropRate: random.pick([0, 0.05, 0.2]),
    duplicateRate: random.pick([0, 0.05]),
    minDelay: 1,
    maxDelay: random.pick([1, 3, 6]),
  });
  const nodes = ids.map((id) => {
    const nodeRandom = random.fork();
    return new SimNode(
      id,
      () => ({
        peers: ids,
        electionTick: 10,
        heartbeatTick: 2,
        preVote,
        checkQuorum,
        maxEntriesPerMessage,
        maxInflight: 4,
        random: () => nodeRandom.next(),
      }),
      compactionThreshold,
    );
  });
  const nodesById = new Map(nodes.map((node) => [node.id, node]));
  nodes.forEach((node) => node.start());
  const recorder = new HistoryRecorder<KvCommand, KvResult>();
  const clients = new SimClients(
    random.fork(),
    recorder,
    options.clients,
    40,
    options.unsafeLocalReads,
  );
  const safety = new SafetyChecker();
  const faultRandom = random.fork();

  let now = 0;
  let committedThrough = 0;
  const trace = options.trace;
  const runStep = (withFaults: boolean): void => {
    now++;
    if (withFaults)
      injectFaults(faultRandom, network, nodes, safety, (line) => trace?.(`${now} ${line}`));
    for (const node of nodes) {
      // Slight clock drift: a node occasionally misses a tick.
      if (node.raft && faultRandom.chance(withFaults ? 0.95 : 1)) node.raft.tick();
    }
    for (const message of network.takeDue(now)) nodesById.get(message.to)?.raft?.step(message);
    clients.issue(nodes, now, withFaults ? 0.3 : 0);
    for (const node of nodes) {
      const outcome = node.processReady();
      if (outcome) record(node, outcome);
    }
    for (const node of nodes) {
      const status = node.raft?.status();
      if (status?.role !== 'leader') continue;
      if (trace && !safety.leadersByTerm().has(status.term)) {
        const terms = node.requireRaft().logTerms(status.firstIndex, status.lastIndex + 1);
        trace(
          `${now} ${node.id} leads term ${status.term}, log from ${status.firstIndex}: ${terms.join(',')}`,
        );
      }
      safety.recordLeader(status.term, node.id, () => ({
        firstIndex: status.firstIndex,
        terms: node.requireRaft().logTerms(status.firstIndex, status.lastIndex + 1),
      }));
      if (status.commitIndex > committedThrough) {
        const from = Math.max(committedThrough + 1, status.firstIndex);
        const terms = node.requireRaft().logTerms(from, status.commitIndex + 1);
        safety.recordCommitted(
          status.term,
          terms.map((term, i) => ({ index: from + i, term })),
        );
        committedThrough = status.commitIndex;
      }
    }
    clients.complete(nodesById, now);
  };
  const record = (node: SimNode, outcome: ReadyOutcome): void => {
    if (trace) traceOutcome(trace, now, node, outcome);
    if (outcome.installedSnapshot)
      safety.recordSnapshotInstalled(node.id, outcome.installedSnapshot);
    const first = outcome.persistedEntries[0];
    if (first) {
      safety.recordPersisted(node.id, outcome.persistedEntries, node.storage.term(first.index - 1));
    }
    safety.recordApplied(node.id, outcome.appliedEntries);
    network.send(outcome.messages, now);
    clients.onReadStates(node.id, outcome.readStates);
  };

  try {
    for (let step = 0; step < options.steps; step++) runStep(true);
    network.heal();
    network.faults = { ...network.faults, dropRate: 0, duplicateRate: 0 };
    for (const node of nodes) if (!node.alive) restart(node, safety);
    clients.abandonAll();
    for (let step = 0; step < options.recoverySteps && !converged(nodes); step++) runStep(false);
    if (!converged(nodes)) throw new SafetyViolation('liveness: no convergence after healing');
  } catch (error) {
    throw new SimulationFailure(options.seed, now, error);
  }
  const leader = nodes.find((node) => node.raft?.status().role === 'leader');
  return {
    seed: options.seed,
    preVote,
    checkQuorum,
    compactionThreshold,
    leadersElected: safety.leadersByTerm().size,
    committedIndex: leader?.raft?.status().commitIndex ?? 0,
    history: recorder.history(),
  };
}

function traceOutcome(
  trace: (line: string) => void,
  now: number,
  node: SimNode,
  outcome: ReadyOutcome,
): void {
  const describe = (entries: ReadyOutcome['appliedEntries']): string =>
    entries.map((entry) => `${entry.index}:${entry.term}`).join(' ');
  if (outcome.installedSnapshot) {
    const meta = outcome.installedSnapshot.meta;
    trace(`${now} ${node.id} installs snapshot ${meta.index}:${meta.term}`);
  }
  if (outcome.persistedEntries.length > 0) {
    trace(`${now} ${node.id} persists ${describe(outcome.persistedEntries)}`);
  }
  if (outcome.appliedEntries.length > 0) {
    trace(`${now} ${node.id} applies ${describe(outcome.appliedEntries)}`);
  }
  for (const message of outcome.messages) {
    if (
      message.type === 'vote' ||
      message.type === 'voteResp' ||
      message.type === 'preVote' ||
      message.type === 'preVoteResp' ||
      message.type === 'timeoutNow'
    ) {
      trace(`${now} ${JSON.stringify(message)}`);
    }
  }
}

function restart(node: SimNode, safety: SafetyChecker): void {
  node.start();
  safety.recordRestart(node.id, node.stateMachine.lastApplied);
}

function injectFaults(
  random: SeededRandom,
  network: SimNetwork,
  nodes: readonly SimNode[],
  safety: SafetyChecker,
  trace: (line: string) => void,
): void {
  if (network.isPartitioned()) {
    if (random.chance(0.03)) {
      network.heal();
      trace('network heals');
    }
  } else if (random.chance(0.01)) {
    const shuffled = [...nodes].sort(() => random.next() - 0.5).map((node) => node.id);
    const cut = 1 + random.int(shuffled.length - 1);
    network.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
    trace(`partition ${shuffled.slice(0, cut).join(',')} | ${shuffled.slice(cut).join(',')}`);
  }
  for (const node of nodes) {
    if (node.alive && random.chance(0.008)) {
      node.crash();
      trace(`${node.id} crashes`);
    } else if (!node.alive && random.chance(0.1)) {
      restart(node, safety);
      trace(`${node.id} restarts`);
    }
  }
  if (random.chance(0.005)) {
    const leader = nodes.find((node) => node.raft?.status().role === 'leader');
    const target = random.pick(nodes).id;
    if (leader && target !== leader.id) leader.requireRaft().transferLeadership(target);
  }
}

/** One leader, and every node has applied everything it committed, all at the same index. */
function converged(nodes: readonly SimNode[]): boolean {
  const statuses = nodes.map((node) => node.requireRaft().status());
  const leaders = statuses.filter((status) => status.role === 'leader');
  if (leaders.length !== 1) return false;
  const leader = leaders[0];
  if (leader.commitIndex !== leader.lastIndex) return false;
  return statuses.every(
    (status) =>
      status.leader === leader.id &&
      status.commitIndex === leader.commitIndex &&
      status.appliedIndex === leader.commitIndex,
  );
}
