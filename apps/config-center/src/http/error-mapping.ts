import { HttpException } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  defaultMessages,
  ErrorCode,
  errorEnvelope,
  httpStatusOf,
  ServerBusy,
} from '@cc/common';

/**
 * The one error vocabulary of the edge (STYLE "One error vocabulary"): whatever a handler, a
 * hook or a framework throws becomes an AppError here, and is answered by `answerError`; the
 * node's exception filter, its bare Raft routes, the edge guards and the read workers all use
 * these two. An error without a spec code is a bug: 50001, logged once with the request id.
 */

export interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Where an unexpected error is logged: the node's Nest logger, a worker's stderr. */
export interface ErrorLog {
  error(fields: Record<string, unknown>, message: string): void;
}

/** Node's "aborted" (the client closed the connection while its body was being read). */
export function isClientAbort(error: unknown): boolean {
  const code = (error as FastifyLikeError | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Fastify's own errors (FST_*: body parsing, limits, routing) in the spec's codes; undefined for anything else. */
export function fromFastifyError(error: FastifyLikeError): AppError | undefined {
  if (
    typeof error.statusCode !== 'number' ||
    typeof error.code !== 'string' ||
    !error.code.startsWith('FST_')
  )
    return undefined;
  if (error.statusCode === 413)
    return new AppError(ErrorCode.VALIDATION_FAILED, 'request body too large', error.message);
  if (error.statusCode === 404) return new AppError(ErrorCode.NOT_FOUND, error.message);
  if (error.statusCode === 415)
    return new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, error.message);
  if (error.statusCode >= 400 && error.statusCode < 500)
    return new AppError(ErrorCode.BAD_PARAMETER, 'bad request', error.message);
  return undefined;
}

/** Nest's framework errors (a 404 route, a guard's 403...) in the spec's codes. */
function fromHttpException(exception: HttpException): AppError {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const detail =
    typeof response === 'object' && response !== null && 'message' in response
      ? (response as { message: unknown }).message
      : exception.message;
  if (status === 404)
    return new AppError(ErrorCode.NOT_FOUND, typeof detail === 'string' ? detail : 'not found');
  if (status === 413)
    return new AppError(ErrorCode.VALIDATION_FAILED, 'request body too large', detail);
  if (status === 401) return new AppError(ErrorCode.UNAUTHORIZED, undefined, detail);
  if (status === 403) return new AppError(ErrorCode.FORBIDDEN, undefined, detail);
  if (status === 415) return new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, undefined, detail);
  if (status === 429) return new AppError(ErrorCode.RATE_LIMITED, undefined, detail);
  if (status >= 400 && status < 500)
    return new AppError(ErrorCode.BAD_PARAMETER, 'bad request', detail);
  return internalError();
}

const internalError = (): AppError =>
  new AppError(ErrorCode.INTERNAL, defaultMessages[ErrorCode.INTERNAL]);

/**
 * Any thrown value in the spec's codes. A client abort is 40001 here (there is nobody to answer;
 * `answerError` only drops the connection); anything unknown is 50001 without details.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HttpException) return fromHttpException(error);
  if (isClientAbort(error))
    return new AppError(ErrorCode.BAD_PARAMETER, 'the client closed the connection');
  if (typeof error === 'object' && error !== null) {
    const fromFastify = fromFastifyError(error as FastifyLikeError);
    if (fromFastify) return fromFastify;
  }
  return internalError();
}

/** Whether `failure` stands for a bug (or an unknown failure) rather than a decided answer. */
export const isUnexpected = (failure: AppError): boolean => failure.code === ErrorCode.INTERNAL;

/**
 * Maps `error` and, when it is unexpected, logs it once with the request id. The caller answers
 * the result (a stream writes it as its last line).
 */
export function mapAndLog(error: unknown, requestId: string, log: ErrorLog): AppError {
  const failure = toAppError(error);
  if (isUnexpected(failure)) log.error({ err: error, request_id: requestId }, 'unhandled error');
  return failure;
}

/**
 * Writes `failure` as the error envelope, with its status, `Retry-After` when it has one, and
 * `headers`. Marked enveloped, so the success-envelope hook leaves it alone.
 */
export function sendErrorEnvelope(
  request: FastifyRequest,
  reply: FastifyReply,
  failure: AppError,
  headers: Record<string, string> = {},
): FastifyReply {
  request.enveloped = true;
  if (failure instanceof ServerBusy)
    void reply.header('retry-after', String(failure.retryAfterSeconds));
  return reply
    .code(httpStatusOf(failure.code))
    .headers({ ...headers, 'content-type': 'application/json; charset=utf-8' })
    .send(errorEnvelope(failure.code, failure.message, request.id, failure.details, failure.extra));
}

/**
 * The answer to anything thrown while serving `request`: a client that went away gets nothing
 * (its connection is dropped); everything else its envelope, an unexpected error logged first.
 */
export function answerError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  log: ErrorLog,
): FastifyReply | undefined {
  if (isClientAbort(error)) {
    if (!reply.sent) reply.raw.destroy();
    return undefined;
  }
  return sendErrorEnvelope(request, reply, mapAndLog(error, request.id, log));
}
