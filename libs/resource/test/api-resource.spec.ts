import 'reflect-metadata';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { IsOptional, IsString } from 'class-validator';
import { AppError, ConfigNotFound, ErrorCode, NotLeader } from '@cc/common';
import {
  ApiResource,
  ApiResourceOptions,
  ApiTarget,
  CALL_CHAIN_HEADER,
  CallContext,
  NestedCallRefused,
  RemoteError,
  Resource,
} from '../src';
import { TestNode } from './support/http-node';

class AskDto {
  @IsOptional()
  @IsString()
  question?: string;
}

/** An ApiResource that forwards its input to `path` on another node. */
class Forward extends ApiResource<AskDto, unknown> {
  protected readonly inputSchema = AskDto;
  constructor(
    private readonly resourceName: string,
    private readonly to: () => { baseUrl: string; path: string },
    options: ApiResourceOptions = {},
  ) {
    super(options);
  }
  override get name(): string {
    return this.resourceName;
  }
  protected target(input: AskDto): ApiTarget {
    const { baseUrl, path } = this.to();
    return {
      baseUrl,
      method: 'GET',
      path,
      query: input.question ? { question: input.question } : {},
    };
  }
}

/** A plain resource at the end of a chain: reports what it was asked and from where. */
class Answer extends Resource<AskDto, { answer: string; chain: string[] }> {
  protected readonly inputSchema = AskDto;
  protected perform(input: AskDto, context: CallContext) {
    return {
      answer: `${input.question ?? 'nothing'} answered by ${context.nodeId}`,
      chain: context.chain.map((e) => `${e.resource}@${e.node}`),
    };
  }
}

class Raise extends Resource<AskDto, never> {
  protected readonly inputSchema = AskDto;
  constructor(private readonly error: AppError) {
    super();
  }
  protected perform(): never {
    throw this.error;
  }
}

