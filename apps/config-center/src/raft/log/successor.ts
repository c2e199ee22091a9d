import { RaftStatus } from '@cc/raft';

/**
 * The voter a leader hands over to (a planned stop, a lost database): the one whose log is known
 * to match furthest; the first in `voters` order on a tie. Undefined when there is no other voter.
 */
export function mostCaughtUpVoter(
  status: Pick<RaftStatus, 'id' | 'voters' | 'matchIndex'>,
): string | undefined {
  let best: string | undefined;
  for (const id of status.voters) {
    if (id === status.id) continue;
    if (best === undefined || (status.matchIndex[id] ?? 0) > (status.matchIndex[best] ?? 0))
      best = id;
  }
  return best;
}
