import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { decodeCallChain } from '@cc/resource';
import { IdempotencyClaim } from '../state/commands';
import { ExpensiveWorkContext } from './expensive-reads';
import { callerIdOf, idempotencyClaimOf } from './idempotency';
import { operatorOf } from './operator';

/** What a write needs to know about its caller, beside the resource call chain. */
export interface RequestContext extends ExpensiveWorkContext {
  /** Recorded on a change: the verified token's client id (DESIGN 21), else `anonymous`. */
  operator: string;
  /** X-Operator, when sent: who the caller says it acts for (an untrusted label). */
  onBehalfOf: string | null;
  /** Whether the caller may see a namespace (lists show only the caller's namespaces). */
  mayUseNamespace: (namespace: string) => boolean;
  /** DESIGN 12: the client's Idempotency-Key makes a retried write apply once. */
  idempotency?: IdempotencyClaim;
}

declare module 'fastify' {
  interface FastifyRequest {
    nodeId: string;
    /** Set by the authentication at the edge: the verified caller's namespace rule. */
    mayUseNamespace?: (namespace: string) => boolean;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestContextOf(request: FastifyRequest, reply: FastifyReply): RequestContext {
  const onBehalfOf = header(request, 'x-operator');
  return {
    requestId: request.id,
    nodeId: request.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    operator: callerIdOf(request),
    onBehalfOf: onBehalfOf === undefined ? null : operatorOf(onBehalfOf),
    mayUseNamespace: request.mayUseNamespace ?? (() => true),
    idempotency: idempotencyClaimOf(request),
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
