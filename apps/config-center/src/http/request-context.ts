import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import { CallContext, decodeCallChain } from '@cc/resource';
import { operatorOf } from './operator';

/** What a write needs to know about its caller, beside the resource call chain. */
export interface RequestContext extends CallContext {
  operator: string;
  /** DESIGN 12: a client-chosen id makes a retried write apply once. */
  idempotencyKey?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    nodeId: string;
  }
}

const IDEMPOTENCY_PATTERN = /^[\w.:-]{1,128}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestContextOf(request: FastifyRequest): RequestContext {
  const operator = operatorOf(header(request, 'x-operator'));
  // DESIGN 12: X-Request-Id is for tracing; only Idempotency-Key dedupes.
  const idempotencyKey = header(request, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_PATTERN.test(idempotencyKey)) {
    throw new BadParameter('Idempotency-Key must be 1-128 characters of [A-Za-z0-9_.:-]');
  }
  return {
    requestId: request.id,
    nodeId: request.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    operator,
    idempotencyKey,
  };
}

/** `@Ctx() context: RequestContext` in a controller. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext) =>
  requestContextOf(host.switchToHttp().getRequest<FastifyRequest>()),
);
