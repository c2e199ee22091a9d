import { AddressInfo } from 'node:net';
import request from 'supertest';
import { Api, fails, Json, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { Applier } from '../../apps/config-center/src/state/applier';
import { StateView } from '../../apps/config-center/src/state/state-view';
import { ADMIN_AUTHORIZATION } from '../support/auth';
import { openSse, SseFrame, SseStream } from '../support/sse-client';

const POLL = '/api/v1/config/watch';
const changesOf = (frames: SseFrame[]) =>
  frames.filter((frame) => frame.event === 'change').map((frame) => frame.data as Json);

/** Issue 15 item 1: long polling and Server-Sent Events from the command log (WATCH-API.md). */
describe('watching configs', () => {
  let server: TestApp;
  let admin: Api;
  let base: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    server = await startApp({
      WATCH_HISTORY_EVENTS: '20',
      WATCH_MAX_WATCHERS: '8',
      WATCH_STREAM_BUFFER_BYTES: String(64 * 1024),
      ANSWER_STALL_TIMEOUT_MS: '1000',
    });
    admin = server.api;
    await server.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  const poll = (query: string, api: Api = admin) => api.get(`${POLL}?${query}`);
  const stream = async (query: string, headers: Record<string, string> = {}) => {
    const opened = await openSse(`${base}/api/v1/config/stream?${query}`, {
      authorization: ADMIN_AUTHORIZATION,
      ...headers,
    });
    streams.push(opened);
    return opened;
  };
  async function reader(namespaces: string[], extra: object = {}) {
    const data = ok(
      await admin.post('/api/v1/admin/tokens', {
        client_id: uniqueName('watcher'),
        role: 'reader',
        namespaces,
        ...extra,
      }),
    );
    return { id: data.id as number, authorization: `Bearer ${data.token as string}` };
  }

  it('answers a snapshot without a revision, then the events after the revision it gave', async () => {
    const ns = (await admin.createNamespace()).name;
    ok(await admin.createConfig(ns, 'a', { n: 1 }));
    const first = ok(await poll(`namespace=${ns}`));
    expect(first.events).toEqual([]);
    expect(first.snapshot.configs).toEqual([
      { namespace: ns, key: 'a', version: 1, value: { n: 1 } },
    ]);
    expect(first.revision).toBe(first.snapshot.revision);

    const written = ok(await admin.updateConfig(ns, 'a', { n: 2 }));
    const second = ok(await poll(`namespace=${ns}&revision=${first.revision}`));
    expect(second.snapshot).toBeNull();
    expect(second.events).toEqual([
      {
        revision: written.revision,
        changes: [{ namespace: ns, key: 'a', op: 'update', version: 2, value: { n: 2 } }],
      },
    ]);
    expect(second.revision).toBe(written.revision);
  });

  it('waits for a write after the revision and answers it at once', async () => {
    const ns = (await admin.createNamespace()).name;
    const start = ok(await poll(`namespace=${ns}`)).revision as number;
    const started = Date.now();
    const waiting = poll(`namespace=${ns}&revision=${start}&timeout=20`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = ok(await admin.createConfig(ns, 'k', 'v'));
    const answer = ok(await waiting);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer.events).toEqual([
      {
        revision: created.revision,
        changes: [{ namespace: ns, key: 'k', op: 'create', version: 1, value: 'v' }],
      },
    ]);
    // Deleting: null value, a version of its own.
    const deleted = ok(await admin.deleteConfig(ns, 'k'));
    const after = ok(await poll(`namespace=${ns}&revision=${answer.revision}&timeout=1`));
    expect(after.events).toEqual([
      {
        revision: deleted.revision,
        changes: [{ namespace: ns, key: 'k', op: 'delete', version: 2, value: null }],
      },
    ]);
  });

  it('answers no events after the timeout, with the revision to poll from', async () => {
    const ns = (await admin.createNamespace()).name;
    const start = ok(await poll(`namespace=${ns}`)).revision as number;
    const started = Date.now();
    const answer = ok(await poll(`namespace=${ns}&revision=${start}&timeout=1`));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
    expect(answer).toEqual({ events: [], snapshot: null, revision: expect.any(Number) });
    expect(answer.revision).toBeGreaterThanOrEqual(start);
  });

  it('refuses bad timeouts, revisions and namespace lists with 40001, unknown namespaces with 40402', async () => {
    const ns = (await admin.createNamespace()).name;
    for (const query of [
      `namespace=${ns}&timeout=0`,
      `namespace=${ns}&timeout=56`,
      `namespace=${ns}&timeout=1.5`,
      `namespace=${ns}&revision=-1`,
      `namespace=${ns}&revision=x`,
      '',
      'namespace=bad%20name',
      Array.from({ length: 51 }, (_, i) => `namespace=n${i}`).join('&'),
    ])
      fails(await poll(query), 40001);
    fails(await poll(`namespace=${uniqueName('missing')}`), 40402);
  });

  it('filters by the namespaces named and by key prefix', async () => {
    const one = (await admin.createNamespace()).name;
    const two = (await admin.createNamespace()).name;
    const three = (await admin.createNamespace()).name;
    const start = ok(await poll(`namespace=${one}`)).revision as number;
    ok(await admin.createConfig(one, 'db.url', 1));
    ok(await admin.createConfig(two, 'db.url', 2));
    ok(await admin.createConfig(three, 'db.url', 3));
    ok(await admin.createConfig(one, 'cache.size', 4));
    ok(
      await admin.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'upsert', namespace: one, key: 'db.pool', value: 5 },
          { op: 'upsert', namespace: three, key: 'db.pool', value: 6 },
        ],
      }),
    );
    const both = ok(await poll(`namespace=${one}&namespace=${two}&revision=${start}&timeout=1`));
    expect(
      both.events.flatMap((e: Json) => e.changes.map((c: Json) => `${c.namespace}/${c.key}`)),
    ).toEqual([`${one}/db.url`, `${two}/db.url`, `${one}/cache.size`, `${one}/db.pool`]);
    const prefixed = ok(await poll(`namespace=${one}&prefix=db.&revision=${start}&timeout=1`));
    expect(prefixed.events.map((e: Json) => e.changes.map((c: Json) => c.key))).toEqual([
      ['db.url'],
      ['db.pool'],
    ]);
  });

  it('needs a reader token for every namespace named (40101, 40301 as envelopes)', async () => {
    const own = (await admin.createNamespace()).name;
    const other = (await admin.createNamespace()).name;
    const token = await reader([own]);
    const as = admin.anonymous().with({ authorization: token.authorization });
    ok(await poll(`namespace=${own}`, as));
    fails(await poll(`namespace=${own}&namespace=${other}`, as), 40301);
    fails(await poll(`namespace=${own}`, admin.anonymous()), 40101);
    const refused = await stream(`namespace=${own}&namespace=${other}`, {
      authorization: token.authorization,
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 40301 });
    const anonymous = await stream(`namespace=${own}`, { authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 40101 });
  });

  it('streams a snapshot, then each write as an event whose id is its revision', async () => {
    const ns = (await admin.createNamespace()).name;
    ok(await admin.createConfig(ns, 'a', 1));
    const sse = await stream(`namespace=${ns}`);
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    const [snapshot] = await sse.until((frames) => frames.length >= 1);
    expect(snapshot.event).toBe('snapshot');
    expect(snapshot.data).toMatchObject({
      configs: [{ namespace: ns, key: 'a', version: 1, value: 1 }],
    });
    expect(snapshot.id).toBe(String((snapshot.data as Json).revision));
    const written = ok(await admin.updateConfig(ns, 'a', 2));
    await sse.until((frames) => changesOf(frames).length >= 1);
    expect(sse.frames[1]).toEqual({
      event: 'change',
      id: String(written.revision),
      data: {
        revision: written.revision,
        changes: [{ namespace: ns, key: 'a', op: 'update', version: 2, value: 2 }],
      },
    });
  });

  it('resumes after Last-Event-ID with no gap and no duplicate', async () => {
    const ns = (await admin.createNamespace()).name;
    const sse = await stream(`namespace=${ns}`);
    await sse.until((frames) => frames.length >= 1);
    for (let i = 1; i <= 3; i++) ok(await admin.createConfig(ns, `k${i}`, i));
    const seen = changesOf(await sse.until((frames) => changesOf(frames).length >= 3));
    sse.close();
    const last = seen[1].revision as number;
    const later: number[] = [];
    for (let i = 4; i <= 5; i++) later.push(ok(await admin.createConfig(ns, `k${i}`, i)).revision);
    const resumed = await stream(`namespace=${ns}`, { 'last-event-id': String(last) });
    const frames = await resumed.until((all) => changesOf(all).length >= 3);
    expect(frames.every((frame) => frame.event === 'change')).toBe(true);
    expect(changesOf(frames).map((event) => event.revision)).toEqual([seen[2].revision, ...later]);
  });

  it('sends two writes to one key committed together as two events, a batch as one', async () => {
    const ns = (await admin.createNamespace()).name;
    ok(await admin.createConfig(ns, 'k', 0));
    const sse = await stream(`namespace=${ns}`);
    await sse.until((frames) => frames.length >= 1);
    // Sent at once: group commit puts them in one applied batch (DESIGN 2), still two entries.
    const [first, second] = await Promise.all([
      admin.updateConfig(ns, 'k', 1),
      admin.updateConfig(ns, 'k', 2),
    ]);
    const revisions = [ok(first).revision, ok(second).revision].sort((a, b) => a - b);
    const batch = ok(
      await admin.post('/api/v1/admin/config/batch', {
        operations: [
          { op: 'upsert', namespace: ns, key: 'x', value: 'a' },
          { op: 'upsert', namespace: ns, key: 'y', value: 'b' },
        ],
      }),
    );
    const events = changesOf(await sse.until((frames) => changesOf(frames).length >= 3));
    expect(events.map((event) => event.revision)).toEqual([...revisions, expect.any(Number)]);
    expect(events.slice(0, 2).map((event) => event.changes[0].version)).toEqual([2, 3]);
    expect(events[2].changes.map((change: Json) => change.key)).toEqual(['x', 'y']);
    expect(batch).toBeDefined();
  });

  it('gives a watcher behind the history a snapshot, then the stream, with nothing missing', async () => {
    const ns = (await admin.createNamespace()).name;
    const start = ok(await admin.createConfig(ns, 'k0', 0)).revision as number;
    for (let i = 1; i <= 25; i++) ok(await admin.createConfig(ns, `k${i}`, i)); // history holds 20
    const behind = ok(await poll(`namespace=${ns}&revision=${start}`));
    expect(behind.events).toEqual([]);
    expect(behind.snapshot.configs).toHaveLength(26);
    const sse = await stream(`namespace=${ns}`, { 'last-event-id': String(start) });
    const [snapshot] = await sse.until((frames) => frames.length >= 1);
    expect(snapshot.event).toBe('snapshot');
    expect((snapshot.data as Json).configs).toHaveLength(26);
    const next = ok(await admin.createConfig(ns, 'k26', 26));
    const events = changesOf(await sse.until((frames) => changesOf(frames).length >= 1));
    expect(events.map((event) => event.revision)).toEqual([next.revision]);
  });

  it('ends the stream and the long poll when the token is revoked or the namespace disabled', async () => {
    const { name: ns, id } = await admin.createNamespace();
    const token = await reader([ns]);
    const sse = await stream(`namespace=${ns}`, { authorization: token.authorization });
    await sse.until((frames) => frames.length >= 1);
    const as = admin.anonymous().with({ authorization: token.authorization });
    const start = ok(await poll(`namespace=${ns}`, as)).revision as number;
    const waiting = poll(`namespace=${ns}&revision=${start}&timeout=20`, as);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ok(await admin.delete(`/api/v1/admin/tokens/${token.id}`));
    const [, error] = await sse.until((frames) => frames.some((frame) => frame.event === 'error'));
    expect(error).toMatchObject({ event: 'error', data: { code: 40101 } });
    await sse.ended;
    fails(await waiting, 40101);

    const watched = await stream(`namespace=${ns}`);
    await watched.until((frames) => frames.length >= 1);
    ok(await admin.put(`/api/v1/admin/namespace/${id}`, { status: 0 }));
    const frames = await watched.until((all) => all.some((frame) => frame.event === 'error'));
    expect(frames[frames.length - 1].data).toMatchObject({ code: 40301 });
  });

  it('ends a stream when its token expires', async () => {
    const ns = (await admin.createNamespace()).name;
    const token = await reader([ns], { expires_at: new Date(Date.now() + 1500).toISOString() });
    const sse = await stream(`namespace=${ns}`, { authorization: token.authorization });
    await sse.until((frames) => frames.length >= 1);
    const frames = await sse.until((all) => all.some((frame) => frame.event === 'error'), 5_000);
    expect(frames[frames.length - 1].data).toMatchObject({ code: 40101 });
    await sse.ended;
  });

  it('ends a stream on a rotated token’s old secret when its grace period ends, with no other change', async () => {
    const ns = (await admin.createNamespace()).name;
    const token = await reader([ns]);
    const sse = await stream(`namespace=${ns}`, { authorization: token.authorization });
    await sse.until((frames) => frames.length >= 1);
    ok(await admin.post(`/api/v1/admin/tokens/${token.id}/rotate`, { grace_seconds: 1 }));
    const rotatedAt = Date.now();
    const frames = await sse.until((all) => all.some((frame) => frame.event === 'error'), 5_000);
    expect(frames[frames.length - 1].data).toMatchObject({ code: 40101 });
    expect(Date.now() - rotatedAt).toBeGreaterThanOrEqual(900);
    await sse.ended;
  });

  it('resyncs every stream with a snapshot when the node installs a snapshot', async () => {
    const ns = (await admin.createNamespace()).name;
    ok(await admin.createConfig(ns, 'a', 1));
    const sse = await stream(`namespace=${ns}`);
    await sse.until((frames) => frames.length >= 1);
    // What the Raft log does after InstallSnapshot: reload the view at the snapshot's index.
    await server.app.get(Applier).reload(server.app.get(StateView).appliedIndex);
    const frames = await sse.until((all) => all.length >= 2);
    expect(frames[1]).toMatchObject({
      event: 'snapshot',
      data: { configs: [{ namespace: ns, key: 'a', version: 1, value: 1 }] },
    });
    const next = ok(await admin.createConfig(ns, 'b', 2));
    const events = changesOf(await sse.until((all) => changesOf(all).length >= 1));
    expect(events.map((event) => event.revision)).toEqual([next.revision]);
  });

  it('drops a stream whose client does not read instead of buffering for it', async () => {
    const ns = (await admin.createNamespace()).name;
    const sse = await stream(`namespace=${ns}`);
    const reading = await stream(`namespace=${ns}`);
    await sse.until((frames) => frames.length >= 1);
    await reading.until((frames) => frames.length >= 1);
    sse.pause();
    // Each event is 4 times the stream's 64 KiB bound: a client that reads gets them all.
    const big = 'x'.repeat(256 * 1024);
    const sseWatchers = async () =>
      Number(
        /config_center_watchers\{kind="sse"\} (\d+)/.exec(
          (await admin.get('/api/v1/metrics')).text,
        )?.[1],
      );
    let writes = 0;
    while (writes < 60 && (await sseWatchers()) === 2)
      ok(
        await admin.post('/api/v1/admin/config', {
          namespace: ns,
          key: `k${writes++}`,
          value: big,
        }),
      );
    expect(writes).toBeLessThan(60);
    expect(await sseWatchers()).toBe(1);
    // Its connection was cut: once it reads what the network held, it ends.
    sse.resume();
    await sse.ended;
    await reading.until((frames) => changesOf(frames).length >= writes);
    reading.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sseWatchers()).toBe(0);
  });

  it('refuses watchers past WATCH_MAX_WATCHERS with 50301 and takes new ones once some left', async () => {
    const ns = (await admin.createNamespace()).name;
    const opened: SseStream[] = [];
    let refused: SseStream | undefined;
    for (let i = 0; i < 9 && !refused; i++) {
      const next = await stream(`namespace=${ns}`);
      if (next.status === 200) opened.push(next);
      else refused = next;
    }
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused!.body)).toMatchObject({ code: 50301 });
    fails(await poll(`namespace=${ns}`), 50301);
    for (const open of opened) open.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    ok(await poll(`namespace=${ns}`));
  });

  it('keeps streams and polls out of the request-duration histogram and counts watchers', async () => {
    const ns = (await admin.createNamespace()).name;
    const sse = await stream(`namespace=${ns}`);
    await sse.until((frames) => frames.length >= 1);
    ok(await admin.createConfig(ns, 'k', 1));
    await sse.until((frames) => changesOf(frames).length >= 1);
    ok(await poll(`namespace=${ns}`));
    const metrics = (await admin.get('/api/v1/metrics')).text;
    expect(metrics).toMatch(/config_center_watchers\{kind="sse"\} [1-9]/);
    expect(metrics).toMatch(/config_center_watch_events_total\{kind="sse"\} [1-9]/);
    expect(metrics).toMatch(/config_center_watch_fanout_duration_milliseconds_count [1-9]/);
    expect(metrics).not.toMatch(
      /api_request_duration_milliseconds_count\{api="\/api\/v1\/config\/(watch|stream)"/,
    );
  });

  it('answers HEAD at once, without watching', async () => {
    const ns = (await admin.createNamespace()).name;
    for (const path of [POLL, '/api/v1/config/stream']) {
      const answer = await request(server.app.getHttpServer())
        .head(`${path}?namespace=${ns}&revision=0&timeout=30`)
        .set('authorization', ADMIN_AUTHORIZATION)
        .timeout(5_000);
      expect(answer.status).toBe(200);
    }
  });

  it('documents both routes in Swagger', async () => {
    const document = (await admin.get('/docs-json')).body as Json;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/config/watch', '/api/v1/config/stream']),
    );
    expect(JSON.stringify(document.paths['/api/v1/config/stream'])).toContain('text/event-stream');
  });
});
