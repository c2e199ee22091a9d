import { AppError, ErrorCode } from '@cc/common';

export interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
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

/** Node's "aborted" (the client closed the connection while its body was being read). */
export function isClientAbort(error: unknown): boolean {
  const code = (error as FastifyLikeError | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
