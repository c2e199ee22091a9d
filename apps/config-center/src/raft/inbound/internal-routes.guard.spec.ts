import http from 'node:http';
import { AddressInfo } from 'node:net';
import Fastify, { FastifyInstance } from 'fastify';
import { AppConfig } from '../../env/app-config';
import { installEnvelope } from '../../http/envelope';
import { serverTimeouts } from '../../http/server-timeouts';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { guardInternalRoutes } from './internal-routes.guard';
import {
  CLUSTER_SECRET_HEADER,
  RAFT_MESSAGES_BODY_LIMIT,
  RAFT_MESSAGES_PATH,
  RAFT_STREAM_PATH,
} from '../transport/raft-wire';

const SECRET = 'guard-test-secret';
const BODY_TIMEOUT_MS = 300;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the answer was complete, ms after the request started. */
  answeredAfterMs: number;
  /** When the connection closed, ms after the request started. */
  closedAfterMs: number;
  bytesSent: number;
}

/**
 * POSTs `totalBytes` of body in 64 KiB chunks, as fast as the server takes them, and reports
 * when the answer came and when the connection was closed (by the server, since this client
 * never stops by itself before the whole body is sent). `stallAfter` stops writing after that
 * many bytes, keeping the connection open.
 */
function post(
  url: string,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
  stallAfter = Infinity,
): Promise<Answer> {
  const target = new URL(url);
  const started = Date.now();
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve) => {
    const answer: Answer = {
      status: 0,
      headers: {},
      body: '',
      answeredAfterMs: -1,
      closedAfterMs: -1,
      bytesSent: 0,
    };
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path,
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': totalBytes, ...headers },
    });
    const write = (): void => {
      while (answer.bytesSent < Math.min(totalBytes, stallAfter)) {
        const size = Math.min(chunk.length, totalBytes - answer.bytesSent);
        answer.bytesSent += size;
        if (!request.write(chunk.subarray(0, size))) {
          request.once('drain', write);
          return;
        }
      }
      if (answer.bytesSent >= totalBytes) request.end();
    };
    request.on('response', (response) => {
      answer.status = response.statusCode ?? 0;
      answer.headers = response.headers;
      response.on('data', (data: Buffer) => (answer.body += data.toString()));
      response.on('end', () => (answer.answeredAfterMs = Date.now() - started));
    });
    request.on('error', () => undefined);
    request.on('close', () => {
      answer.closedAfterMs = Date.now() - started;
      resolve(answer);
    });
    write();
  });
}

describe('internal routes guard (secret in onRequest, body limits, body timeout)', () => {
  let fastify: FastifyInstance;
  let url: string;
  let handled = 0;

  beforeAll(async () => {
    fastify = Fastify({
      ...serverTimeouts({
        headersTimeoutMs: 10_000,
        bodyTimeoutMs: 30_000,
        idleTimeoutMs: 120_000,
        maxInflightBodyBytes: 1 << 27,
      }),
    });
    installEnvelope(fastify);
    const secret = new ClusterSecretCheck({ cluster: { secret: SECRET } } as unknown as AppConfig);
    guardInternalRoutes(fastify, { secret, bodyTimeoutMs: BODY_TIMEOUT_MS, bodyLimits: true });
    fastify.post(RAFT_MESSAGES_PATH, async () => {
      handled++;
      return { accepted: true };
    });
    fastify.post('/internal/other', async () => ({ other: true }));
    void fastify.register(async (scope) => {
      scope.addContentTypeParser('application/x-ndjson', (_request, payload, done) =>
        done(null, payload),
      );
      scope.post(RAFT_STREAM_PATH, async (request) => {
        for await (const _chunk of request.body as AsyncIterable<Buffer>) {
          // read to the end, however slowly it comes
        }
        return { frames: 2 };
      });
    });
    fastify.post('/public', async () => ({ public: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fastify.close();
  });

  it('refuses a 100 MB body without the secret at once and closes the connection', async () => {
    const answer = await post(url, RAFT_MESSAGES_PATH, {}, 100 * 1024 * 1024);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 40101 });
    expect(answer.headers.connection).toBe('close');
    expect(answer.answeredAfterMs).toBeLessThan(1_000);
    expect(answer.closedAfterMs).toBeLessThan(2_000);
    expect(answer.bytesSent).toBeLessThan(100 * 1024 * 1024);
    expect(handled).toBe(0);
  });

  it('refuses a wrong secret with 40301, on every internal route, encoded paths included', async () => {
    const wrong = { [CLUSTER_SECRET_HEADER]: 'not-the-secret' };
    for (const path of [RAFT_MESSAGES_PATH, '/internal/other', '/%69nternal/raft/messages']) {
      const answer = await post(url, path, wrong, 2);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(JSON.parse(answer.body)).toMatchObject({ code: 40301 });
    }
    expect(handled).toBe(0);
  });

  it('takes a peer with the secret, within the body limit', async () => {
    const answer = await post(url, RAFT_MESSAGES_PATH, { [CLUSTER_SECRET_HEADER]: SECRET }, 2);
    // Two spaces are not JSON: the route was reached and the parser refused it.
    expect(answer.status).toBe(400);
    const public_ = await post(url, '/public', {}, 2);
    expect(public_.status).toBe(400);
  });

  it('refuses a body declared above the route limit, before reading it', async () => {
    const answer = await post(
      url,
      RAFT_MESSAGES_PATH,
      { [CLUSTER_SECRET_HEADER]: SECRET },
      RAFT_MESSAGES_BODY_LIMIT + 1,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 40002 });
    expect(answer.bytesSent).toBeLessThan(RAFT_MESSAGES_BODY_LIMIT);
    const other = await post(url, '/internal/other', { [CLUSTER_SECRET_HEADER]: SECRET }, 1 << 20);
    expect(JSON.parse(other.body)).toMatchObject({ code: 40002 });
    expect(handled).toBe(0);
  });

  it('cuts a body that stalls past the body timeout', async () => {
    const answer = await post(
      url,
      RAFT_MESSAGES_PATH,
      { [CLUSTER_SECRET_HEADER]: SECRET },
      1024 * 1024,
      100 * 1024,
    );
    expect(answer.status).toBe(0);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 20);
    expect(answer.closedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 1_000);
  });

  it('leaves the Raft stream out of the body timeout', async () => {
    const target = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request({
        host: target.hostname,
        port: target.port,
        path: RAFT_STREAM_PATH,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-ndjson', [CLUSTER_SECRET_HEADER]: SECRET },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write('[]\n');
      setTimeout(() => request.end('[]\n'), BODY_TIMEOUT_MS * 3);
    });
    expect(status).toBe(200);
  });
});
