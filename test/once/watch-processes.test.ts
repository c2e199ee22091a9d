import { ADMIN_HEADERS } from '../support/auth';
import { ClusterHarness, Json, must, sleep, waitFor } from '../support/cluster/harness';
import { suiteDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/names';
import { NodeProcess, ensureBuilt, startNodeProcess } from '../support/node-process';
import { openSse, SseFrame, SseStream } from '../support/sse-client';

/**
 * Watching over real processes (issue 15 item 1): a follower serves its watchers from its own
 * applied state; with HTTP_WORKERS=2 the read workers serve streams themselves (not proxied).
 */
jest.setTimeout(120_000);

const changes = (frames: SseFrame[]) =>
  frames.filter((frame) => frame.event === 'change').map((frame) => frame.data as Json);

async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers:
      body === undefined ? ADMIN_HEADERS : { ...ADMIN_HEADERS, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return JSON.parse(await response.text()) as Json;
}

describe('a watcher on a follower of a 3-node cluster', () => {
  let cluster: ClusterHarness;
  let failed = false;

  beforeAll(async () => {
    // Small snapshots: a follower cut off for a few dozen writes catches up by InstallSnapshot.
    cluster = await ClusterHarness.start({ name: 'watch', env: { RAFT_SNAPSHOT_ENTRIES: '20' } });
  });
  afterAll(async () => {
    await cluster?.destroy(failed);
  });

  it('sees every write made on the leader exactly once, in revision order (SSE and long polls)', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const follower = cluster.voterIds.find((id) => id !== leader)!;
      const ns = uniqueName('watch');
      must(await cluster.http(leader, 'POST', '/api/v1/admin/namespace', { name: ns }), 'ns');
      // Reads on a follower are serializable: it knows the namespace once it applied its creation.
      await cluster.waitForApplied([follower]);
      const followerUrl = cluster.node(follower).baseUrl;
      const sse: SseStream = await openSse(
        `${followerUrl}/api/v1/config/stream?namespace=${ns}`,
        ADMIN_HEADERS,
      );
      expect(sse.status).toBe(200);
      await sse.until((frames) => frames.length >= 1);

      // A long-poll loop on the same follower, from the snapshot's revision.
      const polled: Json[] = [];
      let pollFrom = (sse.frames[0].data as Json).revision as number;
      let polling = true;
      const pollLoop = (async () => {
        while (polling) {
          const answer = await call(
            followerUrl,
            'GET',
            `/api/v1/config/watch?namespace=${ns}&revision=${pollFrom}&timeout=2`,
          );
          expect(answer.code).toBe(0);
          expect(answer.data.snapshot).toBeNull();
          polled.push(...answer.data.events);
          pollFrom = answer.data.revision;
        }
      })();

      const revisions: number[] = [];
      // Sequential writes, concurrent ones (group-committed), and a batch.
      for (let i = 0; i < 10; i++)
        revisions.push(
          must(
            await cluster.http(leader, 'POST', '/api/v1/admin/config', {
              namespace: ns,
              key: `k${i}`,
              value: i,
            }),
            'write',
          ).revision,
        );
      revisions.push(
        must(
          await cluster.http(leader, 'POST', '/api/v1/admin/config', {
            namespace: ns,
            key: 'hot',
            value: -1,
          }),
          'hot',
        ).revision,
      );
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          cluster.http(leader, 'PUT', '/api/v1/admin/config', {
            namespace: ns,
            key: 'hot',
            value: i,
          }),
        ),
      );
      for (const answer of concurrent)
        if (answer.body?.code === 0) revisions.push(answer.body.data.revision);
      revisions.push(
        must(
          await cluster.http(leader, 'POST', '/api/v1/admin/config/batch', {
            operations: [
              { op: 'upsert', namespace: ns, key: 'b1', value: 1 },
              { op: 'upsert', namespace: ns, key: 'b2', value: 2 },
            ],
          }),
          'batch',
        ).revision,
      );
      revisions.sort((a, b) => a - b);

      const streamed = changes(
        await sse.until((frames) => changes(frames).length >= revisions.length, 20_000),
      );
      await sleep(500);
      expect(changes(sse.frames).map((event) => event.revision)).toEqual(revisions);
      expect(streamed[streamed.length - 1].changes.map((change: Json) => change.key)).toEqual([
        'b1',
        'b2',
      ]);
      const deadline = Date.now() + 20_000;
      while (polled.length < revisions.length && Date.now() < deadline) await sleep(100);
      polling = false;
      await pollLoop.catch(() => undefined);
      expect(polled.map((event) => event.revision)).toEqual(revisions);
      sse.close();
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it('resyncs a follower watcher with a snapshot when it installs one from the leader, then ends it with 50301 when it stops', async () => {
    try {
      const leader = await cluster.waitForLeader({ all: true });
      const follower = cluster.voterIds.find((id) => id !== leader)!;
      const ns = uniqueName('resync');
      must(await cluster.http(leader, 'POST', '/api/v1/admin/namespace', { name: ns }), 'ns');
      must(
        await cluster.http(leader, 'POST', '/api/v1/admin/config', {
          namespace: ns,
          key: 'gone',
          value: 0,
        }),
        'gone',
      );
      await waitFor(
        'the namespace on the follower',
        async () =>
          (await cluster.http(follower, 'GET', `/api/v1/config/get?namespace=${ns}&key=gone`)).body
            ?.code === 0,
      );
      const sse = await openSse(
        `${cluster.node(follower).baseUrl}/api/v1/config/stream?namespace=${ns}`,
        ADMIN_HEADERS,
      );
      await sse.until((frames) => frames.length >= 1);
      cluster.isolate(follower);
      must(
        await cluster.http(leader, 'DELETE', `/api/v1/admin/config?namespace=${ns}&key=gone`),
        'delete',
      );
      let last = 0;
      for (let i = 0; i < 60; i++)
        last = must(
          await cluster.http(leader, 'POST', '/api/v1/admin/config', {
            namespace: ns,
            key: `k${i}`,
            value: i,
          }),
          'write',
        ).revision;
      cluster.healAll();
      const lastSnapshot = (all: SseFrame[]) =>
        all
          .filter((frame) => frame.event === 'snapshot')
          .slice(1)
          .pop()?.data as Json;
      // The snapshot is the leader's latest (at most 20 entries old), the rest follows as changes.
      const frames = await sse.until((all) => {
        const snapshot = lastSnapshot(all);
        if (!snapshot) return false;
        return snapshot.revision >= last || changes(all).some((event) => event.revision === last);
      }, 30_000);
      const snapshot = lastSnapshot(frames);
      const after = changes(frames.slice(frames.findIndex((frame) => frame.data === snapshot)));
      expect(after.map((event) => event.revision)).toEqual(
        after.map((event) => event.revision).sort((x, y) => x - y),
      );
      expect(after.every((event) => event.revision > snapshot.revision)).toBe(true);
      const keys = new Set<string>(snapshot.configs.map((config: Json) => config.key));
      for (const event of after) for (const change of event.changes) keys.add(change.key);
      expect([...keys].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `k${i}`).sort());

      const stopping = Date.now();
      await cluster.terminate(follower);
      await sse.ended;
      expect(Date.now() - stopping).toBeLessThan(3_500);
      expect(sse.frames[sse.frames.length - 1]).toMatchObject({
        event: 'error',
        data: { code: 50301 },
      });
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});

describe('watchers on a node with read workers (HTTP_WORKERS=2)', () => {
  let node: NodeProcess;

  beforeAll(async () => {
    ensureBuilt();
    node = await startNodeProcess(
      { DATABASE_URL: suiteDatabaseUrl(), HTTP_WORKERS: '2', WATCH_HEARTBEAT_SECONDS: '1' },
      60_000,
    );
  });
  afterAll(async () => {
    if (node?.child.exitCode === null) await node.stop();
  });

  it('serves streams from the workers, counts them on the node, and ends them with 50301 on stop', async () => {
    const ns = uniqueName('wwatch');
    expect((await call(node.baseUrl, 'POST', '/api/v1/admin/namespace', { name: ns })).code).toBe(
      0,
    );
    const streams = await Promise.all(
      Array.from({ length: 4 }, () =>
        openSse(`${node.baseUrl}/api/v1/config/stream?namespace=${ns}`, ADMIN_HEADERS),
      ),
    );
    for (const stream of streams) await stream.until((frames) => frames.length >= 1);
    const revisions: number[] = [];
    for (let i = 0; i < 5; i++)
      revisions.push(
        (
          await call(node.baseUrl, 'POST', '/api/v1/admin/config', {
            namespace: ns,
            key: `k${i}`,
            value: i,
          })
        ).data.revision,
      );
    for (const stream of streams) {
      await stream.until((frames) => changes(frames).length >= 5);
      expect(changes(stream.frames).map((event) => event.revision)).toEqual(revisions);
    }
    // Long polls are served by the workers too.
    const polled = await call(
      node.baseUrl,
      'GET',
      `/api/v1/config/watch?namespace=${ns}&revision=${revisions[2]}&timeout=1`,
    );
    expect(polled.data.events.map((event: Json) => event.revision)).toEqual(revisions.slice(3));
    // A revoked token ends its stream on the worker that serves it (from the worker's replica).
    const token = await call(node.baseUrl, 'POST', '/api/v1/admin/tokens', {
      client_id: uniqueName('w'),
      role: 'reader',
      namespaces: [ns],
    });
    const readerStream = await openSse(`${node.baseUrl}/api/v1/config/stream?namespace=${ns}`, {
      authorization: `Bearer ${token.data.token as string}`,
    });
    await readerStream.until((frames) => frames.length >= 1);
    expect(
      (await call(node.baseUrl, 'DELETE', `/api/v1/admin/tokens/${token.data.id as number}`)).code,
    ).toBe(0);
    await readerStream.until((frames) => frames.some((frame) => frame.event === 'error'));
    expect(readerStream.frames[readerStream.frames.length - 1].data).toMatchObject({ code: 40101 });
    await readerStream.ended;
    // Served by the workers: with the node frozen, the workers' heartbeats go on.
    const pid = node.child.pid!;
    const before = streams.map((stream) => stream.comments.length);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(2_500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    streams.forEach((stream, i) =>
      expect(stream.comments.length).toBeGreaterThanOrEqual(before[i] + 2),
    );

    await sleep(600); // the workers' metrics reach the node every 250 ms
    const metrics = await (await fetch(`${node.baseUrl}/api/v1/metrics`)).text();
    expect(metrics).toMatch(/config_center_watchers\{kind="sse"\} 4\b/);

    const started = Date.now();
    await node.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const stream of streams) {
      await stream.ended;
      const last = stream.frames[stream.frames.length - 1];
      expect(last).toMatchObject({ event: 'error', data: { code: 50301 } });
    }
  });
});
