import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '@cc/common';
import { AppConfig } from '../env/app-config';
import { MAX_COMMAND_BYTES } from '../state/commands';
import { sendErrorEnvelope, toAppError } from './error-mapping';

/** Room for the JSON around a value: key, namespace, description, expected_version. */
const ENVELOPE_OVERHEAD_BYTES = 64 * 1024;
/** Bodies of routes that carry no config value (namespace, rollback, membership...). */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * The largest body each public route accepts (issue 11, item 4). A single config write is one
 * value plus its fields; a value may be sent with whitespace and escapes that its stored form
 * drops, hence twice MAX_VALUE_BYTES. Batch and import are one log entry of at most
 * MAX_COMMAND_BYTES encoded; a body larger than that by more than its JSON punctuation could
 * not be proposed anyway.
 */
export function bodyLimitOf(method: string, url: string, limits: AppConfig['limits']): number {
  if (method === 'GET' || method === 'HEAD' || method === 'DELETE') return SMALL_BODY_BYTES;
  if (url === '/api/v1/admin/config') return 2 * limits.maxValueBytes + ENVELOPE_OVERHEAD_BYTES;
  if (url === '/api/v1/admin/config/batch' || url === '/api/v1/admin/namespace/import')
    return MAX_COMMAND_BYTES + 1024 * 1024;
  if (url === '/api/v1/config/batch-get') return 1024 * 1024;
  return SMALL_BODY_BYTES;
}

/**
 * Who is calling, decided before the body is read (auth/auth-hooks.ts implements it): throws
 * 40101/40301, and sets `request.callerId` when a token was verified.
 */
export interface RequestAuthentication {
  beforeBody(request: FastifyRequest): void;
}

/**
 * A process-wide budget of body bytes being received or parsed. Each request with a body holds
 * its Content-Length (or its route's limit when it is chunked) until its response ends; when the
 * budget is spent the request is refused before its body is read. This bounds what many slow or
 * large bodies can take at once, however they are spread over connections.
 */
export class BodyBudget {
  private inUse = 0;

  constructor(readonly capacity: number) {}

  get used(): number {
    return this.inUse;
  }

  tryReserve(bytes: number): boolean {
    if (bytes > 0 && this.inUse + bytes > this.capacity) return false;
    this.inUse += bytes;
    return true;
  }

  release(bytes: number): void {
    this.inUse = Math.max(0, this.inUse - bytes);
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}

/** After a refusal, how long a client that keeps sending may hold the connection. */
const REFUSED_LINGER_MS = 500;

/**
 * A refusal sent before the body is read, on the public and the node-to-node routes alike.
 * The body is never drained: it counts as taken (Node does not read the rest to discard it),
 * the socket pauses once its small buffer is full, and the connection closes after the answer.
 * A lingering close: Node would destroy the socket at once after `Connection: close`, and a
 * sender still writing its body would get a reset that may reach it before the answer does; so
 * our side is only ended (the answer, then FIN) and the socket destroyed a moment later.
 */
export function refuseBeforeBody(
  request: FastifyRequest,
  reply: FastifyReply,
  failure: AppError,
  headers: Record<string, string> = {},
): void {
  const socket = request.raw.socket;
  socket.destroySoon = () => void socket.end();
  request.raw.read(0);
  reply.raw.once('finish', () => {
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  });
  sendErrorEnvelope(request, reply, failure, { ...headers, connection: 'close' });
}

/**
 * Destroys the connection of a request whose body is still incomplete after `timeoutMs`: per
 * request, not Node's server-wide `requestTimeout`, which would also cut the Raft stream.
 */
export function cutIncompleteBodyAfter(
  request: FastifyRequest,
  reply: FastifyReply,
  timeoutMs: number,
): void {
  const raw = request.raw;
  const timer = setTimeout(() => {
    if (!raw.complete) raw.socket.destroy();
  }, timeoutMs);
  timer.unref();
  const stop = (): void => clearTimeout(timer);
  raw.once('end', stop);
  reply.raw.once('close', stop);
}

export interface EdgeGuardOptions {
  auth: RequestAuthentication;
  budget: BodyBudget;
  bodyTimeoutMs: number;
  /** Routes that stream their body for as long as the connection lives (the Raft stream). */
  longLivedRoutes: ReadonlySet<string>;
  /** Routes under this prefix time their bodies themselves (node-to-node: RAFT_BODY_TIMEOUT_MS). */
  ownBodyTimeoutPrefix: string;
}

/**
 * The checks every request passes before its body is read (issue 11, items 1 and 4): admin
 * authentication, the in-flight body budget and the time a body may take to arrive. Installed on
 * the node and on each read worker alike.
 */
export function installEdgeGuards(fastify: FastifyInstance, options: EdgeGuardOptions): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    try {
      options.auth.beforeBody(request);
    } catch (error) {
      refuseBeforeBody(request, reply, toAppError(error));
      return done();
    }
    if (!hasBody(request) || (route !== undefined && options.longLivedRoutes.has(route)))
      return done();

    const declared = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit ?? SMALL_BODY_BYTES;
    const reservation = Number.isFinite(declared) ? Math.min(declared, limit) : limit;
    if (!options.budget.tryReserve(reservation)) {
      refuseBeforeBody(
        request,
        reply,
        new AppError(
          ErrorCode.UNAVAILABLE,
          'too many request bodies in flight on this node; retry shortly',
        ),
        { 'retry-after': '1' },
      );
      return done();
    }
    if (!(route ?? '').startsWith(options.ownBodyTimeoutPrefix))
      cutIncompleteBodyAfter(request, reply, options.bodyTimeoutMs);
    // The response's close comes last in every case: answered, cut by the timer, or abandoned.
    reply.raw.once('close', () => options.budget.release(reservation));
    done();
  });
}
