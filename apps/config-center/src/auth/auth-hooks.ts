import { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@cc/common';
import { RequestAuthentication } from '../http/edge-guards';
import { sendErrorEnvelope } from '../http/error-mapping';
import { Caller, mayUseNamespace } from './caller';
import { accessOf, accessOfPath, namespacesOf, RouteAccess } from './route-access';
import { TokenAuthenticator } from './token-authenticator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the token was verified (DESIGN 21); undefined on public routes. */
    caller?: Caller;
  }
}

/**
 * Authentication and authorization at the edge, on the node and in every read worker alike:
 * the token and the role before a byte of the body is read (installEdgeGuards calls
 * `beforeBody` in onRequest), the namespaces a body names once it is parsed (preHandler).
 */
export class EdgeAuthorization implements RequestAuthentication {
  constructor(
    private readonly authenticator: TokenAuthenticator,
    /** A read worker passes most routes on under wildcards; the node checks them again. */
    private readonly wildcardRoutes: ReadonlySet<string> = new Set(),
  ) {}

  beforeBody(request: FastifyRequest): void {
    const access = this.accessOf(request);
    if (access.kind !== 'token') return;
    const caller = this.authenticator.authenticate(request.headers.authorization);
    request.caller = caller;
    request.callerId = caller.clientId;
    request.mayUseNamespace = (namespace) => mayUseNamespace(caller, namespace);
    this.authenticator.requireRole(caller, access.role);
    if (access.namespaces === 'query' || access.namespaces === 'param')
      this.authenticator.requireNamespaces(caller, namespacesOf(request, access.namespaces));
  }

  /** 40301 for a namespace the parsed body names outside the caller's list. */
  afterBody(request: FastifyRequest, body: unknown = request.body): void {
    const access = this.accessOf(request);
    if (access.kind !== 'token' || !request.caller) return;
    if (
      access.namespaces === 'body' ||
      access.namespaces === 'query-or-body' ||
      access.namespaces === 'operations'
    )
      this.authenticator.requireNamespaces(
        request.caller,
        namespacesOf({ query: request.query, params: request.params, body }, access.namespaces),
      );
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      const url = route.url ?? route.path;
      if (this.wildcardRoutes.has(url)) return;
      for (const method of [route.method].flat())
        if (method !== 'OPTIONS' && !accessOf(method, url))
          throw new Error(`route ${method} ${url} has no access rule (auth/route-access.ts)`);
    });
    fastify.addHook('preHandler', async (request, reply) => {
      try {
        this.afterBody(request);
      } catch (error) {
        return sendErrorEnvelope(request, reply, error as AppError);
      }
    });
  }

  private accessOf(request: FastifyRequest): RouteAccess {
    const url = request.routeOptions.url;
    if (url === undefined) return { kind: 'public' };
    if (this.wildcardRoutes.has(url)) return accessOfPath(request.method, request.url);
    return accessOf(request.method, url) ?? { kind: 'token', role: 'admin', namespaces: 'none' };
  }
}
