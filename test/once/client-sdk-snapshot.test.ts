import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppliedUpdate, ConfigCenterClient, Watcher } from '@config-center/client';
import { ADMIN_HEADERS } from '../support/auth';
import { NodeProcess, freePort, startNodeProcess } from '../support/node-process';

/**
 * The SDK's resync and cold start over a real node whose event history holds 3 events: a
 * watcher away for longer gets a snapshot, then the stream, with nothing missing; with the
 * node down, a new watcher starts from the on-disk snapshot.
 */
describe('client SDK: snapshot after a long absence and a cold start from disk', () => {
  let node: NodeProcess;
  let dataDir: string;
  let snapshotDir: string;
  const clients: ConfigCenterClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cc-sdk-node-'));
    snapshotDir = mkdtempSync(join(tmpdir(), 'cc-sdk-snapshots-'));
    node = await startNodeProcess({
      DATABASE_URL: `sqlite:${join(dataDir, 'node.sqlite')}`,
      DATA_DIR: dataDir,
      WATCH_HISTORY_EVENTS: '3',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await node?.crash();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(snapshotDir, { recursive: true, force: true });
  });

  async function admin(method: string, path: string, body: unknown) {
    const response = await fetch(`${node.baseUrl}${path}`, {
      method,
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { code: number; data: Record<string, unknown> };
    if (answer.code !== 0) throw new Error(`${method} ${path}: ${JSON.stringify(answer)}`);
    return answer.data;
  }
  const put = (key: string, value: unknown) =>
    admin('PUT', '/api/v1/admin/config', { namespace: 'app', key, value });
  const watch = (servers: string[], token: string) => {
    const client = new ConfigCenterClient({
      servers,
      token,
      timeoutMs: 2_000,
      backoff: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    clients.push(client);
    const watcher = client.watch({ namespaces: ['app'], snapshotDir, snapshotWriteDelayMs: 10 });
    const updates: AppliedUpdate[] = [];
    watcher.onUpdate((update) => updates.push(update));
    return { client, watcher, updates };
  };
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const serverState = async (token: string) => {
    const reader = new ConfigCenterClient({ servers: node.baseUrl, token });
    try {
      return await reader.getNamespace('app');
    } finally {
      await reader.close();
    }
  };

  let token: string;
  it('reads latest and pinned versions, batches and namespaces, with failover and typed errors', async () => {
    await admin('POST', '/api/v1/admin/namespace', { name: 'app' });
    for (const key of ['a', 'b', 'c']) {
      await admin('POST', '/api/v1/admin/config', { namespace: 'app', key, value: `${key}0` });
    }
    ({ token } = (await admin('POST', '/api/v1/admin/tokens', {
      client_id: 'sdk-test',
      role: 'reader',
      namespaces: ['app'],
    })) as { token: string });
    await put('c', { deep: [1, 2] });
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = new ConfigCenterClient({ servers: [dead, node.baseUrl], token });
    clients.push(client);
    expect(await client.get('app', 'c')).toMatchObject({
      key: 'c',
      value: { deep: [1, 2] },
      version: 2,
    });
    expect(await client.get('app', 'c', { version: 1 })).toMatchObject({ value: 'c0', version: 1 });
    const batch = await client.batchGet('app', ['a', 'nope']);
    expect(batch.configs.map((c) => [c.key, c.value])).toEqual([['a', 'a0']]);
    expect(batch.missing).toEqual(['nope']);
    const all = await client.getNamespace('app');
    expect(all.configs).toEqual({ a: 'a0', b: 'b0', c: { deep: [1, 2] } });
    expect(all.versions).toEqual({ a: 1, b: 1, c: 2 });
    await expect(client.get('app', 'nope')).rejects.toMatchObject({ code: 40403, status: 404 });
    const stranger = new ConfigCenterClient({ servers: node.baseUrl, token: 'not-a-token' });
    clients.push(stranger);
    await expect(stranger.get('app', 'a')).rejects.toMatchObject({ code: 40101, status: 401 });
  });

  it('resyncs a watcher away past the history with a snapshot, then streams; starts from disk with the node down', async () => {
    // A first run of the application: it saves its state to disk and stops.
    const first = watch([node.baseUrl], token);
    await first.watcher.ready;
    const savedRevision = first.watcher.revision!;
    await first.client.close();

    // While it is away: more events than the node's history keeps.
    for (let n = 1; n <= 5; n++) await put('a', `a${n}`);
    await admin('DELETE', '/api/v1/admin/config?namespace=app&key=b', undefined);
    await admin('POST', '/api/v1/admin/config', { namespace: 'app', key: 'd', value: 'd0' });

    // The next run starts from disk, resumes from the saved revision and gets a snapshot.
    const second = watch([node.baseUrl], token);
    await second.watcher.ready;
    expect(second.updates[0]).toMatchObject({ source: 'disk', revision: savedRevision });
    await until(() => second.updates.some((u) => u.source === 'snapshot'), 'the snapshot');
    const snapshot = second.updates.find((u) => u.source === 'snapshot')!;
    expect(snapshot.revision).toBeGreaterThan(savedRevision);
    const diff = snapshot.changes.map((c) => `${c.op} ${c.key} ${JSON.stringify(c.value)}`).sort();
    expect(diff).toEqual(['create d "d0"', 'delete b null', 'update a "a5"']);

    // Then the stream, nothing missing.
    const revisions: number[] = [];
    for (let n = 6; n <= 9; n++) revisions.push((await put('c', `c${n}`)).revision as number);
    await until(() => second.watcher.revision === revisions[3], 'the last event');
    const after = second.updates.slice(second.updates.indexOf(snapshot) + 1);
    expect(after.map((u) => `${u.source}@${u.revision}`)).toEqual(
      revisions.map((r) => `event@${r}`),
    );
    const state = await serverState(token);
    expect(second.watcher.namespace('app')).toEqual(state.configs);
    expect(second.watcher.namespace('app')).toEqual({ a: 'a5', c: 'c9', d: 'd0' });
    await second.client.close();

    // Every server down: the application still starts with its last known config.
    await node.crash();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const cold: { watcher: Watcher; updates: AppliedUpdate[] } = watch([node.baseUrl, dead], token);
    await cold.watcher.ready;
    expect(cold.watcher.revision).toBe(revisions[3]);
    expect(cold.watcher.namespace('app')).toEqual({ a: 'a5', c: 'c9', d: 'd0' });
    expect(cold.watcher.get('app', 'c')).toBe('c9');
    expect(cold.updates).toEqual([expect.objectContaining({ source: 'disk' })]);
  }, 60_000);
});
