import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  ErrorCode,
  ServerBusy,
  defaultMessages,
  errorEnvelope,
  httpStatusOf,
} from '@cc/common';

import { FastifyLikeError, fromFastifyError, isClientAbort } from './fastify-errors';

/** Maps framework errors (body parsing, 404, 413...) to the spec's codes. */
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
  return new AppError(ErrorCode.INTERNAL, 'internal error');
}

/** The one place where failures become envelopes (DESIGN 8): never a bare 500. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (isClientAbort(exception)) {
      // The client went away mid-request: nothing to answer, nothing wrong with the node.
      this.logger.debug({ request_id: request.id }, 'client closed the connection');
      if (!reply.sent) reply.raw.destroy();
      return;
    }
    let error: AppError;
    if (exception instanceof AppError) error = exception;
    else if (exception instanceof HttpException) error = fromHttpException(exception);
    else {
      error =
        fromFastifyError(exception as FastifyLikeError) ??
        new AppError(ErrorCode.INTERNAL, defaultMessages[ErrorCode.INTERNAL]);
      if (error.code === ErrorCode.INTERNAL) {
        this.logger.error({ err: exception, request_id: request.id }, 'unhandled error');
      }
    }
    request.enveloped = true;
    if (error instanceof ServerBusy)
      void reply.header('retry-after', String(error.retryAfterSeconds));
    void reply
      .status(httpStatusOf(error.code))
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorEnvelope(error.code, error.message, request.id, error.details, error.extra));
  }
}
