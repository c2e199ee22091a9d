import { createServer, Server, Socket } from 'node:net';
import { runCli } from './cli';
import { CliContext, Environment } from './core/cli-context';

/** Usage errors, help and timeouts, in-process (test/once/ccctl.test.ts runs the built CLI). */
async function ccctl(argv: string[], env: Environment = {}) {
  let stdout = '';
  let stderr = '';
  const context = new CliContext(
    env,
    { write: (text: string) => (stdout += text) },
    { write: (text: string) => (stderr += text) },
  );
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

describe('ccctl command line', () => {
  it.each([
    [['config', 'get', 'a', 'b', '--version', '0'], /--version <n>' argument '0' is invalid/],
    [['config', 'get', 'a'], /missing required argument 'key'/],
    [['config', 'get', 'a', 'b', 'c'], /too many arguments for 'get'/],
    [['config', 'get', 'a', 'b', '--bogus'], /unknown option '--bogus'/],
    [['config'], /missing subcommand: ccctl config get\|set\|history\|rollback/],
    [['auth', 'token'], /missing subcommand: ccctl auth token create/],
    [['token'], /unknown command 'token'/],
    [['cacherouter'], /missing subcommand: ccctl cacherouter nodes\|add-node/],
    [['cacherouter', 'route'], /missing required argument 'namespace'/],
    [['config', 'get', 'a', 'b', '--url', 'ftp://x'], /--url \/ CCCTL_URL must be http\(s\)/],
  ])('%j is a usage error: exit 2, one line', async (argv, pattern) => {
    const run = await ccctl(argv);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/^ccctl: [^\n]+\n$/);
    expect(run.stderr).toMatch(pattern);
  });

  it('prints help with exit 0, listing every group and the shared flags', async () => {
    const root = await ccctl(['--help']);
    expect(root.code).toBe(0);
    for (const group of [
      'cluster',
      'config',
      'namespace',
      'auth',
      'settings',
      'audit',
      'cacherouter',
    ])
      expect(root.stdout).toContain(group);
    const leaf = await ccctl(['config', 'set', '--help']);
    expect(leaf.code).toBe(0);
    for (const flag of ['--url', '--token', '--json', '--description'])
      expect(leaf.stdout).toContain(flag);
  });

  describe('against a server that never answers', () => {
    let silent: Server;
    let url: string;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('gives up after CCCTL_TIMEOUT_MS: exit 3, one line', async () => {
      const started = Date.now();
      const run = await ccctl(['cluster', 'members'], { CCCTL_URL: url, CCCTL_TIMEOUT_MS: '200' });
      expect(run).toEqual({
        code: 3,
        stdout: '',
        stderr: `ccctl: GET ${url}/api/v1/admin/cluster/members: no answer within 200 ms (CCCTL_TIMEOUT_MS)\n`,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('refuses a CCCTL_TIMEOUT_MS that is not a positive integer', async () => {
      const run = await ccctl(['cluster', 'members'], { CCCTL_URL: url, CCCTL_TIMEOUT_MS: '0' });
      expect([run.code, run.stderr]).toEqual([
        2,
        'ccctl: CCCTL_TIMEOUT_MS must be a positive integer: 0\n',
      ]);
    });
  });
});
