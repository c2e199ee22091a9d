import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppError, ErrorCode, errorEnvelope, successEnvelope } from '@cc/common';
import { CALL_CHAIN_HEADER, REQUEST_ID_HEADER, Resource, callContextFrom } from '../../src';

export interface SeenRequest {
  path: string;
  chainHeader: string | undefined;
  requestId: string | undefined;
}

type AnyResource = Resource<object, unknown>;

/**
 * A minimal real HTTP node for tests: routes a path to a Resource, builds the CallContext from
 * the incoming headers the way the app's interceptor does, and answers with the spec envelope.
 */
export class TestNode {
  readonly requests: SeenRequest[] = [];
  readonly failures: unknown[] = [];
  private readonly routes = new Map<string, AnyResource>();
  private readonly server: Server;
  private port = 0;

  constructor(readonly nodeId: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  route(path: string, resource: AnyResource): this {
    this.routes.set(path, resource);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const incomingId = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof incomingId === 'string' ? incomingId : randomUUID();
    const chainHeader = req.headers[CALL_CHAIN_HEADER];
    this.requests.push({
      path: url.pathname,
      chainHeader: Array.isArray(chainHeader) ? chainHeader.join(',') : chainHeader,
      requestId: typeof incomingId === 'string' ? incomingId : undefined,
    });
    try {
      const resource = this.routes.get(url.pathname);
      if (resource === undefined)
        throw new AppError(ErrorCode.NOT_FOUND, `no route ${url.pathname}`);
      const context = callContextFrom(req.headers, requestId, this.nodeId);
      const input =
        req.method === 'GET' ? Object.fromEntries(url.searchParams) : await readJson(req);
      const data = await resource.request(input, context);
      reply(res, 200, successEnvelope(data, requestId));
    } catch (error) {
      this.failures.push(error);
      if (error instanceof AppError) {
        const envelope = errorEnvelope(
          error.code,
          error.message,
          requestId,
          error.details,
          error.extra,
        );
        reply(res, error.httpStatus, envelope);
      } else {
        reply(res, 500, errorEnvelope(ErrorCode.INTERNAL, 'internal error', requestId));
      }
    }
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
