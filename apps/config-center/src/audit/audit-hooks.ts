import { FastifyInstance, FastifyRequest } from 'fastify';
import { endpointOf, originOf } from '../http/request-origin';
import { ORIGIN_LIMITS } from '../state/commands';
import { actionOfEndpoint, MEMBERSHIP_ENDPOINTS } from './audit-actions';
import { LocalAuditRecord } from './local-audit-record';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once a route handler starts: a refusal before it was made by a guard (audit). */
    reachedHandler: boolean;
    /** The envelope's code of an error answer, read as it is sent (audit). */
    answeredCode: number;
  }
}

/** Refusals that are denials wherever they happen: no credential, no right, a limit. */
const DENIAL_STATUSES = new Set([401, 403, 429]);
const INTERNAL_PREFIX = '/internal/';
const CODE_IN_ENVELOPE = /"code":\s*(\d+)/;

/** What a request leaves in the local audit, if anything (DESIGN 17). */
export function classifyForAudit(
  request: FastifyRequest,
  status: number,
  refusalsOnly = false,
): Pick<LocalAuditRecord, 'outcome' | 'code'> | undefined {
  // The common case first, with no allocation: a success that is no membership change.
  if (status < 400 && (refusalsOnly || request.method === 'GET')) return undefined;
  if (refusalsOnly && request.reachedHandler) return undefined;
  const route = request.routeOptions.url ?? '';
  if (status < 400)
    return MEMBERSHIP_ENDPOINTS.has(`${request.method} ${route}`)
      ? { outcome: 'success', code: 0 }
      : undefined;
  const code = request.answeredCode || status * 100;
  // A guard refused it before any handler ran (an unmatched route is no refusal: no guard ran).
  if (DENIAL_STATUSES.has(status) || (!request.reachedHandler && status !== 404))
    return { outcome: 'denied', code };
  const isChange = request.method !== 'GET' && request.method !== 'HEAD';
  if (isChange && !route.startsWith(INTERNAL_PREFIX)) return { outcome: 'failed', code };
  return undefined;
}

function text(value: unknown, limit: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const characters = Array.from(value);
  return characters.length > limit ? characters.slice(0, limit).join('') : value;
}

/**
 * The endpoint id; under a catch-all route (a read worker passes `/api/v1/admin/*` on to the
 * node) the path itself, without its query, since the worker does not know the node's templates.
 */
function auditedEndpoint(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined || !route.includes('*')) return endpointOf(request);
  const path = request.url.split('?')[0];
  return text(`${request.method} ${path}`, ORIGIN_LIMITS.endpoint) ?? endpointOf(request);
}

/** The namespace and key a request names, when it names them (query, path or parsed body). */
function targetOf(request: FastifyRequest): Pick<LocalAuditRecord, 'namespace' | 'configKey'> {
  const sources = [request.query, request.params, request.body].filter(
    (source): source is Record<string, unknown> =>
      typeof source === 'object' && source !== null && !Buffer.isBuffer(source),
  );
  const field = (name: string): unknown => sources.find((source) => name in source)?.[name];
  return { namespace: text(field('namespace'), 128), configKey: text(field('key'), 256) };
}

/**
 * Records denied and failed requests, and membership changes, in the local audit: on the node
 * and on each read worker alike (a worker refuses some requests itself). Never the token: the
 * Authorization header is not read here. Fastify hooks, not a Nest interceptor: every request
 * passes here (STYLE "hot paths"), and a success costs one comparison.
 */
export interface AuditHookOptions {
  nodeId: string;
  /**
   * A read worker: it records only what its own guards refused; what it passed on to the node
   * (and the node's answer to it) the node records.
   */
  refusalsOnly: boolean;
  record: (row: LocalAuditRecord) => void;
}

export function installAuditHooks(fastify: FastifyInstance, options: AuditHookOptions): void {
  const nodeId = text(options.nodeId, ORIGIN_LIMITS.nodeId) ?? '';
  // Declared up front: requests keep one shape (no hidden-class change on the hot path).
  fastify.decorateRequest('reachedHandler', false);
  fastify.decorateRequest('answeredCode', 0);
  fastify.addHook('preHandler', (request, _reply, done) => {
    request.reachedHandler = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400) {
      const head =
        typeof payload === 'string'
          ? payload.slice(0, 64)
          : Buffer.isBuffer(payload)
            ? payload.subarray(0, 64).toString('latin1')
            : '';
      const match = CODE_IN_ENVELOPE.exec(head);
      if (match) request.answeredCode = Number(match[1]);
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const verdict = classifyForAudit(request, reply.statusCode, options.refusalsOnly);
    if (verdict) {
      const origin = { ...originOf(request), nodeId, endpoint: auditedEndpoint(request) };
      options.record({
        at: Date.now(),
        action: actionOfEndpoint(origin.endpoint),
        ...verdict,
        httpStatus: reply.statusCode,
        ...targetOf(request),
        origin,
      });
    }
    done();
  });
}
