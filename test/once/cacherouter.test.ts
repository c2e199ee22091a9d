import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/cluster/harness';
import { RedisProcess, startRedisProcess } from '../support/redis-process';
import { ensureBuilt, NodeProcess, ROOT, startNodeProcess } from '../support/node-process';

/**
 * Issue 14 item 2: the built `ccctl cacherouter` as a child process against a real node with
 * two redis-servers of its own: REDIS_URL seeds `_system/cache_routes` at the first start;
 * nodes added and removed, routes set, shown and removed (human and --json); refusals; and a
 * restart with another REDIS_URL, which the node reports (log line, health) while
 * cache_routes keeps routing. Engine-independent: SQLite pass only.
 */
jest.setTimeout(90_000);

const CCCTL_JS = join(ROOT, 'dist', 'apps', 'ccctl', 'src', 'main.js');
const ADMIN_TOKEN = 'cacherouter-e2e-admin-token-0123456789';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('ccctl cacherouter against a real node', () => {
  let node: NodeProcess | undefined;
  let dir: string;
  let redisA: RedisProcess;
  let redisB: RedisProcess;

  const start = async (redisUrl: string) => {
    node = await startNodeProcess({
      DATABASE_URL: `sqlite:${join(dir, 'node.sqlite')}`,
      ADMIN_TOKEN,
      NODE_ID: 'cacherouter-node',
      REDIS_URL: redisUrl,
    });
  };

  beforeAll(async () => {
    ensureBuilt();
    if (!existsSync(CCCTL_JS))
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'cc-cacherouter-'));
    [redisA, redisB] = await Promise.all([startRedisProcess(), startRedisProcess()]);
    await start(redisA.url);
  });

  afterAll(async () => {
    await node?.stop();
    await Promise.all([redisA?.stop(), redisB?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function ccctl(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CCCTL_JS, ...args],
        {
          env: { PATH: process.env.PATH ?? '', CCCTL_URL: node!.baseUrl, CCCTL_TOKEN: ADMIN_TOKEN },
          timeout: 20_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  const json = async (...args: string[]): Promise<Json> => {
    const run = await ccctl(...args, '--json');
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as Json;
  };
  /** Edits answer once committed; the node switches its table a moment later. */
  const applied = (epoch: number) =>
    waitFor(
      `routing epoch ${epoch}`,
      async () => (await json('cacherouter', 'nodes')).epoch >= epoch,
    );

  it('starts with the node REDIS_URL seeded, named default', async () => {
    const view = await json('cacherouter', 'nodes');
    expect(view.nodes).toEqual([
      expect.objectContaining({ name: 'default', url: redisA.url, status: 'healthy' }),
    ]);
    expect(view.redis_url).toEqual({ redis_url: redisA.url, in_cache_routes: true });
    expect(view.epoch).toBeGreaterThan(0);
    const human = await ccctl('cacherouter', 'nodes');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^epoch \d+\nNODE +URL +STATUS +LATENCY_MS\ndefault +redis:\/\//);
    expect(human.stdout).toContain('no explicit routes (every namespace by consistent hashing)');
  });

  it('adds a node, routes a namespace to it, shows the route, and refuses what cache_routes refuses', async () => {
    const added = await ccctl('cacherouter', 'add-node', 'b', redisB.url);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(
      /^added cache node b \(cache_routes version \d+; routing epoch \d+ once applied\)\n$/,
    );

    const routed = await json('cacherouter', 'set-route', 'billing', 'b');
    expect(routed.value.routes).toEqual({ billing: 'b' });
    await applied(routed.epoch);
    expect(await json('cacherouter', 'route', 'billing')).toEqual({
      namespace: 'billing',
      node: 'b',
      epoch: routed.epoch,
      explicit: true,
    });
    const human = await ccctl('cacherouter', 'route', 'billing');
    expect(human.stdout).toMatch(
      /^namespace: +billing\nnode: +b\nby: +explicit route\nepoch: +\d+\n$/,
    );

    const [duplicate, badUrl, stillRouted, unknownNode] = await Promise.all([
      ccctl('cacherouter', 'add-node', 'b', 'redis://127.0.0.1:1'),
      ccctl('cacherouter', 'add-node', 'c', 'http://127.0.0.1:1'),
      ccctl('cacherouter', 'remove-node', 'b'),
      ccctl('cacherouter', 'set-route', 'orders', 'z'),
    ]);
    expect(duplicate).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'ccctl: cache node b exists already\n',
    });
    expect(badUrl).toMatchObject({ code: 1, stdout: '' });
    expect(badUrl.stderr).toMatch(/^ccctl: 40002 .*value\/nodes\/2\/url must match pattern.*\n$/);
    expect(stillRouted.stderr).toBe(
      'ccctl: cache node b still has explicit routes (billing): remove or move them first\n',
    );
    expect(unknownNode.stderr).toBe('ccctl: no cache node z (nodes: default, b)\n');
  });

  it('removes the route (back to hashing) and then the node', async () => {
    expect(await json('cacherouter', 'remove-route', 'billing')).toMatchObject({
      value: { routes: {} },
    });
    const removed = await json('cacherouter', 'remove-node', 'b');
    expect(removed.value.nodes).toEqual([{ name: 'default', url: redisA.url }]);
    await applied(removed.epoch);
    expect(await json('cacherouter', 'route', 'billing')).toMatchObject({
      node: 'default',
      explicit: false,
    });
    const again = await ccctl('cacherouter', 'remove-route', 'billing');
    expect(again).toMatchObject({ code: 1, stderr: 'ccctl: billing has no explicit route\n' });
  });

  it('after a restart with another REDIS_URL: says so in the log and health, and cache_routes wins', async () => {
    await node!.stop();
    await start(redisB.url);
    const disagreement =
      /REDIS_URL redis:\/\/127\.0\.0\.1:\d+ disagrees with _system\/cache_routes \(nodes: default=redis:\/\/127\.0\.0\.1:\d+\): cache_routes wins/;
    // Logged at start; the line may reach this process a moment after the node answers ready.
    await waitFor('the disagreement in the log', async () => disagreement.test(node!.output()));
    expect(node!.output()).toMatch(disagreement);
    const run = await ccctl('cacherouter', 'nodes', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: this node's REDIS_URL .* is not in cache_routes/);
    const view = JSON.parse(run.stdout) as Json;
    expect(view.nodes.map((item: Json) => item.url)).toEqual([redisA.url]);
    expect(view.redis_url).toMatchObject({ redis_url: redisB.url, in_cache_routes: false });
  });
});
