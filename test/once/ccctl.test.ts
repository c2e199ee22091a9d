import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '../support/names';
import { CcctlRun as Run, ensureCcctlBuilt, runCcctl } from '../support/ccctl';
import { freePort, NodeProcess, startNodeProcess } from '../support/node-process';

/**
 * Issue 13, item 4: the built `ccctl` as a child process against a real node (SQLite, one node
 * for the file): human output, `--json` parsed, exit codes and one-line errors. Independent
 * invocations run concurrently to keep the file short; usage errors, help and timeouts are
 * checked in-process by apps/ccctl/src/cli.spec.ts. Engine-independent: SQLite pass only.
 */
jest.setTimeout(60_000);

const ADMIN_TOKEN = 'ccctl-e2e-admin-token-0123456789abcdef';

describe('ccctl against a real node', () => {
  let node: NodeProcess;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureCcctlBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cc-ccctl-'));
    node = await startNodeProcess({
      DATABASE_URL: `sqlite:${join(dir, 'node.sqlite')}`,
      ADMIN_TOKEN,
      NODE_ID: 'ccctl-node',
    });
    env = { CCCTL_URL: node.baseUrl, CCCTL_TOKEN: ADMIN_TOKEN };
  });

  afterAll(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ccctl = (args: string[], extraEnv: Record<string, string> = {}): Promise<Run> =>
    runCcctl(args, { ...env, ...extraEnv });

  /** A failure is its exit code, one line on stderr and nothing on stdout. */
  const expectOneLineError = (run: Run, code: number, pattern: RegExp) => {
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code, stdout: '' });
    expect(run.stderr).toMatch(/^ccctl: [^\n]+\n$/);
    expect(run.stderr).toMatch(pattern);
  };

  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const run = await ccctl([...args, '--json']);
    // stderr holds warnings only (a token's secret is shown once); stdout stays pure JSON.
    const warnings = run.stderr.split('\n').filter((line) => line && !line.startsWith('warning: '));
    expect({ code: run.code, stderr: warnings }).toEqual({ code: 0, stderr: [] });
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  /** Namespaces are created by import (the CLI has no `namespace create`): an empty one. */
  const createNamespace = async (ns: string) => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{"configs": []}');
    expect(await json(['namespace', 'import', ns, empty])).toMatchObject({
      namespace: ns,
      created_namespace: true,
    });
  };

  it('cluster members on a single node: exit 1, the API code and message on one line', async () => {
    const [human, asJson] = await Promise.all([
      ccctl(['cluster', 'members']),
      ccctl(['cluster', 'members', '--json']),
    ]);
    expectOneLineError(human, 1, /^ccctl: 50301 .*RAFT_PEERS.*\(request_id [^)]+\)$/m);
    expectOneLineError(asJson, 1, /^ccctl: 50301 /);
  });

  it('config set creates then updates; get reads the latest and --version; history; rollback', async () => {
    const ns = uniqueName('ccctl');
    await createNamespace(ns);

    const created = await ccctl(['config', 'set', ns, 'db', '{"host":"a","port":3306}']);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(
      new RegExp(`^created ${ns}/db: version 1 \\(revision \\d+\\)\n$`),
    );
    const updated = await json(['config', 'set', ns, 'db', '{"host":"b","port":3307}']);
    expect(updated).toMatchObject({ namespace: ns, key: 'db', version: 2, old_version: 1 });

    const [latest, first, human, history, table] = await Promise.all([
      json(['config', 'get', ns, 'db']),
      json(['config', 'get', ns, 'db', '--version', '1']),
      ccctl(['config', 'get', ns, 'db']),
      json(['config', 'history', ns, 'db']),
      ccctl(['config', 'history', ns, 'db']),
    ]);
    expect(latest).toMatchObject({ key: 'db', version: 2, value: { host: 'b', port: 3307 } });
    expect(first).toMatchObject({ version: 1, value: { host: 'a', port: 3306 } });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^namespace: +\S+\nkey: +db\nversion: +2\n/);
    expect(human.stdout).toContain('"host": "b"');
    const changes = history.list as Array<{ version: number; operation: string }>;
    expect(changes.map((item) => [item.version, item.operation])).toEqual([
      [2, 'UPDATE'],
      [1, 'CREATE'],
    ]);
    expect(table.stdout).toMatch(/^VERSION +OPERATION +OPERATOR +TIME +VALUE\n2 +UPDATE /);

    expect(await json(['config', 'rollback', ns, 'db', '1'])).toMatchObject({
      current_version: 3,
      target_version: 1,
    });
    expect(await json(['config', 'get', ns, 'db'])).toMatchObject({
      version: 3,
      value: { host: 'a', port: 3306 },
    });
  });

  it('config errors: API refusals exit 1 with their code, usage errors exit 2, in one line', async () => {
    const ns = uniqueName('ccctl');
    await createNamespace(ns);
    const [missingNamespace, missingKey, notJson, missingArgument, unrepresentable] =
      await Promise.all([
        ccctl(['config', 'set', uniqueName('absent'), 'k', '1']),
        ccctl(['config', 'get', ns, 'k']),
        ccctl(['config', 'set', ns, 'k', 'not-json']),
        ccctl(['config', 'get', ns]),
        // Sent as typed, not rounded by the CLI: the server refuses it.
        ccctl(['config', 'set', ns, 'k', '9007199254740993']),
      ]);
    expectOneLineError(missingNamespace, 1, /^ccctl: 40402 namespace \S+ not found/);
    expectOneLineError(missingKey, 1, /^ccctl: 40403 /);
    expectOneLineError(notJson, 2, /is not JSON/);
    expectOneLineError(missingArgument, 2, /^ccctl: missing required argument 'key'/);
    expectOneLineError(unrepresentable, 1, /^ccctl: 40002 .*double/);
  });

  it('namespace export to a file and import into another namespace round-trips the configs', async () => {
    const source = uniqueName('ccctl-src');
    const target = uniqueName('ccctl-dst');
    await createNamespace(source);
    await Promise.all([
      json(['config', 'set', source, 'a', '{"x":[1,2,{"y":null}]}', '--description', 'first']),
      json(['config', 'set', source, 'b', '"text"']),
    ]);

    const file = join(dir, `${source}.json`);
    const [printed, written] = await Promise.all([
      json(['namespace', 'export', source]),
      json(['namespace', 'export', source, '--file', file]),
    ]);
    expect(printed).toMatchObject({ namespace: source, configs: expect.any(Array) });
    expect(written).toMatchObject({ namespace: source, file, configs: 2 });
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { configs: unknown[] };
    expect(exported.configs).toEqual(printed.configs);

    expect(await json(['namespace', 'import', target, file])).toMatchObject({
      namespace: target,
      created_namespace: true,
      written: 2,
      deleted: 0,
    });
    const [a, b, missingFile] = await Promise.all([
      json(['config', 'get', target, 'a']),
      json(['config', 'get', target, 'b']),
      ccctl(['namespace', 'import', target, join(dir, 'missing.json')]),
    ]);
    expect(a).toMatchObject({ value: { x: [1, 2, { y: null }] } });
    expect(b).toMatchObject({ value: 'text' });
    expectOneLineError(missingFile, 2, /cannot read/);
  });

  it('an unknown token is exit 4 (40101), a token outside its role exit 4 (40301); --token wins over CCCTL_TOKEN', async () => {
    const reader = (await json([
      'auth',
      'token',
      'create',
      '--client-id',
      'ccctl-reader',
      '--role',
      'reader',
      '--namespaces',
      'x',
    ])) as { token: string };
    const [wrongEnv, wrongFlag, none, flagWins, outside] = await Promise.all([
      ccctl(['namespace', 'export', 'x'], { CCCTL_TOKEN: 'wrong' }),
      ccctl(['namespace', 'export', 'x', '--token', 'wrong']),
      ccctl(['namespace', 'export', 'x'], { CCCTL_TOKEN: '' }),
      ccctl(['cluster', 'members', '--token', ADMIN_TOKEN], { CCCTL_TOKEN: 'wrong' }),
      ccctl(['namespace', 'export', 'x', '--token', reader.token]),
    ]);
    expectOneLineError(wrongEnv, 4, /^ccctl: 40101 /);
    expectOneLineError(wrongFlag, 4, /^ccctl: 40101 /);
    expectOneLineError(none, 4, /^ccctl: 40101 /);
    expectOneLineError(flagWins, 1, /^ccctl: 50301 /);
    expectOneLineError(outside, 4, /^ccctl: 40301 /);
  });

  it('auth token create, list, rotate and revoke against the node', async () => {
    const created = (await json([
      'auth',
      'token',
      'create',
      '--client-id',
      'ccctl-svc',
      '--role',
      'writer',
      '--all-namespaces',
    ])) as { id: number; token: string; role: string };
    expect(created).toMatchObject({ role: 'writer', token: expect.stringMatching(/^cct_/) });
    const listed = (await json(['auth', 'token', 'list'])) as { list: Array<{ id: number }> };
    expect(listed.list.map((item) => item.id)).toContain(created.id);
    const rotated = (await json([
      'auth',
      'token',
      'rotate',
      String(created.id),
      '--grace-seconds',
      '0',
    ])) as { token: string };
    expect(rotated.token).not.toBe(created.token);
    const human = await ccctl(['auth', 'token', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('ccctl-svc');
    expect(human.stdout).not.toContain(rotated.token);
    const revoked = (await json(['auth', 'token', 'revoke', String(created.id)])) as {
      status: string;
    };
    expect(revoked.status).toBe('revoked');
    expectOneLineError(
      await ccctl(['config', 'get', 'x', 'y', '--token', rotated.token]),
      4,
      /^ccctl: 40101 /,
    );
  });

  it('settings get, schema and set against the node (a bad value exits 1 with 40002)', async () => {
    const all = (await json(['settings', 'get'])) as { list: Array<{ key: string }> };
    expect(all.list.map((item) => item.key)).toEqual(expect.arrayContaining(['audit', 'auth']));
    const schema = await ccctl(['settings', 'schema', 'audit']);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toContain('retention_days');
    const set = await ccctl([
      'settings',
      'set',
      'auth',
      '{"default_ttl_seconds":null,"rotation_grace_seconds":120}',
    ]);
    expect(set.code).toBe(0);
    const auth = (await json(['settings', 'get', 'auth'])) as Record<string, unknown>;
    expect(JSON.stringify(auth)).toContain('"rotation_grace_seconds":120');
    expectOneLineError(
      await ccctl(['settings', 'set', 'auth', '{"rotation_grace_seconds":-1}']),
      1,
      /^ccctl: 40002 /,
    );
  });

  it('an unreachable URL is exit 3 with one line; --url wins over CCCTL_URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const [fromEnv, fromFlag] = await Promise.all([
      ccctl(['config', 'get', 'a', 'b'], { CCCTL_URL: closed }),
      ccctl(['cluster', 'members', '--url', closed]),
    ]);
    expectOneLineError(fromEnv, 3, /ECONNREFUSED/);
    expectOneLineError(fromFlag, 3, /ECONNREFUSED/);
  });

  it('a usage error is exit 2 from the built CLI too (`ccctl token` stays free for later)', async () => {
    expectOneLineError(await ccctl(['token']), 2, /unknown command 'token'/);
  });
});
