import { PassThrough, Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { FastifyInstance } from 'fastify';
import { BadParameter, ErrorCode, ServiceUnavailable } from '@cc/common';
import { RaftCommandLog } from '../log/raft-command-log';
import { refuseRaftRequest as refuse } from './raft-refusal';
import { StreamReceiver } from './raft-stream-receiver';
import {
  RAFT_FROM_HEADER,
  RAFT_FROM_URL_HEADER,
  RAFT_STREAM_CONTENT_TYPE,
  RAFT_STREAM_PATH,
} from '../transport/raft-wire';

/** After this side ended a stream, how long the sender gets to close its end. */
const SENDER_CLOSE_GRACE_MS = 1_000;

/**
 * POST /internal/raft/stream, a bare Fastify route like the messages route: the cluster secret
 * is checked before it (internal-routes.guard.ts) and a refusal has the usual envelope. An
 * accepted stream lives until the sender ends it (or the connection dies, a frame is malformed
 * or too large, or this node shuts down): no body timeout and no socket idle timeout.
 */
export function installRaftStreamRoute(fastify: FastifyInstance, raft: RaftCommandLog): void {
  const logger = new Logger('RaftStream');
  const open = new Set<StreamReceiver>();

  // Scoped: only this route takes the stream's content type, and it gets the body unbuffered.
  void fastify.register(async (scope) => {
    scope.addContentTypeParser(RAFT_STREAM_CONTENT_TYPE, (_request, payload, done) =>
      done(null, payload),
    );
    scope.post(RAFT_STREAM_PATH, (request, reply) => {
      try {
        if (!(request.body instanceof Readable))
          throw new BadParameter(`a raft stream is sent as ${RAFT_STREAM_CONTENT_TYPE}`);
      } catch (error) {
        return refuse(request, reply, error);
      }
      const from = request.headers[RAFT_FROM_HEADER];
      const fromUrl = request.headers[RAFT_FROM_URL_HEADER];
      if (typeof from === 'string' && typeof fromUrl === 'string')
        raft.learnPeer({ id: from, url: fromUrl });

      // Lives for days: whatever idle timeout the server sets for other requests does not apply.
      request.raw.socket.setTimeout(0);
      const lines = new PassThrough();
      const receiver = new StreamReceiver(
        request.body,
        lines,
        (messages) => raft.step(messages),
        request.id,
        (failure) => {
          open.delete(receiver);
          if (failure?.code === ErrorCode.BAD_PARAMETER)
            logger.warn(
              { peer: from, reason: failure.details ?? failure.message },
              'malformed raft stream frame; ending the stream',
            );
        },
      );
      open.add(receiver);
      reply.raw.once('finish', () => {
        if (!request.raw.complete)
          setTimeout(() => request.raw.destroy(), SENDER_CLOSE_GRACE_MS).unref();
      });
      receiver.start();
      return reply.header('content-type', RAFT_STREAM_CONTENT_TYPE).send(lines);
    });
  });

  // Open streams would keep the server from closing: end them, the senders go elsewhere.
  fastify.addHook('preClose', (done) => {
    for (const receiver of open)
      receiver.fail(new ServiceUnavailable('this node is shutting down'));
    done();
  });
}
