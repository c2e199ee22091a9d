import { LogCompactedError } from './errors';
import { Progress } from './progress';
import type { Raft } from './raft';
import type { AppendResponse, EntryType, HeartbeatResponse, Message, NodeId } from './types';

/** Fresh progress for every voter: we know nothing of followers' logs yet (paper §5.3). */
export function initLeaderProgress(raft: Raft): void {
  raft.progress = new Map();
  syncProgressWithMembership(raft);
}

/** Track exactly the current voters; a new voter starts probing at our log's end. */
export function syncProgressWithMembership(raft: Raft): void {
  const voters = raft.membership.voters();
  for (const id of voters) {
    if (raft.progress.has(id)) continue;
    const progress = new Progress(raft.log.lastIndex() + 1, raft.maxInflight);
    // Give newcomers a full CheckQuorum round before counting them as silent.
    progress.recentActive = true;
    if (id === raft.id) progress.match = raft.log.lastIndex();
    raft.progress.set(id, progress);
  }
  for (const id of [...raft.progress.keys()]) {
    if (voters.includes(id)) continue;
    raft.progress.delete(id);
    if (raft.leadTransferee === id) raft.leadTransferee = undefined;
  }
}

/**
 * `broadcast: false` leaves the appends to the caller (RaftNode sends one per follower for all
 * the proposals made before the next Ready, instead of one per proposal).
 */
export function appendAsLeader(
  raft: Raft,
  type: EntryType,
  data: Uint8Array,
  broadcast = true,
): { index: number; term: number } {
  const entry = { index: raft.log.lastIndex() + 1, term: raft.term, type, data };
  raft.log.append([entry]);
  // Configurations take effect as soon as they are in the log (thesis §4.1).
  if (raft.membership.onAppend([entry])) syncProgressWithMembership(raft);
  raft.progress.get(raft.id)?.maybeUpdate(entry.index);
  if (maybeCommit(raft)) onCommitAdvanced(raft);
  if (broadcast && raft.role === 'leader') broadcastAppend(raft);
  return { index: entry.index, term: entry.term };
}

/**
 * Advance commit to the highest index a quorum of voters stores, but only when that entry is of
 * the current term: earlier-term entries commit indirectly (paper §5.4.2, Figure 8).
 */
export function maybeCommit(raft: Raft): boolean {
  const matches = raft.membership
    .voters()
    .map((id) => raft.progress.get(id)?.match ?? 0)
    .sort((a, b) => b - a);
  if (matches.length === 0) return false;
  const quorumIndex = matches[raft.quorum() - 1];
  if (quorumIndex <= raft.log.committed || raft.log.term(quorumIndex) !== raft.term) return false;
  return raft.log.commitTo(quorumIndex);
}

function onCommitAdvanced(raft: Raft): void {
  if (raft.log.term(raft.log.committed) === raft.term && raft.readsAwaitingTermCommit.length > 0) {
    const waiting = raft.readsAwaitingTermCommit;
    raft.readsAwaitingTermCommit = [];
    for (const read of waiting) handleReadIndex(raft, read.requestContext, read.requester);
  }
  // A leader removed from the configuration manages the cluster until the change commits,
  // then steps down (thesis §4.2.2).
  if (
    !raft.membership.isVoter(raft.id) &&
    raft.log.committed >= raft.membership.currentConfigIndex()
  ) {
    raft.becomeFollower(raft.term, undefined);
  }
}

export function broadcastAppend(raft: Raft): void {
  for (const id of raft.progress.keys()) {
    if (id !== raft.id) sendAppend(raft, id, true);
  }
}

/** Sends each follower what it has not been sent yet, as far as its inflight window allows. */
export function sendPendingAppends(raft: Raft): void {
  for (const id of raft.progress.keys()) {
    if (id === raft.id) continue;
    while (sendAppend(raft, id, false)) {
      /* pipelining: keep sending */
    }
  }
}

