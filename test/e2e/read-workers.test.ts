import { ADMIN_HEADERS } from '../support/auth';
import { streamBody } from '../support/hostile-http';
import { NodeProcess, ensureBuilt, startNodeProcess } from '../support/node-process';
import { suiteDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/names';
import { parseSamples, sampleValue } from '../support/prometheus';
import { rawHttp } from '../support/raw-http';

/**
 * HTTP_WORKERS=2: read workers serve latest-value reads from replicas of the node's view and
 * pass everything else to the node. Seen from outside, nothing may differ from one process.
 */
jest.setTimeout(90_000);

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

async function call(
  node: NodeProcess,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const headers = { ...ADMIN_HEADERS, ...extraHeaders };
  const response = await fetch(`${node.baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.startsWith('{') ? JSON.parse(text) : text,
    headers: response.headers,
  };
}

describe('read workers (HTTP_WORKERS=2)', () => {
  let node: NodeProcess;
  const namespace = uniqueName('workers');

  beforeAll(async () => {
    ensureBuilt();
    node = await startNodeProcess({ DATABASE_URL: suiteDatabaseUrl(), HTTP_WORKERS: '2' }, 60_000);
    expect(
      (await call(node, 'POST', '/api/v1/admin/namespace', { name: namespace })).body.code,
    ).toBe(0);
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('runs the node and two worker processes', async () => {
    // Readiness already answers through the first worker; the node reports once all listen.
    for (
      let waited = 0;
      !node.output().includes('HTTP process(es)') && waited < 20_000;
      waited += 100
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(node.output()).toContain('2 HTTP process(es)');
  });

  it('has no internal route on a single node: 404 at once, the body left unread', async () => {
    for (const path of [
      '/internal/raft/messages',
      '/internal/raft/stream',
      '/%69nternal/raft/propose',
    ]) {
      const answer = await streamBody(node.baseUrl, path, 100 * 1024 * 1024);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(answer.body).code).toBe(40401);
      expect(answer.answeredMs).toBeLessThan(1_000);
      expect(answer.bytesSent).toBeLessThan(100 * 1024 * 1024);
    }
  });

  it('shows every acknowledged write to the very next read, whichever worker serves it', async () => {
    for (let version = 1; version <= 40; version++) {
      const write =
        version === 1
          ? await call(node, 'POST', '/api/v1/admin/config', {
              namespace,
              key: 'counter',
              value: { n: version },
            })
          : await call(node, 'PUT', '/api/v1/admin/config', {
              namespace,
              key: 'counter',
              value: { n: version },
            });
      expect(write.body.code).toBe(0);
      const read = await call(node, 'GET', `/api/v1/config/get?namespace=${namespace}&key=counter`);
      expect(read.body.data).toMatchObject({ value: { n: version }, version });
    }
  });

  it('answers reads with the same envelope, request id and error codes as one process', async () => {
    const read = await call(
      node,
      'GET',
      `/api/v1/config/get?namespace=${namespace}&key=counter`,
      undefined,
      { 'x-request-id': 'rw-1' },
    );
    expect(read.headers.get('x-request-id')).toBe('rw-1');
    expect(read.body).toMatchObject({ code: 0, message: 'success', request_id: 'rw-1' });
    expect(typeof read.body.timestamp).toBe('number');
    const missing = await call(node, 'GET', `/api/v1/config/get?namespace=${namespace}&key=absent`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(40403);
    const badKey = await call(
      node,
      'GET',
      `/api/v1/config/get?namespace=${namespace}&key=${encodeURIComponent('a b')}`,
    );
    expect(badKey.body.code).toBe(40002);
    const noNamespace = await call(
      node,
      'GET',
      `/api/v1/config/get?namespace=nope-${namespace}&key=a`,
    );
    expect(noNamespace.body.code).toBe(40402);
    const batch = await call(node, 'POST', '/api/v1/config/batch-get', {
      namespace,
      keys: ['counter', 'absent'],
    });
    expect(batch.body.data).toMatchObject({ missing: ['absent'] });
    const malformed = await fetch(`${node.baseUrl}/api/v1/config/batch-get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ADMIN_HEADERS },
      body: '{not json',
    });
    expect(((await malformed.json()) as { code: number }).code).toBe(40001);
  });

  it('passes historical versions, linearizable reads and admin calls to the node', async () => {
    const first = await call(
      node,
      'GET',
      `/api/v1/config/get?namespace=${namespace}&key=counter&version=1`,
    );
    expect(first.body.data).toMatchObject({ value: { n: 1 }, version: 1 });
    const linearizable = await call(
      node,
      'GET',
      `/api/v1/config/get?namespace=${namespace}&key=counter&consistency=linearizable`,
    );
    expect(linearizable.body.data.version).toBe(40);
    const history = await call(
      node,
      'GET',
      `/api/v1/admin/config/history?namespace=${namespace}&key=counter&page_size=5`,
    );
    expect(history.body.data.pagination.total).toBe(40);
    const all = await call(node, 'GET', `/api/v1/config/namespace/${namespace}`);
    expect(all.body.data.configs).toEqual({ counter: { n: 40 } });
  });

  it('counts reads served by the workers in the node metrics, by route template', async () => {
    await call(node, 'GET', `/api/v1/config/namespace/${namespace}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const metrics = await call(node, 'GET', '/api/v1/metrics');
    const samples = parseSamples(metrics.body as string);
    const served = sampleValue(samples, 'config_center_api_requests_total', {
      api: '/api/v1/config/get',
      method: 'GET',
      status: '200',
    });
    expect(served).toBeGreaterThanOrEqual(40);
    const namespaceReads = sampleValue(samples, 'config_center_api_requests_total', {
      api: '/api/v1/config/namespace/:namespace',
      method: 'GET',
      status: '200',
    });
    expect(namespaceReads).toBeGreaterThanOrEqual(2);
    expect(metrics.body as string).not.toContain(namespace);
  });
  it('judges bodies as the node does and envelopes what Node refuses', async () => {
    const post = (body: string | Buffer, type = 'application/json') =>
      fetch(`${node.baseUrl}/api/v1/config/batch-get`, {
        method: 'POST',
        headers: { 'content-type': type, ...ADMIN_HEADERS },
        body,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Answer['body'],
      }));
    const text = '{"__proto__":{"x":[1,2]},"a":"é"}';
    expect(
      (
        await call(node, 'POST', '/api/v1/admin/config', {
          namespace,
          key: 'proto',
          value: JSON.parse(text),
        })
      ).body.code,
    ).toBe(0);
    const read = await post(JSON.stringify({ namespace, keys: ['proto'] }));
    expect(JSON.stringify(read.body.data.configs[0].value)).toBe(text);
    expect((await post(`{"namespace":"${namespace}","keys":["a"],"keys":["b"]}`)).body.code).toBe(
      40002,
    );
    expect((await post(Buffer.from([0x7b, 0xff, 0x7d]))).body.code).toBe(40002);
    expect(
      (await post(`namespace=${namespace}&keys=a`, 'application/x-www-form-urlencoded')).body,
    ).toMatchObject({ code: 41501 });

    const malformed = await rawHttp(node.baseUrl, 'GET / HTTP/1.1\r\nHost: x\r\nno header\r\n\r\n');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({
      code: 40001,
      request_id: expect.any(String),
    });
    const tooLarge = await rawHttp(
      node.baseUrl,
      `GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(tooLarge.status).toBe(431);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 43101 });
  });
});
