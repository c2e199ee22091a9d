import { Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { mapAndLog, sendErrorEnvelope } from '../../http/error-mapping';

const log = new Logger('Errors');

/** The envelope a bare Raft route answers a refused request with (secret, shape, shutdown). */
export function refuseRaftRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  return sendErrorEnvelope(request, reply, mapAndLog(error, request.id, log));
}
