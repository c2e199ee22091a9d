import type { Raft } from './raft';
import { broadcastAppend } from './leader';
import type { Message, VoteRequest } from './types';

/**
 * - preElection: ask for pre-votes at term + 1 without changing our term (thesis §9.6), so a
 *   node that cannot win (partitioned, stale log) never inflates the cluster's term;
 * - election: a real election (paper §5.2);
 * - transfer: a real election started by TimeoutNow, which voters honour despite their lease.
 */
export type CampaignKind = 'preElection' | 'election' | 'transfer';

export function campaign(raft: Raft, kind: CampaignKind): void {
  if (!raft.promotable()) return;
  let voteTerm: number;
  if (kind === 'preElection') {
    raft.becomePreCandidate();
    voteTerm = raft.term + 1;
  } else {
    raft.becomeCandidate();
    voteTerm = raft.term;
  }
  raft.votes.set(raft.id, true);
  if (tally(raft) === 'won') {
    onElectionWon(raft, kind);
    return;
  }
  const type = kind === 'preElection' ? 'preVote' : 'vote';
  for (const voter of raft.membership.voters()) {
    if (voter === raft.id) continue;
    raft.send({
      type,
      to: voter,
      term: voteTerm,
      lastLogIndex: raft.log.lastIndex(),
      lastLogTerm: raft.log.lastTerm(),
      leadershipTransfer: kind === 'transfer',
    });
  }
}

function onElectionWon(raft: Raft, kind: CampaignKind): void {
  if (kind === 'preElection') {
    campaign(raft, 'election');
    return;
  }
  raft.becomeLeader();
  broadcastAppend(raft);
}

function tally(raft: Raft): 'won' | 'lost' | 'pending' {
  let granted = 0;
  let rejected = 0;
  for (const voter of raft.membership.voters()) {
    const vote = raft.votes.get(voter);
    if (vote === true) granted++;
    if (vote === false) rejected++;
  }
  const quorum = raft.quorum();
  if (granted >= quorum) return 'won';
  if (rejected > raft.membership.voters().length - quorum) return 'lost';
  return 'pending';
}

/** Vote granting rules of paper §5.2 and §5.4.1; a message's higher term was already adopted. */
export function handleVoteRequest(raft: Raft, request: VoteRequest): void {
  const responseType = request.type === 'vote' ? 'voteResp' : 'preVoteResp';
  const canVote =
    raft.vote === request.from ||
    (raft.vote === undefined && raft.leader === undefined) ||
    // A pre-vote for a future term commits us to nothing, so our vote does not restrict it.
    (request.type === 'preVote' && request.term > raft.term);
  if (canVote && raft.log.isUpToDate(request.lastLogIndex, request.lastLogTerm)) {
    // A granted pre-vote carries the candidate's future term, so it does not bump it back.
    raft.send({ type: responseType, to: request.from, term: request.term, reject: false });
    if (request.type === 'vote') {
      raft.electionElapsed = 0;
      raft.vote = request.from;
    }
    return;
  }
  raft.send({ type: responseType, to: request.from, reject: true });
}

export function stepCandidate(raft: Raft, message: Message): void {
  switch (message.type) {
    case 'append':
      raft.becomeFollower(message.term, message.from);
      raft.handleAppend(message);
      return;
    case 'heartbeat':
    case 'snapshot':
      // Another node won this term: follow it and let the follower logic handle the message.
      raft.becomeFollower(message.term, message.from);
      raft.step(message);
      return;
    case 'voteResp':
    case 'preVoteResp': {
      const expected = raft.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
      if (message.type !== expected) return;
      raft.votes.set(message.from, !message.reject);
      const result = tally(raft);
      if (result === 'won')
        onElectionWon(raft, raft.role === 'preCandidate' ? 'preElection' : 'election');
      else if (result === 'lost') raft.becomeFollower(raft.term, undefined);
      return;
    }
    // Answers to a leadership we no longer hold, requests only a leader serves, votes (step
    // handles them) and a TimeoutNow meant for a follower.
    case 'appendResp':
    case 'heartbeatResp':
    case 'readIndex':
    case 'readIndexResp':
    case 'timeoutNow':
    case 'vote':
    case 'preVote':
      return;
  }
}
