import { fakeApiCli } from '../test/fake-api';

/** `ccctl cluster restart-plan` against a fake admin API: read-only, followers first, leader last. */
describe('ccctl cluster restart-plan', () => {
  const { api, ccctl } = fakeApiCli();

  const member = (id: string, leader = false, reachable = true) => ({
    id,
    url: `http://10.0.0.${id.slice(5)}:7001`,
    self: id === 'node-10',
    leader,
    reachable,
    stream: null,
  });
  // Ids out of order, node-10 after node-2 (numeric), the leader in the middle.
  const members = {
    leader: 'node-2',
    term: 7,
    members: [member('node-10'), member('node-2', true), member('node-1'), member('node-3')],
  };

  it('--json lists followers by id, then the leader, each with its readiness URL; only a GET is sent', async () => {
    api.answer('GET', '/api/v1/admin/cluster/members', members);
    const run = await ccctl('cluster', 'restart-plan', '--json');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        step: 1,
        id: 'node-1',
        role: 'follower',
        url: 'http://10.0.0.1:7001',
        ready_url: 'http://10.0.0.1:7001/api/v1/health/ready',
      },
      {
        step: 2,
        id: 'node-3',
        role: 'follower',
        url: 'http://10.0.0.3:7001',
        ready_url: 'http://10.0.0.3:7001/api/v1/health/ready',
      },
      {
        step: 3,
        id: 'node-10',
        role: 'follower',
        url: 'http://10.0.0.10:7001',
        ready_url: 'http://10.0.0.10:7001/api/v1/health/ready',
      },
      {
        step: 4,
        id: 'node-2',
        role: 'leader',
        url: 'http://10.0.0.2:7001',
        ready_url: 'http://10.0.0.2:7001/api/v1/health/ready',
      },
    ]);
    expect(api.seen.map((seen) => `${seen.method} ${seen.path}`)).toEqual([
      'GET /api/v1/admin/cluster/members',
    ]);
    expect(api.seen[0].authorization).toBe('Bearer secret-admin');
  });

  it('prints the order and the checks to run between two nodes', async () => {
    api.answer('GET', '/api/v1/admin/cluster/members', members);
    const run = await ccctl('cluster', 'restart-plan');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      'Rolling restart, leader node-2 (term 7): followers first, the leader last.',
    );
    expect(lines[1]).toMatch(/^STEP\s+ID\s+ROLE\s+READY URL$/);
    expect(lines.slice(2, 6).map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '1 node-1 follower',
      '2 node-3 follower',
      '3 node-10 follower',
      '4 node-2 leader',
    ]);
    expect(run.stdout).toContain('ccctl cluster transfer-leader node-1');
    expect(run.stdout).toContain("curl -s -o /dev/null -w '%{http_code}' <READY URL>");
    expect(run.stdout).toContain('ccctl cluster members');
  });

  it('warns on stderr about an unreachable member, keeping --json parseable', async () => {
    api.answer('GET', '/api/v1/admin/cluster/members', {
      ...members,
      members: [member('node-1'), member('node-2', true), member('node-3', false, false)],
    });
    const run = await ccctl('cluster', 'restart-plan', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((step: { id: string }) => step.id)).toEqual([
      'node-1',
      'node-3',
      'node-2',
    ]);
    expect(run.stderr).toMatch(/^warning: node-3 not reachable/);
  });

  it('without a leader there is no plan: exit 1 and a line saying to wait for one', async () => {
    api.answer('GET', '/api/v1/admin/cluster/members', { ...members, leader: null });
    const run = await ccctl('cluster', 'restart-plan');
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toBe(
      'ccctl: no leader right now: wait for one (ccctl cluster members) before a rolling restart\n',
    );
  });
});
