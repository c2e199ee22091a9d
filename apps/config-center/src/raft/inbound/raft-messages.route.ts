import { FastifyInstance } from 'fastify';
import { RaftCommandLog } from '../log/raft-command-log';
import { decodeMessages } from '../transport/message-codec';
import { refuseRaftRequest } from './raft-refusal';
import { RAFT_FROM_HEADER, RAFT_FROM_URL_HEADER, RAFT_MESSAGES_PATH } from '../transport/raft-wire';

/**
 * POST /internal/raft/messages as a bare Fastify route: the busiest request a node serves
 * (every append, heartbeat and answer of the cluster), so it skips Nest's pipeline. Same
 * envelope on failure. The cluster secret, body limit and body timeout are the internal routes'
 * guard's (internal-routes.guard.ts).
 */
export function installRaftMessagesRoute(fastify: FastifyInstance, raft: RaftCommandLog): void {
  fastify.post(RAFT_MESSAGES_PATH, async (request, reply) => {
    try {
      const from = request.headers[RAFT_FROM_HEADER];
      const fromUrl = request.headers[RAFT_FROM_URL_HEADER];
      if (typeof from === 'string' && typeof fromUrl === 'string')
        raft.learnPeer({ id: from, url: fromUrl });
      raft.step(decodeMessages(request.body));
      return { accepted: true };
    } catch (error) {
      return refuseRaftRequest(request, reply, error);
    }
  });
}
