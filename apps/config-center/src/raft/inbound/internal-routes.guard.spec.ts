import http from 'node:http';
import { AddressInfo } from 'node:net';
import Fastify, { FastifyInstance } from 'fastify';
import { streamBody } from '../../../../../test/support/hostile-http';
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
const withSecret = { [CLUSTER_SECRET_HEADER]: SECRET };

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
    const answer = await streamBody(url, RAFT_MESSAGES_PATH, 100 * 1024 * 1024);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 40101 });
    expect(answer.headers.connection).toBe('close');
    expect(answer.answeredMs).toBeLessThan(1_000);
    expect(answer.closedMs).toBeLessThan(2_000);
    expect(answer.bytesSent).toBeLessThan(100 * 1024 * 1024);
    expect(handled).toBe(0);
  });

  it('refuses a wrong secret with 40301, on every internal route, encoded paths included', async () => {
    const wrong = { [CLUSTER_SECRET_HEADER]: 'not-the-secret' };
    for (const path of [RAFT_MESSAGES_PATH, '/internal/other', '/%69nternal/raft/messages']) {
      const answer = await streamBody(url, path, 2, { headers: wrong });
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(JSON.parse(answer.body)).toMatchObject({ code: 40301 });
    }
    expect(handled).toBe(0);
  });

  it('takes a peer with the secret, within the body limit', async () => {
    const answer = await streamBody(url, RAFT_MESSAGES_PATH, 2, { headers: withSecret });
    // Two spaces are not JSON: the route was reached and the parser refused it.
    expect(answer.status).toBe(400);
    const public_ = await streamBody(url, '/public', 2);
    expect(public_.status).toBe(400);
  });

  it('refuses a body declared above the route limit, before reading it', async () => {
    const answer = await streamBody(url, RAFT_MESSAGES_PATH, RAFT_MESSAGES_BODY_LIMIT + 1, {
      headers: withSecret,
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 40002 });
    expect(answer.bytesSent).toBeLessThan(RAFT_MESSAGES_BODY_LIMIT);
    const other = await streamBody(url, '/internal/other', 1 << 20, { headers: withSecret });
    expect(JSON.parse(other.body)).toMatchObject({ code: 40002 });
    expect(handled).toBe(0);
  });

  it('cuts a body that stalls past the body timeout', async () => {
    const answer = await streamBody(url, RAFT_MESSAGES_PATH, 1024 * 1024, {
      headers: withSecret,
      stallAfter: 100 * 1024,
      giveUpMs: BODY_TIMEOUT_MS + 2_000,
    });
    expect(answer.status).toBe(0);
    expect(answer.closedMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 20);
    expect(answer.closedMs).toBeLessThan(BODY_TIMEOUT_MS + 1_000);
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
