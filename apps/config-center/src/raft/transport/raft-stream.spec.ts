import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import Fastify, { FastifyInstance } from 'fastify';
import { Message } from '@cc/raft';
import { LinkProxy } from '../../../../../test/support/cluster/link-proxy';
import { AppConfig } from '../../env/app-config';
import { installEnvelope } from '../../http/envelope';
import { serverTimeouts } from '../../http/server-timeouts';
import { ClusterSecretCheck } from '../inbound/cluster-secret.guard';
import { guardInternalRoutes } from '../inbound/internal-routes.guard';
import { encodeMessages } from './message-codec';
import { installRaftMessagesRoute } from '../inbound/raft-messages.route';
import { installRaftSnapshotRoute } from '../inbound/raft-snapshot.route';
import { installRaftStreamRoute } from '../inbound/raft-stream.route';
import { HttpRaftTransport } from './http-raft-transport';
import { RaftCommandLog } from '../log/raft-command-log';
import {
  CLUSTER_SECRET_HEADER,
  RAFT_FROM_HEADER,
  RAFT_MESSAGES_PATH,
  RAFT_SNAPSHOT_PATH,
  RAFT_STREAM_CONTENT_TYPE,
  RAFT_STREAM_PATH,
} from './raft-wire';

const SECRET = 'stream-test-secret';
const SNAPSHOT_CHUNK_BYTES = 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const heartbeat = (term: number): Message => ({
  type: 'heartbeat',
  from: 'n1',
  to: 'n2',
  term,
  commit: 0,
  readContext: undefined,
});

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(20);
  }
}

/** A node's HTTP side with a fake Raft core: what arrived, and on which route. */
interface Peer {
  url: string;
  fastify: FastifyInstance;
  received: Message[];
  learned: string[];
  requests: (path: string) => number;
  /** Requests on `path` whose connection or body is done (a stream's end, seen by the server). */
  closed: (path: string) => number;
}

