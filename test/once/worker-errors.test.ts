import cluster, { Worker } from 'node:cluster';
import { once } from 'node:events';
import { ADMIN_HEADERS, TEST_ADMIN_TOKEN } from '../support/auth';
import { ensureBuilt, freePort, MAIN_JS } from '../support/node-process';

/**
 * A read worker is a real process forked as the node forks it (node:cluster, CC_READ_WORKER);
 * this test plays the node's side of its IPC channel and hands it a replica record that makes
 * the latest-value read throw something that is no AppError (an `updated_at` that is no time).
 * Whatever the worker did not expect is answered 500 / 50001 in the envelope, without details,
 * and logged once with the request id.
 */
describe('a read worker facing an unexpected error', () => {
  let worker: Worker;
  let baseUrl = '';
  let stderr = '';

  beforeAll(async () => {
    ensureBuilt();
    const port = await freePort();
    cluster.setupPrimary({ exec: MAIN_JS, silent: true });
    worker = cluster.fork({
      HOST: '127.0.0.1',
      PORT: String(port),
      HTTP_WORKERS: '2',
      LOG_LEVEL: 'warn',
      CC_READ_WORKER: '1',
      // The node's ADMIN_TOKEN: the worker authenticates requests itself (DESIGN 21).
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // Nothing listens there: only what the worker serves itself is asked here.
      CC_CORE_URL: 'http://127.0.0.1:9',
    });
    worker.process.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [hello] = (await once(worker, 'message')) as [{ type: string }];
    expect(hello.type).toBe('cc:hello');
    const at = 1_700_000_000_000;
    worker.send({
      type: 'cc:view-load',
      appliedIndex: 3,
      namespaces: [
        {
          id: 1,
          name: 'app',
          description: null,
          status: 1,
          revision: 2,
          createdAt: at,
          updatedAt: at,
        },
      ],
      configs: [
        {
          id: 2,
          namespaceId: 1,
          key: 'broken',
          value: 1,
          valueText: '1',
          version: 1,
          description: null,
          status: 1,
          createdBy: 't',
          updatedBy: 't',
          revision: 2,
          createRevision: 2,
          deleted: false,
          createdAt: at,
          updatedAt: 'not a time',
        },
      ],
      tokens: [],
    });
    const [applied] = (await once(worker, 'message')) as [{ type: string }];
    expect(applied.type).toBe('cc:applied');
    baseUrl = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.process.kill('SIGKILL');
    await exited;
  });

  it('answers 500 / 50001 in the envelope and logs the error with the request id', async () => {
    const response = await fetch(`${baseUrl}/api/v1/config/get?namespace=app&key=broken`, {
      headers: { 'x-request-id': 'worker-bug-1', ...ADMIN_HEADERS },
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      code: 50001,
      message: 'internal error',
      error: {},
      request_id: 'worker-bug-1',
    });
    // The log line is written before the answer.
    const lines = stderr
      .split('\n')
      .filter((line) => line.includes('"request_id":"worker-bug-1"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'unhandled error' });
    expect(String(lines[0]?.err)).toMatch(/RangeError: Invalid time value/);
  });

  it('answers what it expects (a missing key) without logging it', async () => {
    const response = await fetch(`${baseUrl}/api/v1/config/get?namespace=app&key=missing`, {
      headers: { 'x-request-id': 'worker-miss-1', ...ADMIN_HEADERS },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 40403, request_id: 'worker-miss-1' });
    expect(stderr).not.toContain('worker-miss-1');
  });

  it('answers 503 / 50301 when the node it passes a request on to is gone, and logs it with the request id', async () => {
    const response = await fetch(`${baseUrl}/api/v1/namespace/list`, {
      headers: { 'x-request-id': 'worker-proxy-1', ...ADMIN_HEADERS },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      code: 50301,
      message: expect.stringMatching(/^node unavailable: /) as unknown,
      request_id: 'worker-proxy-1',
    });
    const logged = stderr
      .split('\n')
      .filter((line) => line.includes('"request_id":"worker-proxy-1"'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({
      msg: 'passing the request on to the node failed',
    });
  });
});
