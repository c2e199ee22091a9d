import { FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import {
  IDEMPOTENCY_KEY_PATTERN,
  IdempotencyClaim,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_IDEMPOTENCY_SCOPE_LENGTH,
} from '../state/commands';
import { requestFingerprint } from './request-fingerprint';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's client id, set by the authentication at the edge (auth/). */
    callerId?: string;
  }
}

export const ANONYMOUS_CALLER = 'anonymous';

/**
 * Who is calling, as idempotency keys are scoped and changes recorded (DESIGN 12, 21): the
 * verified token's client id; `anonymous` only where no token is asked for.
 */
export function callerIdOf(request: FastifyRequest): string {
  return request.callerId ?? ANONYMOUS_CALLER;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The Idempotency-Key of a write, scoped to the caller and the endpoint and fingerprinted
 * (DESIGN 12). Only this header dedupes: X-Request-Id is for tracing. The scope is the route
 * template, not this node's URL, so a retry sent to another node of the cluster (or forwarded
 * to the leader) lands on the same record.
 */
export function idempotencyClaimOf(request: FastifyRequest): IdempotencyClaim | undefined {
  const key = header(request, 'idempotency-key');
  if (key === undefined || request.method === 'GET' || request.method === 'HEAD') return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new BadParameter(
      { field: 'Idempotency-Key', errors: ['must be 1-128 visible ASCII characters'] },
      `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (0x21-0x7E)`,
    );
  }
  const route = request.routeOptions.url ?? request.url;
  const scope = `${callerIdOf(request)} ${request.method} ${route}`;
  if (scope.length > MAX_IDEMPOTENCY_SCOPE_LENGTH)
    throw new BadParameter(`the caller id is too long to scope an Idempotency-Key`);
  return {
    key,
    scope,
    fingerprint: requestFingerprint({
      method: request.method,
      route,
      params: request.params,
      query: request.query,
      body: request.body,
    }),
  };
}
