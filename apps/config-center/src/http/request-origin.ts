import { FastifyRequest } from 'fastify';
import { ChangeOrigin, ORIGIN_LIMITS } from '../state/commands';
import { operatorOf } from './operator';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * True on a node whose read workers pass requests on (HTTP_WORKERS > 1): it listens on
     * loopback only, and the worker that passed a request sets X-Forwarded-For to its client.
     */
    behindReadWorkers: boolean;
  }
}

const CONTROL = /\p{Cc}+/gu;
/** Printable ASCII without surrounding space: already clean (the usual header). */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Text as an audit column holds it: no control characters, at most `limit` characters. */
export function auditText(value: string | undefined, limit: number): string | null {
  if (value === undefined) return null;
  // Every request builds its origin: the common case costs one regex test, no allocation.
  if (value.length <= limit && PLAIN.test(value)) return value;
  const clean = value.replace(CONTROL, '').trim();
  if (clean === '') return null;
  const characters = Array.from(clean);
  return characters.length > limit ? characters.slice(0, limit).join('') : clean;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The client's address: the socket's peer, or, for a request a read worker passed on over
 * loopback, the address that worker saw (it replaces any X-Forwarded-For the client sent).
 */
export function clientIpOf(request: FastifyRequest): string | null {
  const forwarded = header(request, 'x-forwarded-for');
  const ip =
    request.behindReadWorkers && forwarded !== undefined && LOOPBACK.has(request.ip)
      ? forwarded
      : request.ip;
  return auditText(ip, ORIGIN_LIMITS.clientIp);
}

/** `METHOD /route/template` (the template, never the raw URL: DESIGN 20). */
export function endpointOf(request: FastifyRequest): string {
  const route = request.routeOptions.url ?? 'unmatched';
  return auditText(`${request.method} ${route}`, ORIGIN_LIMITS.endpoint) ?? request.method;
}

/** X-Operator as a label (read as UTF-8, cleaned and cut like the operator), null when absent. */
function onBehalfOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  // operatorOf cuts at MAX_OPERATOR_LENGTH (= ORIGIN_LIMITS.onBehalfOf) characters.
  const label = operatorOf(value);
  return label === 'anonymous' && value.trim() !== 'anonymous' ? null : label;
}

/**
 * Who asked for a change and from where, as the command carries it (audit). The client id is
 * whoever authenticated the request (`request.callerId`); X-Operator is only a label.
 */
export function originOf(request: FastifyRequest): ChangeOrigin {
  return {
    clientId: auditText(request.callerId, ORIGIN_LIMITS.clientId),
    onBehalfOf: onBehalfOf(header(request, 'x-operator')),
    clientIp: clientIpOf(request),
    userAgent: auditText(header(request, 'user-agent'), ORIGIN_LIMITS.userAgent),
    requestId: auditText(request.id, ORIGIN_LIMITS.requestId) ?? '',
    endpoint: endpointOf(request),
    nodeId: auditText(request.nodeId, ORIGIN_LIMITS.nodeId) ?? '',
  };
}
