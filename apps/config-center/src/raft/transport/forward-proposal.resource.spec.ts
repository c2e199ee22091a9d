import { createServer, IncomingMessage, Server } from 'node:http';
import {
  AddressInfo,
  createServer as createTcpServer,
  Server as TcpServer,
  Socket,
} from 'node:net';
import { AppError, ErrorCode, errorEnvelope, successEnvelope } from '@cc/common';
import { callContextFrom, NestedCallRefused } from '@cc/resource';
import { Command } from '../../state/commands';
import { ForwardProposalResource, PROPOSE_PATH } from './forward-proposal.resource';
import { CLUSTER_SECRET_HEADER } from './raft-wire';

const SECRET = 'test-cluster-secret';
const command: Command = {
  type: 'CreateNamespace',
  name: 'x',
  description: null,
  at: 1,
  operator: 't',
};

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Two "nodes" that each believe the other is the leader, as during an election: each forwards
 * what it receives. The recursion guard must stop the write on its second hop, not let it
 * bounce until a timeout.
 */
describe('ForwardProposalResource', () => {
  const servers: Server[] = [];
  const received: string[] = [];

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function confusedNode(nodeId: string, otherUrl: () => string): Promise<string> {
    const forwarder = new ForwardProposalResource(SECRET, 2000);
    const server = createServer((request, response) => {
      void (async () => {
        received.push(nodeId);
        const requestId = String(request.headers['x-request-id'] ?? 'none');
        try {
          if (request.headers[CLUSTER_SECRET_HEADER] !== SECRET)
            throw new AppError(ErrorCode.UNAUTHORIZED);
          const { command: forwarded } = (await body(request)) as { command: Command };
          const context = callContextFrom(request.headers, requestId, nodeId);
          const outcome = await forwarder.request(
            { command: forwarded, leaderUrl: otherUrl() },
            context,
          );
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(successEnvelope(outcome, requestId)));
        } catch (error) {
          const failure = error instanceof AppError ? error : new AppError(ErrorCode.INTERNAL);
          response
            .writeHead(failure.httpStatus, { 'content-type': 'application/json' })
            .end(
              JSON.stringify(
                errorEnvelope(failure.code, failure.message, requestId, failure.details),
              ),
            );
        }
      })();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('refuses a forward that would bounce back to a node it already passed', async () => {
    let urlA = '';
    let urlB = '';
    urlA = await confusedNode('node-a', () => urlB);
    urlB = await confusedNode('node-b', () => urlA);

    const origin = new ForwardProposalResource(SECRET, 2000);
    const attempt = origin.request(
      { command, leaderUrl: urlA },
      { requestId: 'r-1', nodeId: 'node-c', chain: [] },
    );

    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(attempt).rejects.toThrow(/re-entered|nested call refused/);
    // node-c -> node-a is the first hop; node-a -> node-b would re-enter the forwarder: refused there.
    expect(received).toEqual(['node-a']);
    expect(PROPOSE_PATH).toBe('/internal/raft/propose');
  });

  it('is refused locally when the incoming chain already holds a forward', async () => {
    const forwarder = new ForwardProposalResource(SECRET, 2000);
    const attempt = forwarder.request(
      { command, leaderUrl: 'http://127.0.0.1:9' },
      { requestId: 'r-2', nodeId: 'node-b', chain: [{ resource: forwarder.name, node: 'node-a' }] },
    );
    await expect(attempt).rejects.toBeInstanceOf(NestedCallRefused);
  });
});

/** What a follower answers when its forward to the leader gets no answer, on real sockets. */
describe('ForwardProposalResource without an answer', () => {
  const context = { requestId: 'r1', nodeId: 'node-2', chain: [] };
  const servers: TcpServer[] = [];
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });

  /** A TCP server that reads the request and then does `onRequest` with the socket. */
  async function leaderThat(onRequest: (socket: Socket) => void): Promise<string> {
    const server = createTcpServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => onRequest(socket));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function forwardTo(leaderUrl: string): Promise<AppError> {
    const resource = new ForwardProposalResource('secret', 300);
    try {
      await resource.request({ command, leaderUrl }, context);
    } catch (error) {
      return error as AppError;
    }
    throw new Error('the forward succeeded');
  }

  it('is "outcome unknown" (50003) when the leader took the request and never answered', async () => {
    const error = await forwardTo(await leaderThat(() => undefined));
    expect(error.code).toBe(50003);
    expect(error.details).toEqual({ outcome: 'unknown' });
  });

  it('is "outcome unknown" (50003) when the connection closed after the request went out', async () => {
    const error = await forwardTo(await leaderThat((socket) => socket.destroy()));
    expect(error.code).toBe(50003);
    expect(error.details).toEqual({ outcome: 'unknown' });
  });

  it('is "outcome unknown" (50003) when a gateway in between answered 5xx, 50301 for a 404', async () => {
    const gateway = (status: number, body: string) =>
      leaderThat((socket) =>
        socket.end(
          `HTTP/1.1 ${status} Gateway\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        ),
      );
    // Envoy's 503 after an upstream reset, a 502, and a JSON 504 with a code not of ours.
    for (const [status, body] of [
      [503, 'upstream connect error or disconnect/reset before headers'],
      [502, 'bad gateway'],
      [504, '{"code":504,"message":"gateway timeout"}'],
    ] as const) {
      const failure = await forwardTo(await gateway(status, body));
      expect({ status, code: failure.code, details: failure.details }).toEqual({
        status,
        code: 50003,
        details: { outcome: 'unknown' },
      });
    }
    expect((await forwardTo(await gateway(404, 'no'))).code).toBe(50301);
  });

  it('is 50301 when the leader refused the connection: it never saw the write', async () => {
    const url = await leaderThat(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await forwardTo(url);
    expect(error.code).toBe(50301);
  });
});
