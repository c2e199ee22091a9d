import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { AppError } from '@cc/common';
import { ForwardProposalResource } from './forward-proposal.resource';

/** What a follower answers when its forward to the leader gets no answer, on real sockets. */
describe('ForwardProposalResource without an answer', () => {
  const context = { requestId: 'r1', nodeId: 'node-2', chain: [] };
  const command = { kind: 'createNamespace', name: 'ns' } as never;
  const servers: Server[] = [];
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });

  /** A TCP server that reads the request and then does `onRequest` with the socket. */
  async function leaderThat(onRequest: (socket: Socket) => void): Promise<string> {
    const server = createServer((socket) => {
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

  it('is 50301 when the leader refused the connection: it never saw the write', async () => {
    const url = await leaderThat(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await forwardTo(url);
    expect(error.code).toBe(50301);
  });
});
