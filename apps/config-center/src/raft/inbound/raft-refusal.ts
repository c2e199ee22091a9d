import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, errorEnvelope } from '@cc/common';

/** The envelope a bare Raft route answers a refused request with (secret, shape, shutdown). */
export function refuseRaftRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  const failure =
    error instanceof AppError
      ? error
      : new AppError(ErrorCode.BAD_PARAMETER, (error as Error).message);
  request.enveloped = true;
  return reply
    .code(failure.httpStatus)
    .send(errorEnvelope(failure.code, failure.message, request.id, failure.details));
}
