import { randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';

/** The longest client X-Request-Id kept as the request's id. */
export const MAX_REQUEST_ID_LENGTH = 200;
/** Answered `true` when the client's X-Request-Id was not usable and a new one was made. */
export const REQUEST_ID_REPLACED_HEADER = 'x-request-id-replaced';

/** Printable ASCII (space to `~`): what a trace id of any tracing system looks like. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function usable(value: string | undefined): value is string {
  return (
    value !== undefined &&
    value.length > 0 &&
    value.length <= MAX_REQUEST_ID_LENGTH &&
    PRINTABLE_ASCII.test(value)
  );
}

/**
 * X-Request-Id when the client sent a usable one (spec 3.8.2 `request_id`), else a new UUID.
 * A trace id never refuses a request: an unusable one is replaced and the answer says so
 * (`X-Request-Id-Replaced: true`, see `wasReplaced`).
 */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return usable(value) ? value : randomUUID();
}

/** Did the client send an X-Request-Id that `requestIdOf` replaced? */
export function requestIdReplaced(request: FastifyRequest): boolean {
  const sent = request.headers['x-request-id'];
  return sent !== undefined && sent !== request.id;
}
