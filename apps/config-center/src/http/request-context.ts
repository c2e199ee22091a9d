import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { decodeCallChain } from '@cc/resource';
import { ChangeOrigin, IdempotencyClaim } from '../state/commands';
import { ExpensiveWorkContext } from './expensive-reads';
import { idempotencyClaimOf } from './idempotency';
import { operatorOf } from './operator';
import { originOf } from './request-origin';

/** What a write needs to know about its caller, beside the resource call chain. */
export interface RequestContext extends ExpensiveWorkContext {
  operator: string;
  /** DESIGN 12: the client's Idempotency-Key makes a retried write apply once. */
  idempotency?: IdempotencyClaim;
  /** Who asked and from where, stored with the change (audit); absent for the node's own jobs. */
  origin?: ChangeOrigin;
}

declare module 'fastify' {
  interface FastifyRequest {
    nodeId: string;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestContextOf(request: FastifyRequest, reply: FastifyReply): RequestContext {
  const operator = operatorOf(header(request, 'x-operator'));
  return {
    requestId: request.id,
    nodeId: request.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    operator,
    idempotency: idempotencyClaimOf(request),
    origin: originOf(request),
    enterExpensive: () => request.server.expensiveReads.enter(reply.raw),
  };
}

/** `@Ctx() context: RequestContext` in a controller. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext) =>
  requestContextOf(
    host.switchToHttp().getRequest<FastifyRequest>(),
    host.switchToHttp().getResponse<FastifyReply>(),
  ),
);
