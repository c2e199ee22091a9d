import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import { CallContext, decodeCallChain } from '@cc/resource';
import { IdempotencyClaim } from '../state/commands';
import { idempotencyClaimOf } from './idempotency';

/** What a write needs to know about its caller, beside the resource call chain. */
export interface RequestContext extends CallContext {
  operator: string;
  /** DESIGN 12: the client's Idempotency-Key makes a retried write apply once. */
  idempotency?: IdempotencyClaim;
}

declare module 'fastify' {
  interface FastifyRequest {
    nodeId: string;
  }
}

const OPERATOR_PATTERN = /^[\w.@:-]{1,64}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestContextOf(request: FastifyRequest): RequestContext {
  const operator = header(request, 'x-operator') ?? 'anonymous';
  if (!OPERATOR_PATTERN.test(operator))
    throw new BadParameter('X-Operator must be 1-64 characters of [A-Za-z0-9_.@:-]');
  return {
    requestId: request.id,
    nodeId: request.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    operator,
    idempotency: idempotencyClaimOf(request),
  };
}

/** `@Ctx() context: RequestContext` in a controller. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext) =>
  requestContextOf(host.switchToHttp().getRequest<FastifyRequest>()),
);
