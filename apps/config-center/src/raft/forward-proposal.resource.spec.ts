import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppError, ErrorCode, errorEnvelope, successEnvelope } from '@cc/common';
import { callContextFrom, NestedCallRefused } from '@cc/resource';
import { Command } from '../state/commands';
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
