import { runCli } from '../cli';
import { CliContext } from '../core/cli-context';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the fake API received. */
export interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

/** A fake of the admin API: answers set per method and path, every request recorded. */
export class FakeApi {
  readonly seen: Seen[] = [];
  private answers = new Map<string, { status: number; body: string }>();
  private server!: Server;
  url = '';

  answer(method: string, path: string, data: unknown, code = 0, status = 200): void {
    const body =
      code === 0
        ? { code, message: 'success', data, request_id: 'req-1', timestamp: 1 }
        : { code, message: String(data), error: {}, request_id: 'req-2', timestamp: 1 };
    this.answers.set(`${method} ${path}`, { status, body: JSON.stringify(body) });
  }

  answerRaw(method: string, path: string, status: number, body: string): void {
    this.answers.set(`${method} ${path}`, { status, body });
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void readBody(request).then((text) => {
        const url = new URL(request.url ?? '/', 'http://fake');
        this.seen.push({
          method: request.method ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          authorization: request.headers.authorization,
          body: text ? JSON.parse(text) : undefined,
        });
        const answer = this.answers.get(`${request.method} ${url.pathname}`) ?? {
          status: 404,
          body: '{"code":40401,"message":"no route","error":{},"request_id":"x","timestamp":1}',
        };
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text));
  });
}

/**
 * A FakeApi for one describe block (started before its tests, stopped after, its record of
 * requests cleared before each) and `ccctl` run in-process against it with an admin token.
 */
export function fakeApiCli(): {
  api: FakeApi;
  ccctl: (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
} {
  const api = new FakeApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());
  beforeEach(() => api.seen.splice(0));
  const ccctl = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const context = new CliContext(
      { CCCTL_URL: api.url, CCCTL_TOKEN: 'secret-admin' },
      { write: (text: string) => (stdout += text) },
      { write: (text: string) => (stderr += text) },
    );
    const code = await runCli(argv, context);
    return { code, stdout, stderr };
  };
  return { api, ccctl };
}
