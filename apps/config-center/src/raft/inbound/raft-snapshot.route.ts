import { Logger } from '@nestjs/common';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import { RaftCommandLog } from '../log/raft-command-log';
import { refuseRaftRequest } from './raft-refusal';
import {
  RAFT_FROM_HEADER,
  RAFT_SNAPSHOT_CONTENT_TYPE,
  RAFT_SNAPSHOT_HEADER,
  RAFT_SNAPSHOT_OFFSET_HEADER,
  RAFT_SNAPSHOT_PATH,
  RAFT_SNAPSHOT_TOTAL_HEADER,
} from '../transport/raft-wire';
import { SnapshotAssembler, SnapshotChunk } from '../transport/snapshot-chunks';

/**
 * POST /internal/raft/snapshot: one chunk of a snapshot per request, raw bytes, in order. The
 * whole snapshot is stepped into Raft only once its last chunk is in (snapshot-chunks.ts). The
 * cluster secret, the chunk size limit and the body timeout are the internal routes' guard's.
 */
export function installRaftSnapshotRoute(
  fastify: FastifyInstance,
  raft: RaftCommandLog,
  assembler = new SnapshotAssembler(),
): void {
  const logger = new Logger('RaftSnapshot');
  void fastify.register(async (scope) => {
    scope.addContentTypeParser(
      RAFT_SNAPSHOT_CONTENT_TYPE,
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );
    scope.post(RAFT_SNAPSHOT_PATH, async (request, reply) => {
      try {
        const chunk = chunkOf(request);
        const whole = assembler.receive(chunk);
        if (!whole) return { accepted: true, complete: false };
        logger.log(
          { peer: chunk.from, bytes: chunk.total, chunks: whole.chunks },
          `received a snapshot in ${whole.chunks} chunk(s); installing it`,
        );
        raft.step([whole.message]);
        return { accepted: true, complete: true };
      } catch (error) {
        return refuseRaftRequest(request, reply, error);
      }
    });
  });
  fastify.addHook('preClose', (done) => {
    assembler.clear();
    done();
  });
}

function chunkOf(request: FastifyRequest): SnapshotChunk {
  const from = request.headers[RAFT_FROM_HEADER];
  const header = request.headers[RAFT_SNAPSHOT_HEADER];
  const offset = Number(request.headers[RAFT_SNAPSHOT_OFFSET_HEADER]);
  const total = Number(request.headers[RAFT_SNAPSHOT_TOTAL_HEADER]);
  if (typeof from !== 'string' || typeof header !== 'string')
    throw new BadParameter(
      `a snapshot chunk needs ${RAFT_FROM_HEADER} and ${RAFT_SNAPSHOT_HEADER}`,
    );
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new BadParameter(`${RAFT_SNAPSHOT_OFFSET_HEADER} must be a byte offset`);
  const body = request.body ?? Buffer.alloc(0);
  if (!Buffer.isBuffer(body))
    throw new BadParameter(`a snapshot chunk is sent as ${RAFT_SNAPSHOT_CONTENT_TYPE}`);
  return { from, header, offset, total, data: body };
}