/** Sends the follower its next batch, or a snapshot if those entries are compacted (§7). */
export function sendAppend(raft: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const progress = raft.progress.get(to);
  if (!progress || progress.isPaused()) return false;
  const prevLogIndex = progress.next - 1;
  const prevLogTerm = raft.log.term(prevLogIndex);
  let entries = undefined;
  if (prevLogTerm !== undefined) {
    try {
      entries = raft.log.entries(
        progress.next,
        Infinity,
        raft.maxEntriesPerMessage,
        raft.maxBytesPerMessage,
      );
    } catch (error) {
      if (!(error instanceof LogCompactedError)) throw error;
    }
  }
  if (prevLogTerm === undefined || entries === undefined) return sendSnapshot(raft, to, progress);
  if (entries.length === 0 && !sendIfEmpty) return false;
  raft.send({
    type: 'append',
    to,
    prevLogIndex,
    prevLogTerm,
    entries,
    commit: raft.log.committed,
  });
  progress.sentEntries(entries.length, prevLogIndex + entries.length);
  return true;
}

function sendSnapshot(raft: Raft, to: NodeId, progress: Progress): boolean {
  // A snapshot is large: do not send it to a node we have not heard from lately.
  if (!progress.recentActive) return false;
  const snapshot = raft.storage.snapshot();
  if (snapshot.meta.index === 0) return false;
  raft.send({ type: 'snapshot', to, snapshot });
  progress.becomeSnapshot(snapshot.meta.index);
  return true;
}

export function broadcastHeartbeat(raft: Raft, readContext: string | undefined): void {
  for (const [id, progress] of raft.progress) {
    if (id === raft.id) continue;
    // Never tell a follower to commit beyond what it is known to hold.
    const commit = Math.min(progress.match, raft.log.committed);
    raft.send({ type: 'heartbeat', to: id, commit, readContext });
  }
}

export function tickLeader(raft: Raft): void {
  raft.heartbeatElapsed++;
  raft.electionElapsed++;
  for (const progress of raft.progress.values()) {
    if (progress.state !== 'snapshot') continue;
    // The snapshot or its acknowledgement was lost: fall back to probing, which resends it.
    if (++progress.snapshotWaitTicks >= raft.electionTimeout) progress.becomeProbe();
  }
  if (raft.electionElapsed >= raft.electionTimeout) {
    raft.electionElapsed = 0;
    if (raft.checkQuorum && !quorumRecentlyActive(raft)) {
      // CheckQuorum: a leader that cannot reach a quorum steps down (thesis §6.2).
      raft.becomeFollower(raft.term, undefined);
      return;
    }
    // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
    raft.leadTransferee = undefined;
  }
  if (raft.heartbeatElapsed >= raft.heartbeatTimeout) {
    raft.heartbeatElapsed = 0;
    broadcastHeartbeat(raft, raft.readOnly.lastContext());
  }
}

function quorumRecentlyActive(raft: Raft): boolean {
  const active = new Set<NodeId>([raft.id]);
  for (const [id, progress] of raft.progress) {
    if (progress.recentActive) active.add(id);
    if (id !== raft.id) progress.recentActive = false;
  }
  return raft.hasQuorum(active);
}

export function stepLeader(raft: Raft, message: Message): void {
  switch (message.type) {
    case 'appendResp':
      handleAppendResponse(raft, message);
      return;
    case 'heartbeatResp':
      handleHeartbeatResponse(raft, message);
      return;
    case 'readIndex':
      handleReadIndex(raft, message.requestContext, message.from);
      return;
    // Requests of this term's leader (only us) and stray answers: nothing for a leader to do.
    case 'append':
    case 'heartbeat':
    case 'snapshot':
    case 'timeoutNow':
    case 'readIndexResp':
    case 'vote':
    case 'voteResp':
    case 'preVote':
    case 'preVoteResp':
      return;
  }
}

