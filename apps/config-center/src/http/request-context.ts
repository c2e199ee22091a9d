import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { decodeCallChain } from '@cc/resource';
import { ChangeOrigin, IdempotencyClaim } from '../state/commands';
import { ExpensiveWorkContext } from './expensive-reads';
import { callerIdOf, idempotencyClaimOf } from './idempotency';
import { operatorOf } from './operator';
import { originOf } from './request-origin';

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
  /** Who asked and from where, stored with the change (audit); absent for the node's own jobs. */
  origin?: ChangeOrigin;
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

const EVERY_NAMESPACE = (): boolean => true;

/**
 * A class, not an object literal: `origin` is a prototype getter, built only when a write reads
 * it (building it on every request cost reads ~7 µs CPU each, ~9%).
 */
class HttpRequestContext implements RequestContext {
  readonly requestId: string;
  readonly nodeId: string;
  readonly chain: RequestContext['chain'];
  readonly operator: string;
  readonly onBehalfOf: string | null;
  readonly mayUseNamespace: (namespace: string) => boolean;
  readonly idempotency?: IdempotencyClaim;
  private builtOrigin?: ChangeOrigin;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {
    this.requestId = request.id;
    this.nodeId = request.nodeId;
    this.chain = decodeCallChain(request.headers['x-call-chain']);
    this.operator = callerIdOf(request);
    const onBehalfOf = header(request, 'x-operator');
    this.onBehalfOf = onBehalfOf === undefined ? null : operatorOf(onBehalfOf);
    this.mayUseNamespace = request.mayUseNamespace ?? EVERY_NAMESPACE;
    this.idempotency = idempotencyClaimOf(request);
  }

  get origin(): ChangeOrigin {
    return (this.builtOrigin ??= originOf(this.request));
  }

  readonly enterExpensive = () => this.request.server.expensiveReads.enter(this.reply.raw);
}

export function requestContextOf(request: FastifyRequest, reply: FastifyReply): RequestContext {
  return new HttpRequestContext(request, reply);
}

/** `@Ctx() context: RequestContext` in a controller. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext) =>
  requestContextOf(
    host.switchToHttp().getRequest<FastifyRequest>(),
    host.switchToHttp().getResponse<FastifyReply>(),
  ),
);
