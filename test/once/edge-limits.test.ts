import { AddressInfo } from 'node:net';
import { removeSuiteDatabase, startApp, TestApp, uniqueName } from '../support/app';
import { ADMIN_AUTHORIZATION } from '../support/auth';
import { ensureBuilt, NodeProcess, startNodeProcess } from '../support/node-process';
import { suiteDatabaseUrl } from '../support/database';
import { treeRssBytes } from '../support/hostile-http';
import { rawExchange } from '../support/raw-http';

/**
 * Issue 11, item 4: what a request may take before a handler runs. Authentication and the body
 * budget are decided before any byte of the body is read; bodies have per-route limits and a
 * time limit; answers carry security headers. Engine-independent: runs in the SQLite pass only.
 */
jest.setTimeout(120_000);

const TOKEN = 'edge-limits-admin-token-0123456789';
const MiB = 1024 * 1024;

const head = (method: string, path: string, length: number, extra: string[] = []): string =>
  [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    ...extra,
    '',
    '',
  ].join('\r\n');

describe('the node edge', () => {
  let node: TestApp;
  let port: number;

  beforeAll(async () => {
    node = await startApp({
      ADMIN_TOKEN: TOKEN,
      HTTP_BODY_TIMEOUT_MS: '800',
      HTTP_MAX_INFLIGHT_BODY_BYTES: String(16 * MiB),
      MAX_VALUE_BYTES: '4096',
    });
    await node.app.listen({ port: 0, host: '127.0.0.1' });
    port = (node.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await node?.close();
    removeSuiteDatabase();
  });

  it('refuses an unauthenticated admin write before reading its 100 MB body, and closes', async () => {
    const answer = await rawExchange(
      port,
      head('POST', '/api/v1/admin/config/batch', 100 * MiB),
      Buffer.alloc(64 * 1024, 0x20),
    );
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).code).toBe(40101);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(1_000);
  });

  it('refuses an encoded admin path the same way (%61dmin)', async () => {
    const answer = await rawExchange(port, head('POST', '/api/v1/%61dmin/namespace', 10 * MiB));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).code).toBe(40101);
  });

  it('accepts only the Bearer scheme', async () => {
    for (const authorization of [TOKEN, `Basic ${TOKEN}`, `Bearer`, `Bearer ${TOKEN} extra`]) {
      const answer = await node.api.get(
        '/api/v1/admin/namespace/list',
        {},
        { Authorization: authorization },
      );
      expect([answer.status, answer.body.code]).toEqual([401, 40101]);
    }
    const ok = await node.api.get(
      '/api/v1/admin/namespace/list',
      {},
      { Authorization: `bearer  ${TOKEN}` },
    );
    expect(ok.body.code).toBe(0);
  });

  it('limits each route to the body it needs, with 40002 naming the limit', async () => {
    const admin = { Authorization: `Bearer ${TOKEN}` };
    const name = uniqueName('edge');
    const big = await node.api.post(
      '/api/v1/admin/namespace',
      { name, description: 'x'.repeat(100 * 1024) },
      admin,
    );
    expect([big.status, big.body.code]).toEqual([400, 40002]);
    expect(JSON.stringify(big.body)).toMatch(/too large/);

    // A single config write takes its value (MAX_VALUE_BYTES=4096 here) and room around it.
    expect((await node.api.post('/api/v1/admin/namespace', { name }, admin)).body.code).toBe(0);
    const tooBig = await node.api.post(
      '/api/v1/admin/config',
      { namespace: name, key: 'k', value: 'v'.repeat(200 * 1024) },
      admin,
    );
    expect([tooBig.status, tooBig.body.code]).toEqual([400, 40002]);
    const fits = await node.api.post(
      '/api/v1/admin/config',
      { namespace: name, key: 'k', value: 'v'.repeat(4000) },
      admin,
    );
    expect(fits.body.code).toBe(0);
  });

  it('cuts a body that does not arrive within HTTP_BODY_TIMEOUT_MS', async () => {
    const answer = await rawExchange(
      port,
      head('POST', '/api/v1/admin/namespace', 1000, [`Authorization: Bearer ${TOKEN}`]),
      '{"name":',
      5_000,
    );
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(answer.elapsedMs).toBeLessThan(3_000);
  });

  it('refuses bodies beyond the in-flight budget with 50301 and Retry-After, then recovers', async () => {
    const auth = `Authorization: Bearer ${TOKEN}`;
    // Two held 8 MiB batch bodies fill the 16 MiB budget (HTTP_BODY_TIMEOUT_MS cuts them later).
    const held = [0, 1].map(() =>
      rawExchange(port, head('POST', '/api/v1/admin/config/batch', 8 * MiB, [auth]), '{', 3_000),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await rawExchange(
      port,
      head('POST', '/api/v1/admin/config/batch', 1024, [auth]),
      '',
      2_000,
    );
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).code).toBe(50301);
    expect(refused.headers['retry-after']).toBe('1');
    await Promise.all(held);
    const after = await node.api.get(
      '/api/v1/admin/namespace/list',
      {},
      { Authorization: `Bearer ${TOKEN}` },
    );
    expect(after.body.code).toBe(0);
    const body = await node.api.post(
      '/api/v1/admin/config/batch',
      { operations: [] },
      { Authorization: `Bearer ${TOKEN}` },
    );
    expect(body.status).not.toBe(503);
  });

  it('sends security headers on every answer', async () => {
    const answer = await node.api.get('/api/v1/health');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['cache-control']).toBe('no-store');
    const missing = await node.api.get('/api/v1/no-such-route');
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the read-worker edge (HTTP_WORKERS=2)', () => {
  let node: NodeProcess;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    node = await startNodeProcess(
      { DATABASE_URL: suiteDatabaseUrl(), HTTP_WORKERS: '2', ADMIN_TOKEN: TOKEN },
      60_000,
    );
    port = Number(new URL(node.baseUrl).port);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('refuses held 100 MB unauthenticated bodies at once without growing', async () => {
    const send = (count: number) =>
      Promise.all(
        Array.from({ length: count }, () =>
          rawExchange(
            port,
            head('POST', '/api/v1/admin/namespace/import', 100 * MiB),
            Buffer.alloc(256 * 1024, 0x20),
          ),
        ),
      );
    // Every worker up and the refusal path warm: the baseline holds what any first request loads.
    for (let waited = 0; !node.output().includes('HTTP process(es)') && waited < 20_000;)
      await new Promise((resolve) => setTimeout(resolve, 100)).then(() => (waited += 100));
    await send(4);
    const before = treeRssBytes(node.child.pid ?? 0);
    const answers = await send(20);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).code).toBe(40101);
      expect(answer.elapsedMs).toBeLessThan(2_000);
    }
    const after = treeRssBytes(node.child.pid ?? 0);
    expect(after - before).toBeLessThan(64 * MiB);
  });

  it('applies the per-route limit before proxying', async () => {
    const answer = await rawExchange(
      port,
      head('POST', '/api/v1/admin/namespace', 10 * MiB, [`Authorization: Bearer ${TOKEN}`]),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).toBe(40002);
  });
});

describe('client disconnects', () => {
  for (const workers of ['1', '2']) {
    it(`are not logged as errors (HTTP_WORKERS=${workers})`, async () => {
      const node = await startNodeProcess(
        { DATABASE_URL: suiteDatabaseUrl(), HTTP_WORKERS: workers, LOG_LEVEL: 'info' },
        60_000,
      );
      try {
        const port = Number(new URL(node.baseUrl).port);
        // With the node's token: the body is being read when the client goes away (DESIGN 21
        // would refuse a request without one before its body).
        for (let i = 0; i < 5; i++)
          await rawExchange(
            port,
            head('POST', '/api/v1/admin/namespace', 1000, [
              `Authorization: ${ADMIN_AUTHORIZATION}`,
            ]),
            '{"name":',
            200,
          );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(node.output()).not.toMatch(/"level":50|unhandled error/);
      } finally {
        await node.stop();
      }
    });
  }
});
