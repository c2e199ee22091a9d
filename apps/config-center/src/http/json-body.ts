import { FastifyInstance, FastifyRequest } from 'fastify';
import { UnsupportedMediaType } from '@cc/common';
import { parseStrictJson } from './strict-json';

/** `application/json`, optionally with `charset=utf-8` (JSON is UTF-8: RFC 8259 section 8.1). */
const JSON_MEDIA_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Is this request's body JSON we take? (The read worker asks before serving a body itself.) */
export function isJsonBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && JSON_MEDIA_TYPE.test(type.trim());
}

/**
 * The node's only body parser: strict JSON (strict-json.ts). Any other media type, or another
 * charset, is 415 / 41501; a request without a body never reaches a parser. Routes with their
 * own media type (the Raft stream) register it in their own scope.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      if (!isJsonBody(request))
        return done(new UnsupportedMediaType(request.headers['content-type']));
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, parseStrictJson(body));
      } catch (error) {
        done(error as Error);
      }
    },
  );
  fastify.addContentTypeParser('*', (request, _payload, done) =>
    done(new UnsupportedMediaType(request.headers['content-type'])),
  );
}