async function startPeer(options: { streams: boolean; snapshotChunks?: boolean }): Promise<Peer> {
  const received: Message[] = [];
  const learned: string[] = [];
  const requests = new Map<string, number>();
  const closed = new Map<string, number>();
  const raft = {
    step: (messages: Message[]) => received.push(...messages),
    learnPeer: (peer: { id: string; url: string }) => learned.push(`${peer.id}=${peer.url}`),
  };
  const state = raft as unknown as RaftCommandLog;
  const secret = new ClusterSecretCheck({ cluster: { secret: SECRET } } as unknown as AppConfig);
  const fastify = Fastify({
    ...serverTimeouts({
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      maxInflightBodyBytes: 1 << 27,
    }),
  });
  installEnvelope(fastify);
  guardInternalRoutes(fastify, { secret, bodyTimeoutMs: 30_000, bodyLimits: true });
  installRaftMessagesRoute(fastify, state);
  if (options.streams) installRaftStreamRoute(fastify, state);
  if (options.snapshotChunks ?? true) installRaftSnapshotRoute(fastify, state);
  fastify.addHook('onRequest', (request, _reply, done) => {
    requests.set(request.url, (requests.get(request.url) ?? 0) + 1);
    done();
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.raw.once('close', () => closed.set(request.url, (closed.get(request.url) ?? 0) + 1));
    done();
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fastify.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fastify,
    received,
    learned,
    requests: (path) => requests.get(path) ?? 0,
    closed: (path) => closed.get(path) ?? 0,
  };
}

/** A raw stream request: write what you like, read the response lines. */
function rawStream(url: string, headers: Record<string, string> = {}) {
  const target = new URL(RAFT_STREAM_PATH, url);
  let answer = '';
  let status = 0;
  const request = http.request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'POST',
    agent: false,
    headers: {
      'content-type': RAFT_STREAM_CONTENT_TYPE,
      [CLUSTER_SECRET_HEADER]: SECRET,
      [RAFT_FROM_HEADER]: 'n1',
      ...headers,
    },
  });
  const ended = new Promise<void>((resolve) => {
    request.on('response', (response) => {
      status = response.statusCode ?? 0;
      response.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      response.on('end', () => resolve());
    });
    request.on('error', () => resolve());
  });
  request.flushHeaders();
  return {
    request,
    ended,
    status: () => status,
    lines: () =>
      answer
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('Raft streams: HttpRaftTransport to the stream route', () => {
  const peers: Peer[] = [];
  const transports: HttpRaftTransport[] = [];
  const proxies: LinkProxy[] = [];

  const peer = async (
    options: { streams: boolean; snapshotChunks?: boolean } = { streams: true },
  ) => {
    const started = await startPeer(options);
    peers.push(started);
    return started;
  };
  const transportTo = (url: string) => {
    const transport = new HttpRaftTransport(
      'n1',
      SECRET,
      [{ id: 'n2', url }],
      'http://n1.test:1',
      SNAPSHOT_CHUNK_BYTES,
    );
    transports.push(transport);
    return transport;
  };

  beforeAll(() => Logger.overrideLogger(false));

  afterEach(async () => {
    for (const transport of transports.splice(0)) transport.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    for (const started of peers.splice(0)) await started.fastify.close();
  });

  it('carries every batch on one long-lived stream, no request per batch', async () => {
    const target = await peer();
    const transport = transportTo(target.url);
    for (let term = 1; term <= 50; term++) {
      transport.send([heartbeat(term)]);
      await sleep(2);
    }
    await until('50 messages', () => target.received.length === 50);
    expect(target.received.map((message) => message.term)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(target.requests(RAFT_STREAM_PATH)).toBe(1);
    expect(target.requests(RAFT_MESSAGES_PATH)).toBe(0);
    expect(target.learned).toContain('n1=http://n1.test:1');
    expect(transport.peers()).toEqual([
      expect.objectContaining({ id: 'n2', reachable: true, queued: 0, stream: 'open' }),
    ]);
  });

  it('sends snapshots in chunks, one request each, beside the stream', async () => {
    const target = await peer();
    const transport = transportTo(target.url);
    transport.send([heartbeat(1)]);
    await until('the stream', () => transport.peers()[0].stream === 'open');
    const data = randomBytes(4 * SNAPSHOT_CHUNK_BYTES + 1);
    const snapshot: Message = {
      type: 'snapshot',
      from: 'n1',
      to: 'n2',
      term: 2,
      snapshot: {
        meta: { index: 9, term: 2, confState: { voters: ['n1', 'n2'] } },
        data,
      },
    };
    // The leader offers the same snapshot again before the first transfer is done: sent once.
    transport.send([snapshot, heartbeat(2)]);
    transport.send([snapshot]);
    await until('3 messages', () => target.received.length === 3);
    await sleep(100);
    expect(target.received).toHaveLength(3);
    expect(target.requests(RAFT_MESSAGES_PATH)).toBe(0);
    expect(target.requests(RAFT_STREAM_PATH)).toBe(1);
    expect(target.requests(RAFT_SNAPSHOT_PATH)).toBe(5);
    const arrived = target.received.find((message) => message.type === 'snapshot');
    expect(arrived?.type === 'snapshot' && Buffer.from(arrived.snapshot.data)).toEqual(data);
  });

  it('sends a snapshot whole to a peer without the snapshot route (an older node)', async () => {
    const target = await peer({ streams: true, snapshotChunks: false });
    const transport = transportTo(target.url);
    const data = randomBytes(3 * SNAPSHOT_CHUNK_BYTES);
    transport.send([
      {
        type: 'snapshot',
        from: 'n1',
        to: 'n2',
        term: 2,
        snapshot: { meta: { index: 9, term: 2, confState: { voters: ['n1', 'n2'] } }, data },
      },
    ]);
    await until('the snapshot', () => target.received.length === 1);
    expect(target.requests(RAFT_SNAPSHOT_PATH)).toBe(1);
    expect(target.requests(RAFT_MESSAGES_PATH)).toBe(1);
    const arrived = target.received[0];
    expect(arrived?.type === 'snapshot' && Buffer.from(arrived.snapshot.data)).toEqual(data);
  });

  it('falls back to one request per batch for a peer that takes no stream', async () => {
    const target = await peer({ streams: false });
    const transport = transportTo(target.url);
    for (let term = 1; term <= 10; term++) {
      transport.send([heartbeat(term)]);
      await sleep(5);
    }
    await until('10 messages', () => target.received.length === 10);
    expect(target.requests(RAFT_STREAM_PATH)).toBe(1);
    expect(target.requests(RAFT_MESSAGES_PATH)).toBeGreaterThanOrEqual(1);
    expect(transport.peers()).toEqual([
      expect.objectContaining({ reachable: true, stream: 'refused' }),
    ]);
  });

  it('a blocked link reports the peer unreachable; once healed a new stream carries on', async () => {
    const target = await peer();
    const proxy = new LinkProxy('n1', 'n2', Number(new URL(target.url).port));
    proxies.push(proxy);
    await proxy.listen();
    const transport = transportTo(proxy.url);
    let term = 0;
    const sendFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        transport.send([heartbeat(++term)]);
        await sleep(20);
      }
    };
    await sendFor(200);
    expect(transport.peers()[0]).toMatchObject({ reachable: true, stream: 'open' });

    proxy.block();
    await sendFor(300);
    expect(transport.peers()[0].reachable).toBe(false);
    expect(transport.peers()[0].stream).not.toBe('open');
    const before = target.received.length;
    await sendFor(300);
    expect(target.received.length).toBe(before);

    proxy.heal();
    await sendFor(1_500);
    expect(transport.peers()[0]).toMatchObject({
      reachable: true,
      stream: 'open',
      last_error: null,
    });
    expect(target.received.at(-1)?.term).toBe(term);
    expect(target.requests(RAFT_STREAM_PATH)).toBeGreaterThanOrEqual(2);
  });

  it('gives up on a stream whose peer stops acknowledging, and opens another', async () => {
    // Accepts streams, then never acknowledges a frame: a peer gone silent (powered off).
    let streams = 0;
    const silent = http.createServer((request, response) => {
      streams++;
      response.writeHead(200, { 'content-type': RAFT_STREAM_CONTENT_TYPE });
      response.write('{"frames":0}\n');
      request.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const transport = transportTo(`http://127.0.0.1:${port}`);
      const end = Date.now() + 6_500;
      for (let term = 1; Date.now() < end; term++) {
        transport.send([heartbeat(term)]);
        await sleep(100);
      }
      expect(transport.peers()[0]).toMatchObject({
        reachable: false,
        last_error: 'no acknowledgement for 5000 ms',
      });
      expect(streams).toBeGreaterThanOrEqual(2);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);

  it('refuses a stream with a wrong secret, with the usual envelope', async () => {
    const target = await peer();
    const stream = rawStream(target.url, { [CLUSTER_SECRET_HEADER]: 'wrong' });
    stream.request.end();
    await stream.ended;
    expect(stream.status()).toBe(403);
    expect(stream.lines()[0]).toMatchObject({ code: 40301 });
    expect(target.received).toEqual([]);
  });

  it('ends a stream on a malformed frame, with the error as its last line', async () => {
    const target = await peer();
    const stream = rawStream(target.url);
    stream.request.write(`${encodeMessages([heartbeat(1)])}\n`);
    stream.request.write('this is not json\n');
    await stream.ended;
    stream.request.destroy();
    expect(stream.status()).toBe(200);
    expect(stream.lines()[0]).toEqual({ frames: 0 });
    expect(stream.lines().at(-1)).toMatchObject({ code: 40001 });
    expect(target.received.map((message) => message.term)).toEqual([1]);
  });

  it('leaves other routes alone: the messages route does not take the stream content type', async () => {
    const target = await peer();
    const answer = await fetch(`${target.url}${RAFT_MESSAGES_PATH}`, {
      method: 'POST',
      headers: { 'content-type': RAFT_STREAM_CONTENT_TYPE, [CLUSTER_SECRET_HEADER]: SECRET },
      body: `${encodeMessages([heartbeat(1)])}\n`,
    });
    expect(answer.status).toBe(415);
    expect(target.received).toEqual([]);
  });

  it('closing the transport ends its streams; closing the server ends the streams it serves', async () => {
    const target = await peer();
    const transport = transportTo(target.url);
    transport.send([heartbeat(1)]);
    await until('the stream', () => transport.peers()[0].stream === 'open');
    transport.close();
    await until('the stream closed', () => target.closed(RAFT_STREAM_PATH) === 1, 2_000);

    const other = transportTo(target.url);
    other.send([heartbeat(2)]);
    await until('another stream', () => other.peers()[0].stream === 'open');
    const started = Date.now();
    await target.fastify.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await until('the sender noticed', () => other.peers()[0].stream !== 'open');
  });
});
