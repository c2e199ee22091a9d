import { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError, ErrorCode, RouteNotFound } from '@cc/common';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { cutIncompleteBodyAfter, refuseBeforeBody } from '../../http/edge-guards';
import {
  INTERNAL_PREFIX,
  INTERNAL_WILDCARD_PATH,
  internalBodyLimit,
  RAFT_STREAM_PATH,
} from '../transport/raft-wire';

export interface InternalRouteGuardOptions {
  secret: ClusterSecretCheck;
  /** A body not complete in this time is cut (the Raft stream is exempt). */
  bodyTimeoutMs: number;
  /** Set the node's body limit per route (raft-wire.ts); a read worker streams bodies on to the node. */
  bodyLimits: boolean;
}

/**
 * Every route under /internal/, whoever registers it (bare Fastify routes, Nest controllers,
 * a read worker's proxy), gets, by its routed template (so /%69nternal/... is caught too):
 *  - the cluster secret checked in `onRequest`, before a byte of the body is read; a refusal
 *    answers the usual envelope with `Connection: close` and drops the connection, so an
 *    unauthenticated 100 MB body costs nothing;
 *  - a body limit sized to what a peer really sends (raft-wire.ts);
 *  - a body timeout, except on the long-lived Raft stream, whose frames are bounded instead.
 * Must be installed before the routes are registered (it is an `onRoute` hook).
 */
export function guardInternalRoutes(
  fastify: FastifyInstance,
  options: InternalRouteGuardOptions,
): void {
  const checkSecret: onRequestHookHandler = (request, reply, done) => {
    try {
      options.secret.verify(request);
    } catch (error) {
      refuseAndClose(request, reply, error);
      return;
    }
    done();
  };
  const bodyTimeout = bodyTimeoutHook(options.bodyTimeoutMs);

  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(INTERNAL_PREFIX)) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    const bounded = route.url !== RAFT_STREAM_PATH;
    const limit = internalBodyLimit(route.url);
    route.onRequest = [
      checkSecret,
      ...(bounded ? [refuseDeclaredAbove(limit), bodyTimeout] : []),
      ...own,
    ];
    if (options.bodyLimits) route.bodyLimit = limit;
  });
}

/** A body whose Content-Length passes the route's limit is refused before it is read. */
function refuseDeclaredAbove(limit: number): onRequestHookHandler {
  return (request, reply, done) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared <= limit) {
      done();
      return;
    }
    const message = `request body too large: ${declared} bytes, at most ${limit} on this route`;
    refuseAndClose(request, reply, new AppError(ErrorCode.VALIDATION_FAILED, message, message));
  };
}

/**
 * A node that is not part of a cluster has no internal route: anything under /internal/ gets
 * the 404 envelope at once, before its body is read, and the connection is closed.
 */
export function refuseInternalRoutes(fastify: FastifyInstance): void {
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: INTERNAL_WILDCARD_PATH,
    // Answered from the hook: `done` is never called, so the request goes no further.
    onRequest: (request, reply) => {
      refuseAndClose(request, reply, new RouteNotFound(request.method, request.url));
    },
    handler: async () => undefined,
  });
}

/** The usual envelope for anything refused here (an unknown error counts as a bad request). */
function refuseAndClose(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const failure =
    error instanceof AppError
      ? error
      : new AppError(ErrorCode.BAD_PARAMETER, (error as Error).message);
  refuseBeforeBody(request, reply, failure);
}

/** The per-route form of cutIncompleteBodyAfter (edge-guards.ts). */
export function bodyTimeoutHook(timeoutMs: number): onRequestHookHandler {
  return (request, reply, done) => {
    cutIncompleteBodyAfter(request, reply, timeoutMs);
    done();
  };
}
