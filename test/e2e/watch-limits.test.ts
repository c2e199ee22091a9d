import { AddressInfo } from 'node:net';
import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { openSse, SseStream } from '../support/sse-client';
import { StalledReader, stalledReader } from '../support/stalled-reader';

const POLL = '/api/v1/config/watch';

/**
 * What one watcher, or one client, may take of a process (review of issue 15 under hostile
 * load): a large snapshot is serialized once and shared; one built for a single request that
 * its client does not take holds an expensive-read slot; one client cannot take every slot.
 */
describe('watch limits', () => {
  let server: TestApp;
  let admin: Api;
  let base: string;
  let port: number;
  const streams: SseStream[] = [];
  const stalled: StalledReader[] = [];

  beforeAll(async () => {
    server = await startApp({
      EXPENSIVE_READS_MAX: '1',
      ANSWER_STALL_TIMEOUT_MS: '20000',
      WATCH_MAX_WATCHERS_PER_CLIENT: '3',
    });
    admin = server.api;
    await server.app.listen(0, '127.0.0.1');
    port = (server.app.getHttpServer().address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
    for (const reader of stalled.splice(0)) reader.socket.destroy();
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  async function readerToken(namespaces: string[]): Promise<string> {
    const data = ok(
      await admin.post('/api/v1/admin/tokens', {
        client_id: uniqueName('watcher'),
        role: 'reader',
        namespaces,
      }),
    );
    return `Bearer ${data.token as string}`;
  }

  it('shares a large snapshot; one built for a client that does not take it holds a slot', async () => {
    const { name: ns } = await admin.createNamespace();
    // 12 values of ~1 MB: a 12 MB snapshot, more than loopback buffers take from a stalled client.
    const big = 'x'.repeat(1_000_000);
    for (let i = 0; i < 12; i++) ok(await admin.createConfig(ns, `k${i}`, big));

    stalled.push(await stalledReader(port, `${POLL}?namespace=${ns}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Another filter's snapshot must be built for this request: no slot is free.
    const refused = fails(await admin.get(`${POLL}?namespace=${ns}&prefix=k1`), 50301);
    expect(refused.error.details).toMatchObject({ bound: 1 });
    // The stalled client's snapshot is shared: served again without a slot.
    const shared = ok(await admin.get(`${POLL}?namespace=${ns}`));
    expect(shared.snapshot.configs).toHaveLength(12);

    // The stalled client goes: its slot is free again.
    stalled.splice(0).forEach((reader) => reader.socket.destroy());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const other = ok(await admin.get(`${POLL}?namespace=${ns}&prefix=k1&timeout=1`));
    expect(other.snapshot.configs.map((config: { key: string }) => config.key).sort()).toEqual([
      'k1',
      'k10',
      'k11',
    ]);
  });

  it('refuses a client past WATCH_MAX_WATCHERS_PER_CLIENT with 42902, not the others', async () => {
    const { name: ns } = await admin.createNamespace();
    const greedy = await readerToken([ns]);
    for (let i = 0; i < 3; i++) {
      const opened = await openSse(`${base}/api/v1/config/stream?namespace=${ns}`, {
        authorization: greedy,
      });
      streams.push(opened);
      expect(opened.status).toBe(200);
    }
    const refused = await openSse(`${base}/api/v1/config/stream?namespace=${ns}`, {
      authorization: greedy,
    });
    streams.push(refused);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({
      code: 42902,
      error: { details: { max_watchers_per_client: 3 } },
    });
    const other = await openSse(`${base}/api/v1/config/stream?namespace=${ns}`, {
      authorization: await readerToken([ns]),
    });
    streams.push(other);
    expect(other.status).toBe(200);
  });
});
