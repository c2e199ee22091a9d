import { randomUUID } from 'node:crypto';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** X-Request-Id when the client sent a sane one, else a new UUID (spec 3.8.2 `request_id`). */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}
