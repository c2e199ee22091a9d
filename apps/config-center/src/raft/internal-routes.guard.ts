import { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError, ErrorCode, RouteNotFound } from '@cc/common';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { refuseRaftRequest } from './raft-refusal';
import {
  INTERNAL_PREFIX,
  INTERNAL_WILDCARD_PATH,
  internalBodyLimit,
  RAFT_STREAM_PATH,
} from './raft-wire';

/** After a refusal, how long a client that keeps sending may hold the connection. */
const REFUSED_LINGER_MS = 500;

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

function refuseAndClose(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const socket = request.raw.socket;
  // A lingering close: after a `Connection: close` answer Node destroys the socket at once, and
  // a sender still writing its body gets a reset that may reach it before the answer does. So
  // our side is only ended (the answer, then FIN), and the socket destroyed a moment later.
  socket.destroySoon = () => void socket.end();
  // Meanwhile nothing more is read: the body counts as taken (so Node does not read the rest
  // to discard it), and once its small buffer is full the socket is paused by backpressure.
  request.raw.read(0);
  reply.raw.once('finish', () => {
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  });
  void refuseRaftRequest(request, reply.header('connection', 'close'), error);
}

/**
 * Destroys the connection of a request whose body is still incomplete after `timeoutMs`. A
 * per-route hook, not Node's server-wide `requestTimeout`, which would also cut the Raft stream.
 */
export function bodyTimeoutHook(timeoutMs: number): onRequestHookHandler {
  return (request, reply, done) => {
    const raw = request.raw;
    const timer = setTimeout(() => {
      if (!raw.complete) raw.socket.destroy();
    }, timeoutMs);
    timer.unref();
    const stop = (): void => clearTimeout(timer);
    raw.once('end', stop);
    reply.raw.once('close', stop);
    done();
  };
}
