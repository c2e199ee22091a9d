import request from 'supertest';
import { Api, Reply, fails, ok } from '../support/api';
import { ADMIN_HEADERS } from '../support/auth';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/**
 * Issue 11 item 5: a config value reads back exactly as it was written, or the write is refused
 * with 40002 saying why; only application/json bodies (415 / 41501).
 */
describe('JSON request bodies', () => {
  let server: TestApp;
  let api: Api;
  let ns: string;

  beforeAll(async () => {
    server = await startApp();
    api = server.api;
    ns = (await api.createNamespace(uniqueName('json'))).name;
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  async function send(
    method: 'post' | 'put',
    path: string,
    body: string | Buffer,
    contentType = 'application/json',
  ): Promise<Reply> {
    const agent = request(server.app.getHttpServer());
    const res = await agent[method](path)
      .set(ADMIN_HEADERS)
      .set('content-type', contentType)
      // Bytes as they are: superagent would serialise a Buffer as JSON.
      .serialize((bytes: unknown) => bytes as string)
      .send(body);
    return {
      status: res.status,
      body: res.body,
      text: res.text,
      headers: res.headers as Record<string, string>,
    };
  }

  /** Writes `{namespace, key, value: <valueText>}` as raw text, so the value is exactly those bytes. */
  const write = (key: string, valueText: string | Buffer) =>
    send(
      'post',
      '/api/v1/admin/config',
      Buffer.concat([
        Buffer.from(`{"namespace":${JSON.stringify(ns)},"key":${JSON.stringify(key)},"value":`),
        Buffer.isBuffer(valueText) ? valueText : Buffer.from(valueText),
        Buffer.from('}'),
      ]),
    );

  async function expectNothingStored(key: string): Promise<void> {
    fails(await api.getConfig(ns, key), 40403);
  }

  it('refuses invalid UTF-8 with 40002 and stores nothing (it was stored as U+FFFD)', async () => {
    const reply = await write('utf8', Buffer.from([0x22, 0x61, 0xff, 0xfe, 0x22]));
    expect(fails(reply, 40002).message).toMatch(/UTF-8/);
    await expectNothingStored('utf8');
  });

  it('refuses nesting 10,000 deep with 40002, not 500', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(fails(await write('deep', deep), 40002).message).toMatch(/deeper than 64/);
    await expectNothingStored('deep');
    // 60 levels inside the body's own object fit.
    const fits = '['.repeat(60) + ']'.repeat(60);
    ok(await write('deep-ok', fits));
    expect(JSON.stringify(ok(await api.getConfig(ns, 'deep-ok')).value)).toBe(fits);
    // A value itself is bounded at 60 levels, so what is stored can be imported again (3 deep).
    const tooDeep = '['.repeat(61) + ']'.repeat(61);
    expect(fails(await write('deep-61', tooDeep), 40002).message).toMatch(/deeper than 60/);
    const exported = ok(await api.get('/api/v1/admin/namespace/export', { namespace: ns }));
    ok(await api.post('/api/v1/admin/namespace/import', { ...exported, mode: 'merge' }));
  });

  it('refuses a member name twice in one object with 40002, naming it', async () => {
    expect(fails(await write('dup', '{"a":1,"a":2}'), 40002).message).toContain('"a"');
    await expectNothingStored('dup');
    fails(
      await send(
        'post',
        '/api/v1/admin/config',
        `{"namespace":"${ns}","key":"x","key":"y","value":1}`,
      ),
      40002,
    );
  });

  it.each([
    ['1e309', /overflow/],
    ['12345678901234567890123', /exactly/],
    ['9007199254740993', /exactly/],
    ['1e-400', /too small/],
  ])('refuses the number %s with 40002 saying why', async (literal, why) => {
    const key = `n${literal.replace(/[^0-9a-z]/gi, '')}`;
    const body = fails(await write(key, `{"n":${literal}}`), 40002);
    expect(body.message).toMatch(why);
    await expectNothingStored(key);
  });

  it('keeps numbers a double holds exactly, reading back the same value', async () => {
    const written =
      '[0.1,1.50,1e2,-0,9007199254740992,1.7976931348623157e308,5e-324,0.30000000000000004]';
    ok(await write('numbers', written));
    const value = ok(await api.getConfig(ns, 'numbers')).value as number[];
    expect(value).toEqual([
      0.1, 1.5, 100, 0, 9007199254740992, 1.7976931348623157e308, 5e-324, 0.30000000000000004,
    ]);
  });

  it('stores and returns {"__proto__": ...} exactly as an own member, on every read path', async () => {
    const text = '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"toString":1}';
    ok(await write('proto', text));
    const exact = (value: unknown) => expect(JSON.stringify(value)).toBe(text);
    exact(ok(await api.getConfig(ns, 'proto')).value);
    exact(ok(await api.getConfig(ns, 'proto', 1)).value);
    exact(ok(await api.namespaceConfigs(ns)).configs.proto);
    exact(
      ok(await api.post('/api/v1/config/batch-get', { namespace: ns, keys: ['proto'] })).configs[0]
        .value,
    );
    ok(
      await send(
        'put',
        '/api/v1/admin/config',
        `{"namespace":"${ns}","key":"proto","value":{"__proto__":{"isAdmin":false}}}`,
      ),
    );
    const diff = ok(
      await api.get('/api/v1/config/diff', {
        namespace: ns,
        key: 'proto',
        from_version: 1,
        to_version: 2,
      }),
    );
    expect(JSON.stringify(diff)).toContain('__proto__');
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('takes a config key named __proto__ as any other key', async () => {
    ok(await api.createConfig(ns, '__proto__', { a: 1 }));
    const configs = ok(await api.namespaceConfigs(ns)).configs;
    expect(Object.keys(configs)).toContain('__proto__');
    expect(JSON.stringify(configs)).toContain('"__proto__":{"a":1}');
  });

  describe('only application/json (415 / 41501)', () => {
    it.each([
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/jsonx',
    ])('refuses a body sent as %s', async (type) => {
      const body = type.startsWith('application/x-www')
        ? `namespace=${ns}&key=form&value=1`
        : `{"namespace":"${ns}","key":"form","value":1}`;
      fails(await send('post', '/api/v1/admin/config', body, type), 41501);
      await expectNothingStored('form');
    });

    it('takes application/json with charset=utf-8', async () => {
      ok(
        await send(
          'post',
          '/api/v1/admin/config',
          `{"namespace":"${ns}","key":"cs","value":1}`,
          'Application/JSON; charset=UTF-8',
        ),
      );
    });

    it('lets a GET with a content type and no body through', async () => {
      const res = await request(server.app.getHttpServer())
        .get('/api/v1/config/get')
        .query({ namespace: ns, key: 'cs' })
        .set(ADMIN_HEADERS)
        .set('content-type', 'text/plain');
      expect(res.status).toBe(200);
    });
  });
});
