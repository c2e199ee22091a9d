import { LoggerService } from '@nestjs/common';
import { Entry, RaftNode, RaftStatus } from '@cc/raft';
import { CommittedEntry } from '../../state/applier';
import { decodeCommand } from '../../state/commands';
import { RaftTransport } from '../transport/raft-transport';

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

/**
 * A leader that lost its database hands over at once: a TimeoutNow to its most caught-up voter,
 * which needs nothing stored here (the transfer's other messages would, and are dropped).
 */
export function handOverWithoutStorage(
  node: RaftNode,
  transport: RaftTransport,
  logger: LoggerService,
): void {
  const status = node.status();
  if (status.role !== 'leader') return;
  const target = mostCaughtUpVoter(status);
  if (target === undefined) return;
  try {
    node.transferLeadership(target);
    if (!node.hasReady()) return;
    transport.send(node.ready().messages.filter((message) => message.type === 'timeoutNow'));
  } catch (error) {
    logger.warn({ err: error }, 'no leadership transfer while suspended');
  }
}

/** A committed log entry as apply takes it: empty and configuration entries carry no command. */
export function toCommittedEntry(entry: Entry): CommittedEntry {
  return {
    index: entry.index,
    command:
      entry.type === 'normal' && entry.data.length > 0
        ? decodeCommand(Buffer.from(entry.data))
        : undefined,
  };
}
