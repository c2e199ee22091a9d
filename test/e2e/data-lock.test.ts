import { describeData } from '../../apps/config-center/src/database/data-lock/node-data-lock';
import { parseDatabaseUrl } from '../../apps/config-center/src/env/app-config';
import { removeSuiteDatabase, suiteDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/names';
import {
  NodeProcess,
  callNode as call,
  ensureBuilt,
  runNodeProcessToExit,
  startNodeProcess,
} from '../support/node-process';

/**
 * One process per node (issue 16), on real processes and the engine of DATABASE_URL (a SQLite
 * file, or MariaDB's named lock): a second process on a running node's data exits at once with
 * code 73 and one line naming the data, the first keeps serving writes, and kill -9 of the
 * first frees the data for the next process.
 */
jest.setTimeout(120_000);

const EXIT_DATA_IN_USE = 73;

describe('one process per node: the data lock', () => {
  const env = () => ({ DATABASE_URL: suiteDatabaseUrl(), NODE_ID: 'data-lock-node' });
  const nodes: NodeProcess[] = [];
  const ns = uniqueName('datalock');

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    for (const node of nodes) await node.stop();
    removeSuiteDatabase();
  });

  const put = async (node: NodeProcess, key: string, value: unknown) => {
    const answer = await call(node, 'POST', '/api/v1/admin/config', { namespace: ns, key, value });
    expect(answer.body).toMatchObject({ code: 0 });
  };

  it('refuses a second process on the data of a running node, which keeps serving writes', async () => {
    // Read workers share the node's data without taking its lock.
    const first = await startNodeProcess({ ...env(), HTTP_WORKERS: '2' }, 60_000);
    nodes.push(first);
    expect((await call(first, 'POST', '/api/v1/admin/namespace', { name: ns })).body.code).toBe(0);
    await put(first, 'before', 1);

    const second = await runNodeProcessToExit(env());
    process.stdout.write(`[data-lock] the second process exited after ${second.elapsedMs} ms\n`);
    expect({ code: second.code, signal: second.signal }).toEqual({
      code: EXIT_DATA_IN_USE,
      signal: null,
    });
    const data = describeData(parseDatabaseUrl(suiteDatabaseUrl()));
    expect(second.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining(`the data of this node (${data}) is in use by another process`),
    ]);
    expect(second.stdout).toBe('');
    expect(second.elapsedMs).toBeLessThan(10_000);

    await put(first, 'after', 2);
    const read = await call(first, 'GET', `/api/v1/config/get?namespace=${ns}&key=after`);
    expect(read.body).toMatchObject({ code: 0, data: { value: 2 } });
  });

  it('frees the data when the running process is killed with -9', async () => {
    const first = nodes[0];
    await first.crash();
    const next = await startNodeProcess(env());
    nodes.push(next);
    const read = await call(next, 'GET', `/api/v1/config/get?namespace=${ns}&key=after`);
    expect(read.body).toMatchObject({ code: 0, data: { value: 2 } });
    await put(next, 'restarted', 3);
    expect((await runNodeProcessToExit(env())).code).toBe(EXIT_DATA_IN_USE);
  });
});
