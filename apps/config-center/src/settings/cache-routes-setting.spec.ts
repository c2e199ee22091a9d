import { StateView } from '../state/state-view';
import { cacheRoutesSetting } from './cache-routes-setting';
import { SettingsRegistry } from './settings-registry';

function registry(redisUrl: string | null = null): SettingsRegistry {
  const settings = new SettingsRegistry(new StateView());
  settings.register('cache_routes', cacheRoutesSetting(redisUrl));
  return settings;
}

const A = { name: 'a', url: 'redis://10.0.0.1:6379' };
const B = { name: 'b', url: 'rediss://user:secret@10.0.0.2:6380/2' };

/** The 40002's field -> errors, or undefined when the value is accepted. */
function refusal(value: unknown) {
  const failure = registry().check('cache_routes', value);
  if (!failure) return undefined;
  expect(failure.code).toBe(40002);
  return (failure.details as Array<{ field: string; errors: string[] }>).map(
    (detail) => `${detail.field}: ${detail.errors.join(', ')}`,
  );
}

describe('_system/cache_routes', () => {
  it('is seeded from REDIS_URL: one node named default, no routes; none without it', () => {
    expect(registry('redis://127.0.0.1:6379').get('cache_routes')).toEqual({
      nodes: [{ name: 'default', url: 'redis://127.0.0.1:6379' }],
      routes: {},
    });
    expect(registry().get('cache_routes')).toEqual({ nodes: [], routes: {} });
  });

  it('accepts nodes and routes to them', () => {
    expect(refusal({ nodes: [A, B], routes: { billing: 'b', 'app.prod': 'a' } })).toBeUndefined();
    expect(refusal({ nodes: [], routes: {} })).toBeUndefined();
  });

  it('refuses a route to an unknown node', () => {
    expect(refusal({ nodes: [A], routes: { billing: 'c' } })).toEqual([
      'cache_routes/routes/billing: routes to unknown node c (nodes: a)',
    ]);
  });

  it('refuses two nodes with one name, or one url under two names', () => {
    expect(refusal({ nodes: [A, { ...B, name: 'a' }], routes: {} })).toEqual([
      'cache_routes/nodes/1/name: duplicate node name a',
    ]);
    expect(refusal({ nodes: [A, { ...A, name: 'b' }], routes: {} })).toEqual([
      'cache_routes/nodes/1/url: another node names the same Redis database',
    ]);
    // The same database spelled another way: default port and database, host case, a slash.
    for (const [first, second] of [
      ['redis://h', 'redis://h:6379/0'],
      ['redis://H:6379', 'redis://h/'],
      ['redis://u:p@h:7000/3', 'redis://h:7000/3'],
    ])
      expect(
        refusal({
          nodes: [
            { name: 'a', url: first },
            { name: 'b', url: second },
          ],
          routes: {},
        }),
      ).toEqual(['cache_routes/nodes/1/url: another node names the same Redis database']);
    expect(
      refusal({
        nodes: [
          { name: 'a', url: 'redis://h/0' },
          { name: 'b', url: 'redis://h/1' },
        ],
        routes: {},
      }),
    ).toBeUndefined();
  });

  it('refuses urls a Redis client cannot use', () => {
    for (const url of [
      'http://10.0.0.1:6379',
      'redis://',
      'redis://h:1/x',
      'redis://h?db=1',
      'x',
      'redis://h:1/99',
      'redis://h:1/16',
      'redis://h:0',
    ])
      expect(refusal({ nodes: [{ name: 'a', url }], routes: {} })).toEqual([
        expect.stringMatching(/^cache_routes\/nodes\/0\/url: /),
      ]);
  });

  it('refuses bad names, unknown fields and a missing part', () => {
    expect(refusal({ nodes: [{ name: 'a b', url: A.url }], routes: {} })).toBeDefined();
    expect(refusal({ nodes: [A], routes: { 'bad name': 'a' } })).toBeDefined();
    expect(refusal({ nodes: [{ ...A, weight: 2 }], routes: {} })).toBeDefined();
    expect(refusal({ nodes: [A] })).toBeDefined();
  });
});
