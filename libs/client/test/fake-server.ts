import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A local HTTP server for the client's unit tests: each test scripts what it answers. */
export interface FakeServer {
  url: string;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export async function fakeServer(handler: Handler): Promise<FakeServer> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address where nothing listens (the port of a server that was just closed). */
export async function deadAddress(): Promise<string> {
  const server = await fakeServer(() => undefined);
  await server.close();
  return server.url;
}

export function envelope(response: ServerResponse, status: number, code: number, data: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      code,
      message: code === 0 ? 'success' : 'failed',
      data,
      request_id: 'req-1',
      timestamp: 0,
    }),
  );
}

export function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
}

export function sendFrame(
  response: ServerResponse,
  event: string,
  id: number | undefined,
  data: unknown,
) {
  response.write(
    `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`,
  );
}

export function change(revision: number, key: string, value: unknown, version = revision) {
  return { revision, changes: [{ namespace: 'app', key, op: 'update', version, value }] };
}

export function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}