async function call(node: TestNode, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${node.baseUrl}${path}`, {
    headers: { 'x-request-id': 'client-req', ...headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('ApiResource over real HTTP', () => {
  const nodes: TestNode[] = [];
  async function node(id: string): Promise<TestNode> {
    const started = await new TestNode(id).start();
    nodes.push(started);
    return started;
  }
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  it('calls another node and unwraps its answer, carrying the chain and request id', async () => {
    const nodeA = await node('node-a');
    const nodeB = await node('node-b');
    nodeB.route('/b', new Answer());
    nodeA.route('/a', new Forward('A', () => ({ baseUrl: nodeB.baseUrl, path: '/b' })));

    const { status, body } = await call(nodeA, '/a?question=ping');

    expect(status).toBe(200);
    expect(body.data).toEqual({ answer: 'ping answered by node-b', chain: ['A@node-a'] });
    expect(nodeB.requests).toEqual([
      { path: '/b', chainHeader: 'A@node-a', requestId: 'client-req' },
    ]);
  });

  it('refuses the second entry into A in a real A -> B -> A loop, after a bounded number of requests', async () => {
    const nodeA = await node('node-a');
    const nodeB = await node('node-b');
    nodeA.route('/a', new Forward('A', () => ({ baseUrl: nodeB.baseUrl, path: '/b' })));
    nodeB.route('/b', new Forward('B', () => ({ baseUrl: nodeA.baseUrl, path: '/a' })));

    const { status, body } = await call(nodeA, '/a?question=loop');

    // The refusal travels back through B and A to the client with its code and message.
    expect(status).toBe(503);
    expect(body.code).toBe(ErrorCode.UNAVAILABLE);
    expect(body.message).toBe(
      'nested call refused: resource A re-entered via call chain A@node-a -> B@node-b -> A@node-a',
    );
    expect(body.request_id).toBe('client-req');
    // A was entered twice (client, then B), B once: the loop stopped at the first re-entry.
    expect(nodeA.requests.map((r) => r.chainHeader)).toEqual([undefined, 'A@node-a,B@node-b']);
    expect(nodeB.requests.map((r) => r.chainHeader)).toEqual(['A@node-a']);
    expect(nodeA.requests.every((r) => r.requestId === 'client-req')).toBe(true);

    // The second run of A refused before calling anyone: a typed NestedCallRefused.
    const [refused, outerA] = nodeA.failures;
    expect(refused).toBeInstanceOf(NestedCallRefused);
    expect(refused).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      resource: 'A',
      reason: 're-entry',
      details: {
        resource: 'A',
        chain: [
          { resource: 'A', node: 'node-a' },
          { resource: 'B', node: 'node-b' },
          { resource: 'A', node: 'node-a' },
        ],
      },
    });
    // B and the first A saw it as a RemoteError keeping the upstream code and status.
    const [remoteInB] = nodeB.failures;
    expect(remoteInB).toBeInstanceOf(RemoteError);
    expect(remoteInB).toMatchObject({ code: ErrorCode.UNAVAILABLE, upstreamStatus: 503 });
    expect((remoteInB as RemoteError).details).toMatchObject({ resource: 'A', reason: 're-entry' });
    expect(outerA).toBeInstanceOf(RemoteError);
  });

  function hopChain(host: TestNode, names: string[], maxDepth: number): void {
    host.route('/leaf', new Answer());
    names.forEach((name, i) => {
      const next = i + 1 < names.length ? `/${names[i + 1]}` : '/leaf';
      host.route(
        `/${name}`,
        new Forward(name, () => ({ baseUrl: host.baseUrl, path: next }), { maxDepth }),
      );
    });
  }

  it('refuses a chain A -> B -> C -> D -> E deeper than maxDepth 4', async () => {
    const host = await node('node-1');
    hopChain(host, ['A', 'B', 'C', 'D', 'E'], 4);

    const { status, body } = await call(host, '/A');

    expect(status).toBe(503);
    expect(body.code).toBe(ErrorCode.UNAVAILABLE);
    expect(body.message).toContain('resource E would deepen call chain');
    expect(body.message).toContain('past maxDepth 4');
    // A..E were each entered once; E refused, so the leaf was never called.
    expect(host.requests.map((r) => r.path)).toEqual(['/A', '/B', '/C', '/D', '/E']);
    const refused = host.failures.find((e) => e instanceof NestedCallRefused);
    expect(refused).toMatchObject({ resource: 'E', reason: 'depth', maxDepth: 4 });
  });

  it('lets a chain of exactly maxDepth hops through', async () => {
    const host = await node('node-1');
    hopChain(host, ['A', 'B', 'C', 'D'], 4);

    const { status, body } = await call(host, '/A?question=deep');

    expect(status).toBe(200);
    expect(body.data).toEqual({
      answer: 'deep answered by node-1',
      chain: ['A@node-1', 'B@node-1', 'C@node-1', 'D@node-1'],
    });
  });

  it('refuses re-entry before sending anything', async () => {
    const target = await node('node-b');
    target.route('/b', new Answer());
    const forward = new Forward('A', () => ({ baseUrl: target.baseUrl, path: '/b' }));
    const context: CallContext = {
      requestId: 'r',
      nodeId: 'node-c',
      chain: [{ resource: 'A', node: 'node-a' }],
    };

    await expect(forward.request({}, context)).rejects.toBeInstanceOf(NestedCallRefused);
    expect(target.requests).toHaveLength(0);
  });

  it('answers 40001 to a request whose x-call-chain header is garbage', async () => {
    const host = await node('node-1');
    host.route('/leaf', new Answer());

    const { status, body } = await call(host, '/leaf', { [CALL_CHAIN_HEADER]: '%%%,@' });

    expect(status).toBe(400);
    expect(body.code).toBe(ErrorCode.BAD_PARAMETER);
  });

  it('rethrows an upstream error envelope as a RemoteError with the same code and extras', async () => {
    const upstream = await node('node-b');
    upstream.route('/missing', new Raise(new ConfigNotFound('app', 'db.host')));
    upstream.route(
      '/follower',
      new Raise(new NotLeader({ id: 'node-c', address: '10.0.0.3:8080' })),
    );
    const missing = new Forward('A', () => ({ baseUrl: upstream.baseUrl, path: '/missing' }));
    const follower = new Forward('A', () => ({ baseUrl: upstream.baseUrl, path: '/follower' }));
    const context: CallContext = { requestId: 'r', nodeId: 'node-a', chain: [] };

    const notFound: unknown = await missing.request({}, context).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(RemoteError);
    expect(notFound).toMatchObject({
      code: ErrorCode.CONFIG_NOT_FOUND,
      message: 'config app/db.host not found',
      upstreamStatus: 404,
      httpStatus: 404,
    });
    await expect(follower.request({}, context)).rejects.toMatchObject({
      code: ErrorCode.NOT_LEADER,
      extra: { leader: { id: 'node-c', address: '10.0.0.3:8080' } },
    });
  });

  it('turns a refused connection into 50301 naming the target', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const forward = new Forward('A', () => ({ baseUrl: `http://127.0.0.1:${port}`, path: '/b' }));

    const error: unknown = await forward
      .request({}, { requestId: 'r', nodeId: 'n', chain: [] })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect((error as Error).message).toContain(`GET http://127.0.0.1:${port}/b unreachable`);
  });

  it('turns a timeout into 50301 naming the target', async () => {
    const silent: Server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const forward = new Forward('A', () => ({ baseUrl, path: '/slow' }), { timeoutMs: 100 });
      const error: unknown = await forward
        .request({}, { requestId: 'r', nodeId: 'n', chain: [] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE });
      expect((error as Error).message).toBe(`A: GET ${baseUrl}/slow timed out after 100ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
