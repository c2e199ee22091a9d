import { FastifyInstance } from 'fastify';
import { ServiceUnavailable } from '@cc/common';
import { StateService } from '../state/state.service';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { decodeMessages } from './message-codec';
import { refuseRaftRequest } from './raft-refusal';
import {
  RAFT_FROM_HEADER,
  RAFT_FROM_URL_HEADER,
  RAFT_MESSAGES_BODY_LIMIT,
  RAFT_MESSAGES_PATH,
} from './raft-wire';

/**
 * POST /internal/raft/messages as a bare Fastify route: the busiest request a node serves
 * (every append, heartbeat and answer of the cluster), so it skips Nest's pipeline. Same
 * envelope on failure; the cluster secret is checked first.
 */
export function installRaftMessagesRoute(
  fastify: FastifyInstance,
  state: StateService,
  secret: ClusterSecretCheck,
): void {
  // Snapshots travel in one message: allow far more than a client request may carry.
  fastify.post(
    RAFT_MESSAGES_PATH,
    { bodyLimit: RAFT_MESSAGES_BODY_LIMIT },
    async (request, reply) => {
      try {
        secret.verify(request);
        const raft = state.raft;
        if (!raft) throw new ServiceUnavailable('this node is not part of a cluster');
        const from = request.headers[RAFT_FROM_HEADER];
        const fromUrl = request.headers[RAFT_FROM_URL_HEADER];
        if (typeof from === 'string' && typeof fromUrl === 'string')
          raft.learnPeer({ id: from, url: fromUrl });
        raft.step(decodeMessages(request.body));
        return { accepted: true };
      } catch (error) {
        return refuseRaftRequest(request, reply, error);
      }
    },
  );
}