function handleAppendResponse(raft: Raft, response: AppendResponse): void {
  const progress = raft.progress.get(response.from);
  if (!progress) return;
  progress.recentActive = true;
  if (response.reject) {
    let nextProbe = response.rejectHintIndex;
    if (response.rejectHintTerm > 0) {
      // Jump over the follower's whole conflicting term at once (§5.3).
      nextProbe = raft.log.findConflictByTerm(
        response.rejectHintIndex,
        response.rejectHintTerm,
      ).index;
    }
    if (progress.maybeDecreaseTo(response.index, nextProbe)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      sendAppend(raft, response.from, true);
    }
    return;
  }
  const wasPaused = progress.isPaused();
  if (!progress.maybeUpdate(response.index)) return;
  if (progress.state === 'probe') {
    progress.becomeReplicate();
  } else if (progress.state === 'snapshot' && progress.match + 1 >= raft.log.firstIndex()) {
    progress.becomeProbe();
    progress.becomeReplicate();
  } else if (progress.state === 'replicate') {
    progress.freeInflightUpTo(response.index);
  }
  if (maybeCommit(raft)) {
    onCommitAdvanced(raft);
    if (raft.role !== 'leader') return;
    broadcastAppend(raft);
  } else if (wasPaused) {
    sendAppend(raft, response.from, true);
  }
  // Pipelining: keep streaming while the inflight window allows.
  while (sendAppend(raft, response.from, false)) {
    /* keep sending */
  }
  if (response.from === raft.leadTransferee && progress.match === raft.log.lastIndex()) {
    raft.send({ type: 'timeoutNow', to: response.from });
  }
}

function handleHeartbeatResponse(raft: Raft, response: HeartbeatResponse): void {
  const progress = raft.progress.get(response.from);
  if (!progress) return;
  progress.recentActive = true;
  progress.probeSent = false;
  if (progress.state === 'replicate' && progress.inflightFull()) progress.freeFirstInflight();
  if (progress.match < raft.log.lastIndex()) sendAppend(raft, response.from, true);
  if (response.readContext === undefined) return;
  const acknowledged = raft.readOnly.acknowledge(response.readContext, response.from);
  if (!acknowledged || !raft.hasQuorum(acknowledged)) return;
  for (const read of raft.readOnly.releaseUpTo(response.readContext)) {
    respondToRead(raft, read.requestContext, read.index, read.requester);
  }
}

/**
 * ReadIndex (thesis §6.4): remember the commit index, confirm we are still leader with a
 * heartbeat round, then the read may be served once that index is applied. A new leader does
 * not know the latest commit index until it commits an entry of its term, so it waits.
 */
export function handleReadIndex(raft: Raft, requestContext: string, requester: NodeId): void {
  if (raft.log.term(raft.log.committed) !== raft.term) {
    raft.readsAwaitingTermCommit.push({ requestContext, requester });
    return;
  }
  const voters = raft.membership.voters();
  if (voters.length === 1 && voters[0] === raft.id) {
    respondToRead(raft, requestContext, raft.log.committed, requester);
    return;
  }
  raft.readOnly.add(requestContext, raft.log.committed, requester, raft.id);
  broadcastHeartbeat(raft, requestContext);
}

function respondToRead(raft: Raft, requestContext: string, index: number, requester: NodeId): void {
  if (requester === raft.id) {
    raft.readStates.push({ index, requestContext });
  } else {
    raft.send({ type: 'readIndexResp', to: requester, requestContext, index });
  }
}

export function transferLeadership(raft: Raft, to: NodeId): void {
  const progress = raft.progress.get(to);
  if (to === raft.id || !progress) return;
  raft.leadTransferee = to;
  // The transfer must finish within one election timeout, counted from now.
  raft.electionElapsed = 0;
  if (progress.match === raft.log.lastIndex()) {
    raft.send({ type: 'timeoutNow', to });
  } else {
    sendAppend(raft, to, true);
  }
}
