import { TestApp, removeSuiteDatabase, startApp } from '../support/app';

/** A single node (no RAFT_PEERS) has no node-to-node route at all (ISSUE 11 item 1). */
describe('internal routes on a single node', () => {
  let node: TestApp;
  beforeAll(async () => {
    node = await startApp({ CLUSTER_SECRET: 'a-secret-that-is-not-used' });
  });
  afterAll(async () => {
    await node?.close();
    removeSuiteDatabase();
  });

  it.each([
    '/internal/raft/messages',
    '/internal/raft/propose',
    '/internal/raft/stream',
    '/internal/raft/snapshot',
    '/internal/anything',
  ])('POST %s answers the 404 envelope, with or without the secret', async (path) => {
    const withSecret = { 'x-cluster-secret': 'a-secret-that-is-not-used' };
    for (const headers of [{}, withSecret] as Array<Record<string, string>>) {
      const reply = await node.api.post(path, [], headers);
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 40401 });
      expect(typeof reply.body.request_id).toBe('string');
    }
  });
});
