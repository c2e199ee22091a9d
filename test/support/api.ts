import { Server } from 'node:http';
import request from 'supertest';
import { uniqueName } from './names';

/** Response bodies are JSON of many shapes; tests read them field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply {
  status: number;
  body: Json;
  text: string;
  headers: Record<string, string>;
}

type Query = Record<string, string | number | boolean | undefined>;

/** supertest against the in-process app, with default headers (Authorization, X-Operator...). */
export class Api {
  constructor(
    readonly server: Server,
    private readonly headers: Record<string, string> = {},
  ) {}

  with(headers: Record<string, string>): Api {
    return new Api(this.server, { ...this.headers, ...headers });
  }

  /** The same API without the default Authorization header. */
  anonymous(): Api {
    const { authorization: _dropped, ...rest } = this.headers;
    return new Api(this.server, rest);
  }

  get(path: string, query: Query = {}, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send(request(this.server).get(path).query(clean(query)), headers);
  }

  delete(path: string, query: Query = {}, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send(request(this.server).delete(path).query(clean(query)), headers);
  }

  post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const req = request(this.server).post(path);
    return this.send(body === undefined ? req : req.send(body as object), headers);
  }

  put(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const req = request(this.server).put(path);
    return this.send(body === undefined ? req : req.send(body as object), headers);
  }

  /** A raw body with its own content type (non-JSON, broken JSON...). */
  raw(method: 'post' | 'put' | 'delete', path: string, body: string, contentType: string) {
    return this.send(
      request(this.server)[method](path).set('content-type', contentType).send(body),
      {},
    );
  }

  private async send(test: request.Test, headers: Record<string, string>): Promise<Reply> {
    for (const [name, value] of Object.entries({ ...this.headers, ...headers }))
      test.set(name, value);
    const res = await test;
    return {
      status: res.status,
      body: res.body as Json,
      text: res.text,
      headers: res.headers as Record<string, string>,
    };
  }

  // --- domain helpers --------------------------------------------------------------------

  async createNamespace(
    name = uniqueName(),
    description?: string,
  ): Promise<{ id: number; name: string }> {
    const data = ok(await this.post('/api/v1/admin/namespace', { name, description }));
    return { id: data.id as number, name };
  }

  createConfig(namespace: string, key: string, value: unknown, extra: object = {}) {
    return this.post('/api/v1/admin/config', { namespace, key, value, ...extra });
  }

  updateConfig(namespace: string, key: string, value: unknown, extra: object = {}) {
    return this.put('/api/v1/admin/config', { namespace, key, value, ...extra });
  }

  deleteConfig(namespace: string, key: string, extra: Query = {}) {
    return this.delete('/api/v1/admin/config', { namespace, key, ...extra });
  }

  getConfig(namespace: string, key: string, version?: number) {
    return this.get('/api/v1/config/get', { namespace, key, version });
  }

  namespaceConfigs(namespace: string) {
    return this.get(`/api/v1/config/namespace/${encodeURIComponent(namespace)}`);
  }
}

function clean(query: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (v !== undefined) out[k] = String(v);
  return out;
}

/** The envelope of spec 3.8.2 around every JSON answer. */
export function expectEnvelope(reply: Reply): void {
  expect(reply.headers['content-type']).toMatch(/application\/json/);
  expect(typeof reply.body).toBe('object');
  expect(typeof reply.body.code).toBe('number');
  expect(typeof reply.body.message).toBe('string');
  expect(typeof reply.body.request_id).toBe('string');
  expect(reply.body.request_id.length).toBeGreaterThan(0);
  expect(Number.isInteger(reply.body.timestamp)).toBe(true);
  // Seconds, as in the spec's examples; within a minute of now.
  expect(Math.abs(reply.body.timestamp - Date.now() / 1000)).toBeLessThan(60);
  expect(reply.headers['x-request-id']).toBe(reply.body.request_id);
  if (reply.body.code === 0) expect(reply.body).toHaveProperty('data');
  else expect(typeof reply.body.error).toBe('object');
}

/** Asserts a success envelope (HTTP 200, code 0) and returns `data`. */
export function ok(reply: Reply): Json {
  if (reply.status !== 200 || reply.body?.code !== 0) {
    throw new Error(`expected success, got HTTP ${reply.status}: ${reply.text.slice(0, 500)}`);
  }
  expectEnvelope(reply);
  return reply.body.data;
}

/** Asserts an error envelope with `code` and HTTP status code/100; returns the body. */
export function fails(reply: Reply, code: number): Json {
  if (reply.body?.code !== code || reply.status !== Math.floor(code / 100)) {
    throw new Error(
      `expected code ${code} (HTTP ${Math.floor(code / 100)}), got HTTP ${reply.status}: ${reply.text.slice(0, 500)}`,
    );
  }
  expectEnvelope(reply);
  return reply.body;
}
