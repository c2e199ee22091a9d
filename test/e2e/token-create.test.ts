import { fails, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';

/**
 * POST /api/v1/admin/tokens takes `namespaces` as a list or "*" (DESIGN 21). The input whitelist
 * once stripped the undecorated field, so every creation was refused with 40002.
 */
describe('POST /api/v1/admin/tokens', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startApp();
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  it('creates a reader token for a list of namespaces that reads there and nowhere else', async () => {
    const { api } = server;
    const mine = (await api.createNamespace(uniqueName('mine'))).name;
    const other = (await api.createNamespace(uniqueName('other'))).name;
    ok(await api.createConfig(mine, 'k', 'mine'));
    ok(await api.createConfig(other, 'k', 'other'));
    const created = ok(
      await api.post('/api/v1/admin/tokens', {
        client_id: 'svc-reader',
        role: 'reader',
        namespaces: [mine],
      }),
    );
    expect(typeof created.token).toBe('string');
    expect(typeof created.id).toBe('number');
    const reader = api.with({ authorization: `Bearer ${created.token}` });
    expect(ok(await reader.getConfig(mine, 'k')).value).toBe('mine');
    fails(await reader.getConfig(other, 'k'), 40301);
    fails(await reader.updateConfig(mine, 'k', 'changed'), 40301);
  });

  it('creates a writer token for "*", and refuses a namespaces field that is neither', async () => {
    const { api } = server;
    const { name } = await api.createNamespace(uniqueName('any'));
    const { token } = ok(
      await api.post('/api/v1/admin/tokens', {
        client_id: 'svc-writer',
        role: 'writer',
        namespaces: '*',
      }),
    );
    const writer = api.with({ authorization: `Bearer ${token}` });
    ok(await writer.createConfig(name, 'k', 1));
    fails(
      await api.post('/api/v1/admin/tokens', { client_id: 'x', role: 'reader', namespaces: 'all' }),
      40002,
    );
  });
});
