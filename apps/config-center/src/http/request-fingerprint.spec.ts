import { canonicalJson, canonicalJsonIterative, requestFingerprint } from './request-fingerprint';

const request = (
  body: unknown,
  overrides: Partial<Parameters<typeof requestFingerprint>[0]> = {},
) =>
  requestFingerprint({
    method: 'POST',
    route: '/api/v1/admin/config',
    params: {},
    query: {},
    body,
    ...overrides,
  });

describe('requestFingerprint', () => {
  it('is a SHA-256 in hex', () => {
    expect(request({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of object members, at any depth', () => {
    expect(request({ namespace: 'n', key: 'k', value: { x: 1, y: [{ b: 2, a: 1 }] } })).toBe(
      request({ value: { y: [{ a: 1, b: 2 }], x: 1 }, key: 'k', namespace: 'n' }),
    );
    expect(request({}, { query: { namespace: 'n', key: 'k' } })).toBe(
      request({}, { query: { key: 'k', namespace: 'n' } }),
    );
  });

  it('changes with any value, type, array order, method, route, path or query parameter', () => {
    const base = request({ value: [1, 2], key: 'k' });
    for (const other of [
      request({ value: [2, 1], key: 'k' }),
      request({ value: [1, 2], key: 'k2' }),
      request({ value: ['1', 2], key: 'k' }),
      request({ value: [1, 2], key: 'k', description: null }),
      request({ value: [1, 2], key: 'k' }, { method: 'PUT' }),
      request({ value: [1, 2], key: 'k' }, { route: '/api/v1/admin/config/batch' }),
      request({ value: [1, 2], key: 'k' }, { params: { id: '1' } }),
      request({ value: [1, 2], key: 'k' }, { query: { expected_version: '1' } }),
    ])
      expect(other).not.toBe(base);
  });

  it('tells a string apart from a nested structure that would print alike', () => {
    expect(request({ a: '{"b":1}' })).not.toBe(request({ a: { b: 1 } }));
  });
});

describe('canonicalJson', () => {
  it('prints JSON with sorted members, leaving undefined members out', () => {
    expect(canonicalJson({ b: [1, 'x', null, true], a: { d: undefined, c: 1.5 } })).toBe(
      '{"a":{"c":1.5},"b":[1,"x",null,true]}',
    );
  });

  it('keeps a "__proto__" member as data', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('prints integer-like member names first, in one order whatever the order sent', () => {
    expect(canonicalJson({ b: 1, 10: 2, a: 3, 9: 4 })).toBe(
      canonicalJson({ 9: 4, a: 3, 10: 2, b: 1 }),
    );
  });

  it('gives the same text on its iterative path (deep bodies) as on the fast one', () => {
    const samples: unknown[] = [
      { b: [1, 'x', null, true, undefined], a: { d: undefined, c: 1.5, 10: [], 9: {} } },
      JSON.parse('{"z":{"__proto__":{"x":1}},"y":"\\u0000\\"é🦄"}'),
      [[], {}, 0, -0, 1e21, 'text'],
      null,
      'plain',
    ];
    for (const sample of samples)
      expect(canonicalJsonIterative(sample)).toBe(canonicalJson(sample));
  });

  it('handles a body nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = i % 2 === 0 ? [deep] : { v: deep };
    const text = canonicalJson(deep);
    expect(text).toHaveLength((100_000 / 2) * 2 + (100_000 / 2) * 6 + 1);
    expect(text.startsWith('{"v":[{"v":[')).toBe(true);
  });
});
