import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeServer,
  change,
  deadAddress,
  envelope,
  fakeServer,
  sendFrame,
  startStream,
  until,
} from '../test/fake-server';
import { ConfigCenterClient } from './client';
import { AppliedUpdate } from './types';

describe('Watcher', () => {
  const servers: FakeServer[] = [];
  const clients: ConfigCenterClient[] = [];
  const backoff = { initialDelayMs: 10, maxDelayMs: 50 };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const serve = async (...args: Parameters<typeof fakeServer>) => {
    const server = await fakeServer(...args);
    servers.push(server);
    return server;
  };
  const client = (addresses: string[]) => {
    const made = new ConfigCenterClient({
      servers: addresses,
      token: 'tok',
      backoff,
      timeoutMs: 2_000,
    });
    clients.push(made);
    return made;
  };

  it('resumes on the next server with Last-Event-ID and applies a replayed event once', async () => {
    const first = await serve((request, response) => {
      startStream(response);
      sendFrame(response, 'snapshot', 10, {
        revision: 10,
        configs: [{ namespace: 'app', key: 'a', version: 1, value: 0 }],
      });
      sendFrame(response, 'change', 11, change(11, 'a', 1));
      sendFrame(response, 'change', 12, change(12, 'a', 2));
      setTimeout(() => request.socket.destroy(), 20); // the node dies mid-stream
    });
    const second = await serve((_request, response) => {
      startStream(response);
      sendFrame(response, 'change', 12, change(12, 'a', 2)); // a replay: already applied
      sendFrame(response, 'change', 13, change(13, 'a', 3));
    });
    const watcher = client([first.url, second.url]).watch({ namespaces: ['app'] });
    const updates: AppliedUpdate[] = [];
    watcher.onUpdate((update) => updates.push(update));
    await until(() => watcher.revision === 13);
    expect(updates.map((u) => `${u.source}@${u.revision}`)).toEqual([
      'snapshot@10',
      'event@11',
      'event@12',
      'event@13',
    ]);
    expect(watcher.get('app', 'a')).toBe(3);
    expect(watcher.server).toBe(second.url);
    expect(first.requests[0].headers['last-event-id']).toBeUndefined();
    expect(second.requests[0].headers['last-event-id']).toBe('12');
    expect(second.requests[0].headers.authorization).toBe('Bearer tok');
    expect(second.requests[0].url).toBe('/api/v1/config/stream?namespace=app');
  });

  it('skips a refusing server and one that ends the stream with 50301, in address order', async () => {
    const stopping = await serve((_request, response) => {
      startStream(response);
      sendFrame(response, 'error', undefined, { code: 50301, message: 'node stopping' });
      response.end();
    });
    const healthy = await serve((_request, response) => {
      startStream(response);
      sendFrame(response, 'snapshot', 5, { revision: 5, configs: [] });
    });
    const watcher = client([await deadAddress(), stopping.url, healthy.url]).watch({
      namespaces: ['app', 'b'],
      prefix: 'db.',
    });
    const codes: number[] = [];
    watcher.onError((error) => codes.push(error.code));
    await watcher.ready;
    expect(watcher.server).toBe(healthy.url);
    expect(codes).toEqual([50301, 50301]);
    expect(healthy.requests[0].url).toBe(
      '/api/v1/config/stream?namespace=app&namespace=b&prefix=db.',
    );
  });

  it('stops on a 4xx error event and reports its code', async () => {
    const server = await serve((_request, response) => {
      startStream(response);
      sendFrame(response, 'snapshot', 5, { revision: 5, configs: [] });
      sendFrame(response, 'error', undefined, { code: 40301, message: 'namespace disabled' });
      response.end();
    });
    const watcher = client([server.url]).watch({ namespaces: ['app'] });
    await until(() => watcher.stoppedBy !== undefined);
    expect(watcher.stoppedBy?.code).toBe(40301);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests).toHaveLength(1);
  });

  it('rejects ready with the envelope of a refused stream (bad token)', async () => {
    const server = await serve((_request, response) => envelope(response, 401, 40101, null));
    const watcher = client([server.url]).watch({ namespaces: ['app'] });
    await expect(watcher.ready).rejects.toMatchObject({
      code: 40101,
      status: 401,
      requestId: 'req-1',
    });
  });

  it('starts from the on-disk snapshot with every server down, then resumes from its revision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-watch-'));
    try {
      const server = await serve((_request, response) => {
        startStream(response);
        sendFrame(response, 'snapshot', 20, {
          revision: 20,
          configs: [{ namespace: 'app', key: 'a', version: 4, value: { on: true } }],
        });
      });
      const first = client([server.url]);
      const watcher = first.watch({ namespaces: ['app'], snapshotDir: dir });
      await watcher.ready;
      await first.close();
      await server.close();
      const unhealthy = await serve((_request, response) => envelope(response, 503, 50301, null));

      const cold = client([await deadAddress(), unhealthy.url]).watch({
        namespaces: ['app'],
        snapshotDir: dir,
      });
      const seen: string[] = [];
      cold.onKey('app', 'a', (c) => seen.push(`${c.source}:${JSON.stringify(c.value)}`));
      await cold.ready;
      expect(cold.get('app', 'a')).toEqual({ on: true });
      expect(cold.revision).toBe(20);
      await until(() => unhealthy.requests.length > 0);
      expect(unhealthy.requests[0].headers['last-event-id']).toBe('20');
      expect(seen).toEqual(['disk:{"on":true}']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ConfigCenterClient reads', () => {
  const servers: FakeServer[] = [];
  afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));

  it('fails over from a 5xx server and throws a 4xx envelope as a typed error', async () => {
    const failing = await fakeServer((_request, response) => envelope(response, 503, 50301, null));
    const healthy = await fakeServer((request, response) => {
      if (request.url?.includes('key=missing')) return envelope(response, 404, 40403, null);
      envelope(response, 200, 0, {
        namespace: 'app',
        key: 'a',
        value: [1],
        version: 3,
        revision: 9,
        updated_at: 't',
      });
    });
    servers.push(failing, healthy);
    const client = new ConfigCenterClient({ servers: [failing.url, healthy.url], token: 't' });
    try {
      await expect(client.get('app', 'a', { version: 3 })).resolves.toEqual({
        namespace: 'app',
        key: 'a',
        value: [1],
        version: 3,
        revision: 9,
        updatedAt: 't',
      });
      expect(healthy.requests[0].url).toBe('/api/v1/config/get?namespace=app&key=a&version=3');
      await expect(client.get('app', 'missing')).rejects.toMatchObject({
        code: 40403,
        status: 404,
      });
      expect(failing.requests).toHaveLength(1); // the client now sticks to the healthy one
    } finally {
      await client.close();
    }
  });

  it('tries the next server after a 429 (a node rate-limits its clients)', async () => {
    const limited = await fakeServer((_request, response) => envelope(response, 429, 42901, null));
    const healthy = await fakeServer((_request, response) =>
      envelope(response, 200, 0, {
        namespace: 'app',
        configs: {},
        versions: {},
        revision: 3,
        updated_at: 't',
      }),
    );
    servers.push(limited, healthy);
    const client = new ConfigCenterClient({ servers: [limited.url, healthy.url] });
    try {
      await expect(client.getNamespace('app')).resolves.toMatchObject({
        revision: 3,
        updatedAt: 't',
      });
      expect(healthy.requests[0].url).toBe('/api/v1/config/namespace/app');
    } finally {
      await client.close();
    }
  });

  it('answers 50301 with every attempt when no server answers, and 40801 on a timeout', async () => {
    const silent = await fakeServer(() => undefined);
    servers.push(silent);
    const client = new ConfigCenterClient({
      servers: [silent.url, await deadAddress()],
      timeoutMs: 100,
    });
    try {
      const error = await client.getNamespace('app').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 50301, name: 'ServersUnavailableError' });
      expect((error as { attempts: string[] }).attempts[0]).toMatch(/no answer within 100 ms/);
    } finally {
      await client.close();
    }
  });
});
