import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import { decodeCallChain } from '@cc/resource';
import { ExpensiveWorkContext } from './expensive-reads';

/** What a write needs to know about its caller, beside the resource call chain. */
export interface RequestContext extends ExpensiveWorkContext {
  operator: string;
  /** DESIGN 12: a client-chosen id makes a retried write apply once. */
  idempotencyKey?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    nodeId: string;
  }
}

const OPERATOR_PATTERN = /^[\w.@:-]{1,64}$/;
const IDEMPOTENCY_PATTERN = /^[\w.:-]{1,128}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestContextOf(request: FastifyRequest, reply: FastifyReply): RequestContext {
  const operator = header(request, 'x-operator') ?? 'anonymous';
  if (!OPERATOR_PATTERN.test(operator))
    throw new BadParameter('X-Operator must be 1-64 characters of [A-Za-z0-9_.@:-]');
  const idempotencyKey = header(request, 'idempotency-key') ?? header(request, 'x-request-id');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_PATTERN.test(idempotencyKey)) {
    throw new BadParameter(
      'Idempotency-Key / X-Request-Id must be 1-128 characters of [A-Za-z0-9_.:-]',
    );
  }
  return {
    requestId: request.id,
    nodeId: request.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    operator,
    idempotencyKey,
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
