import { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@cc/common';
import { RequestAuthentication } from '../http/edge-guards';
import { sendErrorEnvelope } from '../http/error-mapping';
import { Caller, mayUseNamespace } from './caller';
import { accessOf, accessOfPath, namespacesOf, NamespaceSource, RouteAccess } from './route-access';

/** An unmatched path: Fastify answers 404 without a token. */
const PUBLIC_ACCESS: RouteAccess = { kind: 'public' };
/** A route nobody decided on (install refuses to start with one): admins only. */
const UNDECIDED_ACCESS: RouteAccess = { kind: 'token', role: 'admin', namespaces: 'none' };
import { TokenAuthenticator } from './token-authenticator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the token was verified (DESIGN 21); undefined on public routes. */
    caller?: Caller;
    /** Where the parsed body names its namespaces, when the route's rule says it does. */
    bodyNamespaces?: NamespaceSource;
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
    else if (access.namespaces !== 'none') request.bodyNamespaces = access.namespaces;
  }

  /** 40301 for a namespace the parsed body names outside the caller's list. */
  afterBody(request: FastifyRequest, body: unknown = request.body): void {
    const source = request.bodyNamespaces;
    if (source === undefined || !request.caller) return;
    this.authenticator.requireNamespaces(
      request.caller,
      namespacesOf({ query: request.query, params: request.params, body }, source),
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
    // Only requests whose body names namespaces do any work here (reads pass straight on).
    fastify.addHook('preHandler', (request, reply, done) => {
      if (request.bodyNamespaces === undefined) return done();
      try {
        this.afterBody(request);
      } catch (error) {
        sendErrorEnvelope(request, reply, error as AppError);
        return;
      }
      done();
    });
  }

  private accessOf(request: FastifyRequest): RouteAccess {
    const url = request.routeOptions.url;
    if (url === undefined) return PUBLIC_ACCESS;
    if (this.wildcardRoutes.has(url)) return accessOfPath(request.method, request.url);
    return accessOf(request.method, url) ?? UNDECIDED_ACCESS;
  }
}
