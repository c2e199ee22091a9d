import { FastifyInstance } from 'fastify';
import { successEnvelope } from '@cc/common';
import { EnvelopeRouteConfig } from './response-message.decorator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the exception filter: the payload already is an (error) envelope. */
    enveloped: boolean;
  }
}

/**
 * Wraps every handler's object result in the spec's envelope, once, at serialisation time
 * (STYLE "Edges"). A Fastify hook rather than a Nest interceptor: the interceptor chain and its
 * rxjs plumbing cost ~20% of a hot read. Text bodies (Prometheus) pass through untouched.
 */
export function installEnvelope(fastify: FastifyInstance): void {
  fastify.decorateRequest('enveloped', false);
  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    if (request.enveloped) return done(null, payload);
    const config = request.routeOptions.config as EnvelopeRouteConfig | undefined;
    done(null, successEnvelope(payload, request.id, config?.responseMessage ?? 'success'));
  });
}
