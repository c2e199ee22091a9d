import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import Fastify from 'fastify';
import { ConfigNotFound, ErrorCode, ServerBusy } from '@cc/common';
import { answerError, ErrorLog, mapAndLog, toAppError } from './error-mapping';

class RecordingLog implements ErrorLog {
  readonly entries: Array<{ fields: Record<string, unknown>; message: string }> = [];
  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ fields, message });
  }
}

const fastifyError = (code: string, statusCode: number, message = 'fastify says no') =>
  Object.assign(new Error(message), { code, statusCode });

describe('toAppError', () => {
  it('passes a typed error through unchanged', () => {
    const error = new ConfigNotFound('app', 'k');
    expect(toAppError(error)).toBe(error);
  });

  it("maps Nest's HttpExceptions to the spec's codes", () => {
    expect(toAppError(new NotFoundException('no route GET /x'))).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: 'no route GET /x',
    });
    expect(toAppError(new PayloadTooLargeException())).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'request body too large',
    });
    expect(toAppError(new UnauthorizedException()).code).toBe(ErrorCode.UNAUTHORIZED);
    expect(toAppError(new ForbiddenException()).code).toBe(ErrorCode.FORBIDDEN);
    expect(toAppError(new HttpException('media', 415)).code).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    expect(toAppError(new HttpException('slow down', 429)).code).toBe(ErrorCode.RATE_LIMITED);
    expect(toAppError(new BadRequestException(['a must be a string']))).toMatchObject({
      code: ErrorCode.BAD_PARAMETER,
      message: 'bad request',
      details: ['a must be a string'],
    });
    expect(toAppError(new HttpException('boom', 500))).toMatchObject({
      code: ErrorCode.INTERNAL,
      message: 'internal error',
      details: undefined,
    });
  });

  it("maps Fastify's own errors (FST_*) to the spec's codes", () => {
    expect(toAppError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413))).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'request body too large',
    });
    expect(toAppError(fastifyError('FST_ERR_NOT_FOUND', 404, 'gone')).code).toBe(
      ErrorCode.NOT_FOUND,
    );
    expect(toAppError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code).toBe(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    );
    expect(toAppError(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400))).toMatchObject({
      code: ErrorCode.BAD_PARAMETER,
      details: 'fastify says no',
    });
    // A 5xx of Fastify's, or a status on something that is not Fastify's, is not trusted.
    expect(toAppError(fastifyError('FST_ERR_SOMETHING', 500)).code).toBe(ErrorCode.INTERNAL);
    expect(toAppError(fastifyError('ENOTFASTIFY', 400)).code).toBe(ErrorCode.INTERNAL);
  });

  it('maps a client abort to a 4xx, never to an internal error', () => {
    for (const code of ['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])
      expect(toAppError(Object.assign(new Error('aborted'), { code })).code).toBe(
        ErrorCode.BAD_PARAMETER,
      );
  });

  it('maps anything else to 50001 without details (nothing of the bug leaks out)', () => {
    for (const thrown of [new TypeError('x is undefined'), 'a string', null, undefined, 42])
      expect(toAppError(thrown)).toMatchObject({
        code: ErrorCode.INTERNAL,
        message: 'internal error',
        details: undefined,
      });
  });
});

describe('mapAndLog', () => {
  it('logs an unexpected error once, with its request id, and a decided one not at all', () => {
    const log = new RecordingLog();
    const bug = new TypeError('x is undefined');
    expect(mapAndLog(bug, 'req-7', log).code).toBe(ErrorCode.INTERNAL);
    expect(mapAndLog(new ConfigNotFound('a', 'b'), 'req-8', log).code).toBe(
      ErrorCode.CONFIG_NOT_FOUND,
    );
    expect(log.entries).toEqual([
      { fields: { err: bug, request_id: 'req-7' }, message: 'unhandled error' },
    ]);
  });
});

describe('answerError', () => {
  async function answering(thrown: unknown, log = new RecordingLog()) {
    const fastify = Fastify({ genReqId: () => 'req-1' });
    fastify.get('/', (request, reply) => answerError(request, reply, thrown, log));
    const response = await fastify.inject({ method: 'GET', url: '/' });
    await fastify.close();
    return { response, log };
  }

  it('answers an unexpected error 500 / 50001 in the envelope and logs it with the request id', async () => {
    const { response, log } = await answering(new Error('bug'));
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({
      code: 50001,
      message: 'internal error',
      error: {},
      request_id: 'req-1',
    });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]?.fields.request_id).toBe('req-1');
  });

  it('answers a typed error with its status, code, details and Retry-After', async () => {
    const { response, log } = await answering(new ServerBusy(3, 'busy', { slots: 2 }));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.json()).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      message: 'busy',
      error: { details: { slots: 2 }, retry_after_seconds: 3 },
    });
    expect(log.entries).toHaveLength(0);
  });

  it('answers a client that went away with nothing (the connection is dropped) and logs nothing', async () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const log = new RecordingLog();
    await expect(answering(aborted, log)).rejects.toThrow('response destroyed before completion');
    expect(log.entries).toHaveLength(0);
  });
});
