import { fakeApiCli } from '../test/fake-api';

/**
 * `ccctl cacherouter` against a fake admin API: the read-modify-write it sends (with the
 * version it read as expected_version) and how it refuses a concurrent change. The same
 * commands run against a real node in test/once/cacherouter.test.ts.
 */
describe('ccctl cacherouter (against a fake API)', () => {
  const { api, ccctl } = fakeApiCli();

  const routes = {
    nodes: [
      { name: 'a', url: 'redis://10.0.0.1:6379' },
      { name: 'b', url: 'redis://10.0.0.2:6379' },
    ],
    routes: { billing: 'b' },
  };
  const settings = () =>
    api.answer('GET', '/api/v1/admin/settings', {
      list: [{ key: 'cache_routes', value: routes, version: 4 }],
    });

  it('set-route writes the whole setting back with the version it read', async () => {
    settings();
    api.answer('PUT', '/api/v1/admin/config', { version: 5, revision: 81 });
    const run = await ccctl('cacherouter', 'set-route', 'orders', 'a');
    expect(run).toEqual({
      code: 0,
      stdout: 'routed orders to a (cache_routes version 5; routing epoch 81 once applied)\n',
      stderr: '',
    });
    expect(api.seen[1]).toMatchObject({
      method: 'PUT',
      path: '/api/v1/admin/config',
      body: {
        namespace: '_system',
        key: 'cache_routes',
        value: { ...routes, routes: { billing: 'b', orders: 'a' } },
        expected_version: 4,
      },
    });
  });

  it('refuses clearly, and writes nothing more, when someone changed cache_routes meanwhile', async () => {
    settings();
    api.answer('PUT', '/api/v1/admin/config', 'version conflict', 40901, 409);
    const run = await ccctl('cacherouter', 'add-node', 'c', 'redis://10.0.0.3:6379');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ccctl: cache_routes changed while this command ran (it read version 4); nothing was written: run it again\n',
    );
    expect(api.seen.map((seen) => seen.method)).toEqual(['GET', 'PUT']);
  });

  it('refuses to remove a node explicit routes still name, or an unknown one, without writing', async () => {
    settings();
    const routed = await ccctl('cacherouter', 'remove-node', 'b');
    expect(routed.code).toBe(1);
    expect(routed.stderr).toMatch(/cache node b still has explicit routes \(billing\)/);
    const unknown = await ccctl('cacherouter', 'set-route', 'orders', 'z');
    expect(unknown.stderr).toMatch(/no cache node z \(nodes: a, b\)/);
    expect(api.seen.every((seen) => seen.method === 'GET')).toBe(true);
  });

  it('remove-route drops one route; --json prints the new setting', async () => {
    settings();
    api.answer('PUT', '/api/v1/admin/config', { version: 5, revision: 90 });
    const run = await ccctl('cacherouter', 'remove-route', 'billing', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      value: { ...routes, routes: {} },
      version: 5,
      epoch: 90,
    });
  });
});
