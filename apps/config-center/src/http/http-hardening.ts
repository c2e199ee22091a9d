import { FastifyInstance } from 'fastify';
import { AppConfig } from '../env/app-config';
import { BodyBudget, bodyLimitOf, EdgeGuardOptions, installEdgeGuards } from './edge-guards';

/** Headers on every answer: JSON is never sniffed as HTML, framed, cached or given a referrer. */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
/** The API serves JSON and text only; Swagger UI (/docs) loads its own scripts and styles. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * What the node and each read worker do to every request before a handler runs (README
 * "Security"): a body limit per route, authentication and the body budget before the body is
 * read, a body timeout, and security headers on the answer.
 */
export function installHttpHardening(
  fastify: FastifyInstance,
  config: AppConfig,
  routes: Pick<EdgeGuardOptions, 'longLivedRoutes' | 'ownBodyTimeoutPrefix'>,
  auth: EdgeGuardOptions['auth'],
): void {
  fastify.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined) return;
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    route.bodyLimit = bodyLimitOf(String(method), route.url ?? route.path, config.limits);
  });
  installEdgeGuards(fastify, {
    auth,
    budget: new BodyBudget(config.http.maxInflightBodyBytes),
    bodyTimeoutMs: config.http.bodyTimeoutMs,
    ...routes,
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.headers(SECURITY_HEADERS);
    const url = request.routeOptions.url ?? '';
    if (!url.startsWith('/docs')) {
      void reply.header('content-security-policy', API_CSP);
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}
