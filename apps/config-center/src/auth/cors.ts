import { FastifyInstance } from 'fastify';

const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Operator, If-None-Match';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the browser origins in CORS_ORIGINS (an admin console on another origin). A
 * preflight is answered here, before authentication: a browser never sends a bearer header on
 * it. No credentials mode (tokens travel in a header, never in cookies); no origin listed, no
 * CORS headers at all.
 */
export function installCors(fastify: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  const allowedOrigin = (origin: string | undefined): string | undefined =>
    origin !== undefined && (allowed.has(origin) || allowed.has('*')) ? origin : undefined;

  fastify.addHook('onRequest', (request, reply, done) => {
    const origin = allowedOrigin(request.headers.origin);
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method'])
      return done();
    request.enveloped = true;
    if (origin)
      void reply.headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        vary: 'Origin',
      });
    void reply.code(204).send();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const origin = allowedOrigin(request.headers.origin);
    if (origin)
      void reply.headers({
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'X-Request-Id, Retry-After',
        vary: 'Origin',
      });
    done(null, payload);
  });
}
