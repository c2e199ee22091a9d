import { expectEnvelope } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp } from '../support/app';
import { RawAnswer, rawHttp } from '../support/raw-http';

/** What Node refuses before any route (malformed request, headers too large) still has our envelope. */
describe('errors outside the routes', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startApp();
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  function expectEnveloped(answer: RawAnswer, status: number, code: number): void {
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
    expectEnvelope({
      status: answer.status,
      body: JSON.parse(answer.body),
      text: answer.body,
      headers: answer.headers,
    });
    expect(JSON.parse(answer.body).code).toBe(code);
  }

  it('answers a malformed header line 400 / 40001 in the envelope', async () => {
    const answer = await rawHttp(
      server.app.getHttpServer(),
      'GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\nthis is no header\r\n\r\n',
    );
    expectEnveloped(answer, 400, 40001);
  });

  it('answers a malformed request line 400 / 40001 in the envelope', async () => {
    expectEnveloped(await rawHttp(server.app.getHttpServer(), 'HELLO\r\n\r\n'), 400, 40001);
  });

  it('answers headers above the limit 431 / 43101 in the envelope', async () => {
    const answer = await rawHttp(
      server.app.getHttpServer(),
      `GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expectEnveloped(answer, 431, 43101);
  });

  it('answers a URL Fastify cannot decode 400 / 40001 in the envelope', async () => {
    const answer = await rawHttp(
      server.app.getHttpServer(),
      'GET /api/v1/config/namespace/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.body);
    expect(body).toMatchObject({ code: 40001, request_id: answer.headers['x-request-id'] });
  });
});
