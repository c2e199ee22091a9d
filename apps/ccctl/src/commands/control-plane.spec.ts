import { fakeApiCli } from '../test/fake-api';

/**
 * `auth token`, `settings` and `audit` against a fake of the admin API (the endpoints are being
 * built beside this CLI): what each command sends, and what it prints for the answer.
 */
describe('ccctl auth, settings and audit (against a fake API)', () => {
  const { api, ccctl } = fakeApiCli();

  const issued = {
    id: 'tok_1',
    token: 'cc_s3cr3t',
    client_id: 'billing',
    role: 'writer',
    namespaces: ['billing', 'shared'],
    expires_at: '2027-01-01T00:00:00.000Z',
    created_at: '2026-12-01T00:00:00.000Z',
  };

  it('auth token create sends client, role, namespaces and expiry; prints the secret once with a warning', async () => {
    api.answer('POST', '/api/v1/admin/tokens', issued);
    const run = await ccctl(
      'auth',
      'token',
      'create',
      '--client-id',
      'billing',
      '--role',
      'writer',
      '--namespaces',
      'billing,shared',
      '--expires-at',
      '2027-01-01T01:00:00+01:00',
    );
    expect(run.code).toBe(0);
    expect(api.seen).toEqual([
      {
        method: 'POST',
        path: '/api/v1/admin/tokens',
        query: {},
        authorization: 'Bearer secret-admin',
        body: {
          client_id: 'billing',
          role: 'writer',
          namespaces: ['billing', 'shared'],
          expires_at: '2027-01-01T00:00:00.000Z',
        },
      },
    ]);
    expect(run.stdout).toContain('token:      cc_s3cr3t');
    expect(run.stdout).toContain('namespaces: billing,shared');
    expect(run.stderr).toMatch(/^warning: the token secret is shown only this once/);
  });

  it('auth token create --json prints the data alone on stdout; admins default to every namespace', async () => {
    api.answer('POST', '/api/v1/admin/tokens', { ...issued, role: 'admin', namespaces: '*' });
    const run = await ccctl(
      'auth',
      'token',
      'create',
      '--client-id',
      'ops',
      '--role',
      'admin',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ...issued, role: 'admin', namespaces: '*' });
    expect(api.seen[0].body).toEqual({ client_id: 'ops', role: 'admin', namespaces: '*' });
    expect(run.stderr).toContain('shown only this once');
  });

  it('auth token create refuses a reader without namespaces, or both namespace flags, before sending', async () => {
    const none = await ccctl('auth', 'token', 'create', '--client-id', 'x', '--role', 'reader');
    const both = await ccctl(
      'auth',
      'token',
      'create',
      '--client-id',
      'x',
      '--role',
      'reader',
      '--namespaces',
      'a',
      '--all-namespaces',
    );
    const badTime = await ccctl(
      'auth',
      'token',
      'create',
      '--client-id',
      'x',
      '--role',
      'reader',
      '--all-namespaces',
      '--expires-at',
      'tomorrow',
    );
    expect([none.code, both.code, badTime.code]).toEqual([2, 2, 2]);
    expect(none.stderr).toBe('ccctl: a reader token needs --namespaces a,b or --all-namespaces\n');
    expect(both.stderr).toBe('ccctl: give --namespaces or --all-namespaces, not both\n');
    expect(badTime.stderr).toContain('--expires-at must be an ISO 8601 time');
    expect(api.seen).toEqual([]);
  });

  it('auth token list shows a table; --json the data', async () => {
    const item = {
      id: 'tok_1',
      client_id: 'billing',
      role: 'reader',
      namespaces: ['billing'],
      status: 'revoked',
      expires_at: null,
      created_at: '2026-12-01T00:00:00.000Z',
      created_by: 'ops',
    };
    api.answer('GET', '/api/v1/admin/tokens', { list: [item], pagination: { total: 1 } });
    const human = await ccctl('auth', 'token', 'list');
    expect(human.stdout.split('\n')[0]).toMatch(
      /^ID\s+CLIENT\s+ROLE\s+NAMESPACES\s+STATUS\s+EXPIRES/,
    );
    expect(human.stdout).toMatch(/tok_1\s+billing\s+reader\s+billing\s+revoked\s+never/);
    expect(human.stdout).toContain('1 tokens');
    const json = await ccctl('auth', 'token', 'list', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ list: [item], pagination: { total: 1 } });
  });

  it('auth token revoke and rotate call the token by id (escaped), rotate with its grace period', async () => {
    api.answer('DELETE', '/api/v1/admin/tokens/tok%2F1', null);
    api.answer('POST', '/api/v1/admin/tokens/tok_1/rotate', {
      id: 'tok_1',
      token: 'cc_new',
      previous_valid_until: '2026-12-01T00:01:00.000Z',
    });
    expect((await ccctl('auth', 'token', 'revoke', 'tok/1')).stdout).toBe('revoked token tok/1\n');
    const rotated = await ccctl('auth', 'token', 'rotate', 'tok_1', '--grace-seconds', '60');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('token:                cc_new');
    expect(rotated.stderr).toContain('shown only this once');
    const noGrace = await ccctl('auth', 'token', 'rotate', 'tok_1', '--json');
    expect(JSON.parse(noGrace.stdout).token).toBe('cc_new');
    expect(api.seen.map((seen) => [seen.method, seen.path, seen.body])).toEqual([
      ['DELETE', '/api/v1/admin/tokens/tok%2F1', undefined],
      ['POST', '/api/v1/admin/tokens/tok_1/rotate', { grace_seconds: 60 }],
      ['POST', '/api/v1/admin/tokens/tok_1/rotate', {}],
    ]);
  });

  const settings = {
    list: [
      {
        key: 'audit',
        value: { retention_days: 30 },
        version: 2,
        default: { retention_days: 90 },
        schema: { type: 'object', properties: { retention_days: { type: 'integer' } } },
        updated_at: '2026-12-01T00:00:00.000Z',
      },
      {
        key: 'auth',
        value: {},
        version: 1,
        default: {},
        schema: { type: 'object' },
        updated_at: null,
      },
    ],
  };

  it('settings get lists every key, or one; settings schema prints its schema', async () => {
    api.answer('GET', '/api/v1/admin/settings', settings);
    const all = await ccctl('settings', 'get');
    expect(all.stdout).toMatch(/^KEY\s+VERSION\s+VALUE\s+DEFAULT\s+UPDATED\n/);
    expect(all.stdout).toMatch(/audit\s+2\s+\{"retention_days":30\}\s+\{"retention_days":90\}/);
    const one = await ccctl('settings', 'get', 'audit', '--json');
    expect(JSON.parse(one.stdout)).toEqual(settings.list[0]);
    const schema = await ccctl('settings', 'schema', 'audit', '--json');
    expect(JSON.parse(schema.stdout)).toEqual(settings.list[0].schema);
    const unknown = await ccctl('settings', 'schema', 'nope');
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'ccctl: no setting nope (known: audit, auth)\n',
    ]);
  });

  it('settings set writes the _system config with the value as typed', async () => {
    api.answer('PUT', '/api/v1/admin/config', { namespace: '_system', key: 'audit', version: 3 });
    const run = await ccctl('settings', 'set', 'audit', '{"retention_days": 7}');
    expect([run.code, run.stdout]).toEqual([0, 'set audit: version 3\n']);
    expect(api.seen[0].body).toEqual({
      namespace: '_system',
      key: 'audit',
      value: { retention_days: 7 },
    });
    const refused = await ccctl('settings', 'set', 'audit', '{bad');
    expect(refused.code).toBe(2);
  });

  it('settings set reports a schema refusal (40002) in one line, exit 1', async () => {
    api.answer('PUT', '/api/v1/admin/config', 'retention_days must be >= 1', 40002, 400);
    const run = await ccctl('settings', 'set', 'audit', '{"retention_days": 0}');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('ccctl: 40002 retention_days must be >= 1 (request_id req-2)\n');
  });

  it('audit sends its filters under the API names and pages through a table', async () => {
    const event = {
      time: '2026-12-01T00:00:00.000Z',
      client_id: 'billing',
      on_behalf_of: null,
      action: 'config.update',
      endpoint: 'PUT /api/v1/admin/config',
      namespace: 'billing',
      key: 'db',
      client_ip: '10.0.0.9',
      user_agent: 'curl',
      request_id: 'r-9',
      outcome: 'denied',
      code: 40301,
      node_id: 'node-2',
    };
    api.answer('GET', '/api/v1/admin/audit', { items: [event], total: 41, page: 2, page_size: 20 });
    const run = await ccctl(
      'audit',
      '--client',
      'billing',
      '--namespace',
      'billing',
      '--action',
      'config.update',
      '--outcome',
      'denied',
      '--from',
      '2026-12-01',
      '--to',
      '2026-12-02T00:00:00Z',
      '--page',
      '2',
      '--page-size',
      '20',
    );
    expect(run.code).toBe(0);
    expect(api.seen[0].query).toEqual({
      client_id: 'billing',
      namespace: 'billing',
      action: 'config.update',
      outcome: 'denied',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      page: '2',
      page_size: '20',
    });
    expect(run.stdout).toMatch(
      /billing\s+config.update\s+billing\s+db\s+denied\s+40301\s+10.0.0.9\s+node-2\s+r-9/,
    );
    expect(run.stdout).toContain('page 2 of 3, 41 events');
    const json = await ccctl('audit', '--json');
    expect(JSON.parse(json.stdout).items).toEqual([event]);
    expect(api.seen[1].query).toEqual({});
    const bad = await ccctl('audit', '--outcome', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--outcome must be one of success, denied, failed');
  });

  it('keeps a path prefix of the base URL (an API behind a reverse proxy)', async () => {
    api.answer('GET', '/proxy/api/v1/admin/settings', settings);
    const run = await ccctl('settings', 'get', '--url', `${api.url}/proxy/`, '--json');
    expect(run.code).toBe(0);
    expect(api.seen[0].path).toBe('/proxy/api/v1/admin/settings');
  });

  it('an answer without the envelope is a connection failure (exit 3), not data', async () => {
    api.answerRaw('GET', '/api/v1/admin/audit', 502, '<html>Bad Gateway</html>');
    const run = await ccctl('audit', '--json');
    expect([run.code, run.stdout]).toEqual([3, '']);
    expect(run.stderr).toBe(
      `ccctl: GET ${api.url}/api/v1/admin/audit: HTTP 502 without the API's envelope: <html>Bad Gateway</html>\n`,
    );
  });
});
