import type { Entry, NodeId, Snapshot } from '../../../src/types';

export class SafetyViolation extends Error {}

/** A node's log: terms of the entries from `firstIndex` on. */
export interface LogView {
  readonly firstIndex: number;
  readonly terms: readonly number[];
}

interface ElectedLog extends LogView {
  readonly term: number;
  readonly leader: NodeId;
}

/** (index, term) identifies an entry; everything that must agree about it. */
interface EntryFacts {
  readonly type: string;
  readonly data: string;
  readonly prevTerm: number | undefined;
}

/**
 * Checks the Raft safety properties (paper Figure 3) from what nodes persist, elect and apply:
 * - election safety: at most one leader per term;
 * - log matching: entries with equal index and term are equal and have equal predecessors
 *   (so, by induction, equal prefixes);
 * - leader completeness: a leader's log holds every entry committed by a leader of an earlier
 *   term (checked against each leader's log as it was when first seen leading);
 * - state machine safety: no two nodes apply different entries at one index.
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly entryFacts = new Map<string, EntryFacts>();
  private readonly appliedAt = new Map<number, { term: number; digest: string }>();
  private readonly committedAt = new Map<number, { term: number; commitTerm: number }>();
  private readonly lastAppliedBy = new Map<NodeId, number>();
  /** Each elected leader's log at election time, for leader completeness. */
  private readonly electedLogs: ElectedLog[] = [];

  recordLeader(term: number, leader: NodeId, log: () => LogView): void {
    const known = this.leaderOfTerm.get(term);
    if (known !== undefined) {
      if (known !== leader) {
        throw new SafetyViolation(`election safety: ${known} and ${leader} both lead term ${term}`);
      }
      return;
    }
    this.leaderOfTerm.set(term, leader);
    const elected = { term, leader, ...log() };
    this.electedLogs.push(elected);
    for (const [index, committed] of this.committedAt) {
      if (committed.commitTerm < term) this.checkLeaderHas(elected, index, committed.term);
    }
  }

  /**
   * The leader of `leaderTerm` advanced its commit index over `entries`. Every leader of a later
   * term, even one elected before this commit happened, must hold them: the acknowledgements
   * came from servers that stored the entries before they could vote in a later term.
   */
  recordCommitted(leaderTerm: number, entries: readonly { index: number; term: number }[]): void {
    for (const entry of entries) {
      if (this.committedAt.has(entry.index)) continue;
      this.committedAt.set(entry.index, { term: entry.term, commitTerm: leaderTerm });
      for (const elected of this.electedLogs) {
        if (elected.term > leaderTerm) this.checkLeaderHas(elected, entry.index, entry.term);
      }
    }
  }

  /** Entries a node persisted, with the term of the entry before the first of them. */
  recordPersisted(node: NodeId, entries: readonly Entry[], termBefore: number | undefined): void {
    let prevTerm = termBefore;
    for (const entry of entries) {
      const key = `${entry.index}:${entry.term}`;
      const facts = { type: entry.type, data: digest(entry.data), prevTerm };
      const known = this.entryFacts.get(key);
      if (!known) {
        this.entryFacts.set(key, facts);
      } else if (
        known.type !== facts.type ||
        known.data !== facts.data ||
        (known.prevTerm !== undefined && prevTerm !== undefined && known.prevTerm !== prevTerm)
      ) {
        throw new SafetyViolation(`log matching: ${node} holds a different entry ${key}`);
      }
      prevTerm = entry.term;
    }
  }

  recordSnapshotInstalled(node: NodeId, snapshot: Snapshot): void {
    const applied = this.appliedAt.get(snapshot.meta.index);
    if (applied && applied.term !== snapshot.meta.term) {
      throw new SafetyViolation(`state machine safety: ${node} installed a diverging snapshot`);
    }
    this.lastAppliedBy.set(node, snapshot.meta.index);
  }

  recordApplied(node: NodeId, entries: readonly Entry[]): void {
    for (const entry of entries) {
      const expected = (this.lastAppliedBy.get(node) ?? 0) + 1;
      if (entry.index !== expected) {
        throw new SafetyViolation(`${node} applied ${entry.index}, expected ${expected}`);
      }
      this.lastAppliedBy.set(node, entry.index);
      const entryDigest = `${entry.type}:${digest(entry.data)}`;
      const known = this.appliedAt.get(entry.index);
      if (!known) {
        this.appliedAt.set(entry.index, { term: entry.term, digest: entryDigest });
      } else if (known.term !== entry.term || known.digest !== entryDigest) {
        throw new SafetyViolation(
          `state machine safety: ${node} applied a different entry ${entry.index}`,
        );
      }
    }
  }

  /** A restarted node resumes from its durable applied index. */
  recordRestart(node: NodeId, lastApplied: number): void {
    this.lastAppliedBy.set(node, lastApplied);
  }

  private checkLeaderHas(elected: ElectedLog, index: number, term: number): void {
    // Entries before its first index were compacted into its snapshot: committed, so equal.
    if (index < elected.firstIndex) return;
    const held = elected.terms[index - elected.firstIndex];
    if (held !== term) {
      throw new SafetyViolation(
        `leader completeness: ${elected.leader} (term ${elected.term}) lacks committed ${index}:${term}`,
      );
    }
  }

  leadersByTerm(): ReadonlyMap<number, NodeId> {
    return this.leaderOfTerm;
  }
}

const decoder = new TextDecoder();

function digest(data: Uint8Array): string {
  return decoder.decode(data);
}
