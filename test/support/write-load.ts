import { request as httpRequest } from 'node:http';
import { ADMIN_HEADERS } from './auth';
import { NodeProcess } from './node-process';

/** An admin HTTP call and a write load on a node, every answer kept (database outage tests). */

export interface Answer {
  status: number;
  code: number | undefined;
  retryAfter: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  ms: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function call(
  node: NodeProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${node.baseUrl}${path}`,
      {
        method,
        agent: false,
        headers: { ...ADMIN_HEADERS, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { code?: number; data?: unknown };
          resolve({
            status: res.statusCode ?? 0,
            code: parsed.code,
            retryAfter: res.headers['retry-after'] as string | undefined,
            data: parsed.data,
            ms: Date.now() - started,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Write {
  key: string;
  sentAt: number;
  answer: Answer;
}

/** Two writers, each a new key per write, until stopped; every answer kept. */
export function writeLoad(node: NodeProcess, prefix: string) {
  const writes: Write[] = [];
  let running = true;
  let next = 0;
  const writer = async () => {
    while (running) {
      const key = `${prefix}-${next++}`;
      const sentAt = Date.now();
      const answer = await call(node, 'POST', '/api/v1/admin/config', {
        namespace: 'dbr',
        key,
        value: sentAt,
      });
      writes.push({ key, sentAt, answer });
      if (answer.code !== 0) await sleep(100);
    }
  };
  const done = Promise.all([writer(), writer()]);
  return {
    writes,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
