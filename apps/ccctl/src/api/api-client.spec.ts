import { ApiFailure } from '../core/cli-errors';
import { ApiClient } from './api-client';

describe('ApiClient.atLeaderNamedBy', () => {
  const api = new ApiClient({
    baseUrl: new URL('http://follower:8080'),
    token: 't',
    timeoutMs: 1000,
  });
  const notLeader = (leader: unknown) => new ApiFailure(50302, 'not the leader', 'r', null, leader);

  it('points a copy of the client at the leader a 50302 names, keeping token and timeout', () => {
    const redirect = api.atLeaderNamedBy(
      notLeader({ id: 'node-2', address: 'http://node-2:8080' }),
    );
    expect(redirect?.leader).toBe('node-2');
    expect(redirect?.api.urlOf('/x').href).toBe('http://node-2:8080/x');
  });

  it('null for any other failure, a 50302 without a leader, or an address that is not http(s)', () => {
    expect(api.atLeaderNamedBy(new ApiFailure(50301, 'busy', 'r', null))).toBeNull();
    expect(api.atLeaderNamedBy(new Error('x'))).toBeNull();
    expect(api.atLeaderNamedBy(notLeader(null))).toBeNull();
    expect(api.atLeaderNamedBy(notLeader({ id: 'n', address: 'not a url' }))).toBeNull();
    expect(api.atLeaderNamedBy(notLeader({ id: 'n', address: 'file:///etc/passwd' }))).toBeNull();
  });
});
