import request from 'supertest';
import { Api, fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { rawHttp } from '../support/raw-http';

const TOKEN = 'strict-input-admin-token';

/** Issue 11 item 5: integers are integers, booleans booleans; headers never refuse a request; only Bearer. */
describe('strict input types and headers', () => {
  let server: TestApp;
  let api: Api;
  let ns: string;

  beforeAll(async () => {
    server = await startApp({ ADMIN_TOKEN: TOKEN });
    api = server.api.with({ authorization: `Bearer ${TOKEN}` });
    ns = (await api.createNamespace(uniqueName('strict'))).name;
    ok(await api.createConfig(ns, 'k', 1));
    ok(await api.updateConfig(ns, 'k', 2));
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  describe('JSON bodies: no coercion', () => {
    it.each([true, '1', ' 0x1 ', 1.5, '1e0'])('refuses expected_version %p', async (value) => {
      fails(await api.updateConfig(ns, 'k', 3, { expected_version: value }), 40002);
      expect(ok(await api.getConfig(ns, 'k')).version).toBe(2);
    });

    it('takes a JSON integer', async () => {
      ok(await api.updateConfig(ns, 'k', 3, { expected_version: 2 }));
      fails(await api.updateConfig(ns, 'k', 4, { expected_version: 2 }), 40901);
    });

    it('refuses kept: null and kept: "true"; takes kept: false', async () => {
      const keep = (kept: unknown) =>
        api.put('/api/v1/admin/config/version/keep', { namespace: ns, key: 'k', version: 1, kept });
      expect([40001, 40002]).toContain((await keep(null)).body.code);
      fails(await keep('true'), 40002);
      fails(await keep(1), 40002);
      ok(await keep(false));
    });

    it('refuses a namespace status of true or "0"', async () => {
      const { id } = await api.createNamespace(uniqueName('status'));
      fails(await api.put(`/api/v1/admin/namespace/${id}`, { status: true }), 40002);
      fails(await api.put(`/api/v1/admin/namespace/${id}`, { status: '0' }), 40002);
      fails(await api.put(`/api/v1/admin/namespace/0x${id.toString(16)}`, { status: 1 }), 40002);
      ok(await api.put(`/api/v1/admin/namespace/${id}`, { status: 1 }));
    });
  });

  describe('query strings: canonical decimal integers only', () => {
    it.each(['1e0', ' 0x1 ', '0x1', '01', '+1', '1.0'])('refuses ?version=%s', async (version) => {
      fails(await api.get('/api/v1/config/get', { namespace: ns, key: 'k', version }), 40002);
    });

    it('takes ?version=1', async () => {
      expect(ok(await api.getConfig(ns, 'k', 1)).value).toBe(1);
      const page = ok(
        await api.get('/api/v1/config/versions', { namespace: ns, key: 'k', page_size: '2' }),
      );
      expect(page.pagination.page_size).toBe(2);
    });
  });

  describe('X-Request-Id never refuses a request', () => {
    it.each([
      ['abc/def+ghi==', true],
      ['x'.repeat(129), true],
      ['x'.repeat(200), true],
      ['with spaces and "quotes"', true],
      ['x'.repeat(201), false],
    ])('%s on a read and a write', async (id, kept) => {
      const headers = { 'x-request-id': id };
      const read = await api.get('/api/v1/config/get', { namespace: ns, key: 'k' }, headers);
      const write = await api
        .updateConfig(ns, 'k', { id }, {})
        .then(() =>
          api.put('/api/v1/admin/config', { namespace: ns, key: 'k', value: id.length }, headers),
        );
      for (const reply of [read, write]) {
        ok(reply);
        if (kept) {
          expect(reply.body.request_id).toBe(id);
          expect(reply.headers['x-request-id-replaced']).toBeUndefined();
        } else {
          expect(reply.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
          expect(reply.headers['x-request-id-replaced']).toBe('true');
        }
      }
    });

    it('replaces an id with bytes outside printable ASCII', async () => {
      const res = await request(server.app.getHttpServer())
        .get('/api/v1/health/live')
        .set('x-request-id', 'caf\u00e9');
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id-replaced']).toBe('true');
    });
  });

  // DESIGN 21: the operator recorded is the token's client id (`admin` for ADMIN_TOKEN); whatever
  // X-Operator holds, the write is taken and `operator` does not change.
  describe('X-Operator never refuses a write', () => {
    const operatorOfLastChange = async (key: string) =>
      ok(await api.get('/api/v1/admin/config/history', { namespace: ns, key })).list[0]
        .operator as string;

    it('takes "John Smith" and records the client id', async () => {
      ok(await api.createConfig(ns, 'op1', 1, {}).then(() => api.updateConfig(ns, 'op1', 2)));
      ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: ns, key: 'op1', value: 3 },
          { 'x-operator': 'John Smith' },
        ),
      );
      expect(await operatorOfLastChange('op1')).toBe('admin');
    });

    it('takes UTF-8 text and a 300-character one, and records the client id', async () => {
      ok(await api.createConfig(ns, 'op2', 1));
      // Raw bytes: Node's HTTP client would send each latin1 character of a string as UTF-8.
      const body = JSON.stringify({ namespace: ns, key: 'op2', value: 2 });
      const answer = await rawHttp(
        server.app.getHttpServer(),
        Buffer.concat([
          Buffer.from(
            `PUT /api/v1/admin/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
              `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
              `Content-Length: ${body.length}\r\nX-Operator: `,
          ),
          Buffer.from('Zoë 日本 😀', 'utf8'),
          Buffer.from(`\r\n\r\n${body}`),
        ]),
      );
      expect(JSON.parse(answer.body).code).toBe(0);
      expect(await operatorOfLastChange('op2')).toBe('admin');
      ok(
        await api.put(
          '/api/v1/admin/config',
          { namespace: ns, key: 'op2', value: 3 },
          { 'x-operator': 'y'.repeat(300) },
        ),
      );
      expect(await operatorOfLastChange('op2')).toBe('admin');
      expect(
        ok(await api.get('/api/v1/admin/config/history', { namespace: ns, key: 'op2' })).list.map(
          (change: { version: number }) => change.version,
        ),
      ).toEqual([3, 2, 1]);
    });
  });

  describe('free text: valid Unicode only (DESIGN 27)', () => {
    // JSON spells a lone surrogate as `\\ud800`; the database has no form for it.
    const lone = 'before \ud800 after';

    it('refuses a description holding a lone surrogate with 40002, on every write that takes one', async () => {
      const { id } = await api.createNamespace(uniqueName('text'));
      fails(
        await api.post('/api/v1/admin/namespace', { name: uniqueName('t'), description: lone }),
        40002,
      );
      fails(await api.put(`/api/v1/admin/namespace/${id}`, { description: '\udc00' }), 40002);
      fails(await api.createConfig(ns, 'lone', 1, { description: lone }), 40002);
      fails(await api.updateConfig(ns, 'k', 9, { description: lone }), 40002);
      const batch = {
        operations: [{ op: 'upsert', namespace: ns, key: 'b', value: 1, description: lone }],
      };
      fails(await api.post('/api/v1/admin/config/batch', batch), 40002);
      const configs = [{ key: 'i', value: 1, description: lone }];
      fails(
        await api.post('/api/v1/admin/namespace/import', { namespace: uniqueName('imp'), configs }),
        40002,
      );
      fails(await api.getConfig(ns, 'lone'), 40403);
    });

    it('stores a lone surrogate inside a JSON value as JSON text, and answers it back identical; a well-formed pair is fine anywhere', async () => {
      const value = { text: lone, pair: '\ud83d\ude00', low: '\udfff' };
      ok(
        await api.createConfig(ns, 'lone-value', value, { description: 'emoji \ud83d\ude00 fine' }),
      );
      const read = ok(await api.getConfig(ns, 'lone-value'));
      expect(read.value).toEqual(value);
    });
  });

  describe('Authorization: only the Bearer scheme', () => {
    it.each([
      TOKEN,
      `Basic ${TOKEN}`,
      `Token ${TOKEN}`,
      `Bearer`,
      `Bearer${TOKEN}`,
      `${TOKEN} Bearer`,
    ])('refuses %s with 40101', async (authorization) => {
      fails(await server.api.get('/api/v1/admin/namespace/list', {}, { authorization }), 40101);
    });

    it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER   ${TOKEN}`])(
      'takes %s',
      async (authorization) => {
        ok(await server.api.get('/api/v1/admin/namespace/list', {}, { authorization }));
      },
    );
  });
});
