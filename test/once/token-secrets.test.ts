import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeProcess, ensureBuilt, startNodeProcess } from '../support/node-process';

/**
 * DESIGN 21: a token's secret never reaches the log, a snapshot, an idempotency record, a log
 * line or an audit row. A real node (with read workers, debug logs) without ADMIN_TOKEN: it
 * writes its admin token to DATA_DIR; tokens are issued, used, rotated, revoked and re-asked
 * with an Idempotency-Key; then every file of the node and everything it printed is searched
 * for every secret it ever answered.
 */
jest.setTimeout(60_000);

describe('token secrets', () => {
  let dir: string;
  let node: NodeProcess | undefined;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cc-secrets-'));
  });
  afterAll(async () => {
    await node?.crash();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    path: string,
    secret: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const answer = await fetch(`${node!.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await answer.json()) as { code: number; data: Record<string, unknown> };
  };

  it('appear in no data file, log line or answer but the ones that hand them out', async () => {
    node = await startNodeProcess({
      ADMIN_TOKEN: '',
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      HTTP_WORKERS: '2',
      LOG_LEVEL: 'debug',
    });
    const file = join(dir, 'data', 'admin-token');
    for (let i = 0; i < 100 && !safeExists(file); i++) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const admin = readFileSync(file, 'utf8').trim();
    const secrets = [admin];

    const ns = 'secrets-ns';
    expect((await call('POST', '/api/v1/admin/namespace', admin, { name: ns })).code).toBe(0);
    const reader = await call('POST', '/api/v1/admin/tokens', admin, {
      client_id: 'reader-svc',
      role: 'reader',
      namespaces: [ns],
    });
    const writer = await call(
      'POST',
      '/api/v1/admin/tokens',
      admin,
      { client_id: 'writer-svc', role: 'writer', namespaces: '*' },
      { 'idempotency-key': 'create-writer-1' },
    );
    secrets.push(String(reader.data.token), String(writer.data.token));
    const writerSecret = String(writer.data.token);
    expect(
      (
        await call('POST', '/api/v1/admin/config', writerSecret, {
          namespace: ns,
          key: 'k',
          value: 1,
        })
      ).code,
    ).toBe(0);
    expect(
      (await call('GET', `/api/v1/config/get?namespace=${ns}&key=k`, String(reader.data.token)))
        .code,
    ).toBe(0);
    const repeat = await call(
      'POST',
      '/api/v1/admin/tokens',
      admin,
      { client_id: 'writer-svc', role: 'writer', namespaces: '*' },
      { 'idempotency-key': 'create-writer-1' },
    );
    expect(repeat.data).toMatchObject({ id: writer.data.id, token: null });
    const rotated = await call(
      'POST',
      `/api/v1/admin/tokens/${String(reader.data.id)}/rotate`,
      admin,
      {
        grace_seconds: 0,
      },
    );
    secrets.push(String(rotated.data.token));
    expect(
      (await call('DELETE', `/api/v1/admin/tokens/${String(writer.data.id)}`, admin)).code,
    ).toBe(0);
    // Refused tokens (a 40101 the node must not log with its secret either).
    expect((await call('GET', `/api/v1/config/get?namespace=${ns}&key=k`, writerSecret)).code).toBe(
      40101,
    );
    const listed = JSON.stringify(await call('GET', '/api/v1/admin/tokens', admin));
    for (const secret of secrets) expect(listed).not.toContain(secret);

    await node.stop();
    const output = node.output();
    node = undefined;
    expect(output.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(output).not.toContain(secret);
      for (const path of filesUnder(dir)) {
        if (path === file) continue;
        const bytes = readFileSync(path);
        expect({ path, found: bytes.includes(secret) }).toEqual({ path, found: false });
      }
    }
  });
});

function safeExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(root, entry.name)) : [join(root, entry.name)],
  );
}
