import {
  NodeProcess,
  callNode as call,
  ensureBuilt,
  startNodeProcess,
} from '../support/node-process';
import { removeSuiteDatabase, suiteDatabaseUrl } from '../support/database';
import { uniqueName } from '../support/names';

/**
 * Crash atomicity with a real process (DESIGN 2): a stream of concurrent writes, including
 * atomic batches, is cut by kill -9; after a restart on the same database every acknowledged
 * write is there with its value, and every batch is entirely there or entirely absent.
 */
jest.setTimeout(120_000);

const WORKERS = 12;
const BATCH_SIZE = 10;
const ROUNDS = 2;

async function must(node: NodeProcess, method: string, path: string, body?: unknown) {
  const answer = await call(node, method, path, body);
  if (answer.body?.code !== 0) throw new Error(`${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** What the client sent and whether the node acknowledged it (code 0) before the crash. */
interface Write {
  keys: string[];
  values: unknown[];
  acked: boolean;
}

interface Counter {
  key: string;
  /** Acknowledged version -> the value written at that version. */
  acked: Map<number, unknown>;
  version: number;
}

describe('crash atomicity (kill -9 of a real node)', () => {
  let node: NodeProcess | undefined;
  const env = () => ({ DATABASE_URL: suiteDatabaseUrl(), NODE_ID: 'crash-node' });

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    await node?.stop();
    removeSuiteDatabase();
  });

  it('keeps every acknowledged write and never half-applies a batch', async () => {
    node = await startNodeProcess(env());
    const ns = uniqueName('crash');
    await must(node, 'POST', '/api/v1/admin/namespace', { name: ns });
    const counters: Counter[] = [];
    for (let w = 0; w < WORKERS; w++) {
      const key = `counter-${w}`;
      await must(node, 'POST', '/api/v1/admin/config', {
        namespace: ns,
        key,
        value: { w, seq: 0 },
      });
      counters.push({ key, acked: new Map([[1, { w, seq: 0 }]]), version: 1 });
    }

    const singles: Write[] = [];
    const batches: Write[] = [];
    let lastRevision = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const live = node!;
      let acks = 0;
      let stopped = false;

      const worker = async (w: number) => {
        const counter = counters[w];
        for (let i = 0; !stopped; i++) {
          const tag = `r${round}-w${w}-${i}`;
          try {
            if (i % 3 === 0) {
              const write: Write = {
                keys: [`single-${tag}`],
                values: [{ tag, n: i }],
                acked: false,
              };
              singles.push(write);
              const answer = await call(live, 'POST', '/api/v1/admin/config', {
                namespace: ns,
                key: write.keys[0],
                value: write.values[0],
              });
              if (answer.body.code === 0) {
                write.acked = true;
                lastRevision = Math.max(lastRevision, answer.body.data.revision);
              } else throw new Error(`single write refused: ${JSON.stringify(answer.body)}`);
            } else if (i % 3 === 1) {
              const keys = Array.from({ length: BATCH_SIZE }, (_, j) => `batch-${tag}-${j}`);
              const write: Write = {
                keys,
                values: keys.map((k, j) => ({ k, j, pad: 'x'.repeat(j * 100) })),
                acked: false,
              };
              batches.push(write);
              const answer = await call(live, 'POST', '/api/v1/admin/config/batch', {
                operations: keys.map((key, j) => ({
                  op: 'create',
                  namespace: ns,
                  key,
                  value: write.values[j],
                })),
              });
              if (answer.body.code === 0) {
                write.acked = true;
                lastRevision = Math.max(lastRevision, answer.body.data.revision);
              } else throw new Error(`batch refused: ${JSON.stringify(answer.body)}`);
            } else {
              const value = { w, seq: i, round };
              const answer = await call(live, 'PUT', '/api/v1/admin/config', {
                namespace: ns,
                key: counter.key,
                value,
                expected_version: counter.version,
              });
              if (answer.body.code !== 0)
                throw new Error(`counter write refused: ${JSON.stringify(answer.body)}`);
              counter.version = answer.body.data.version;
              counter.acked.set(counter.version, value);
            }
            acks++;
          } catch (error) {
            // After the kill a request fails on the socket: its outcome is unknown, and that is fine.
            if (stopped) return;
            throw error;
          }
        }
      };

      const running = Array.from({ length: WORKERS }, (_, w) => worker(w));
      const started = Date.now();
      // Kill at a random point of the stream, with every worker's request in flight.
      const target = 150 + Math.floor(Math.random() * 150);
      while (acks < target && Date.now() - started < 10_000)
        await new Promise((r) => setTimeout(r, 5));
      stopped = true;
      await live.crash();
      await Promise.all(running);
      expect(acks).toBeGreaterThan(0);

      node = await startNodeProcess(env());
      const restarted = node;
      const state = await must(node, 'GET', `/api/v1/config/namespace/${ns}`);
      const configs: Record<string, unknown> = state.configs;

      const lostSingles = singles.filter((s) => s.acked && !(s.keys[0] in configs));
      expect(lostSingles.map((s) => s.keys[0])).toEqual([]);
      for (const single of singles)
        if (single.keys[0] in configs) expect(configs[single.keys[0]]).toEqual(single.values[0]);

      const partial = batches.filter((b) => {
        const present = b.keys.filter((k) => k in configs).length;
        return present !== 0 && present !== b.keys.length;
      });
      expect(partial.map((b) => b.keys[0])).toEqual([]);
      const lostBatches = batches.filter((b) => b.acked && !(b.keys[0] in configs));
      expect(lostBatches.map((b) => b.keys[0])).toEqual([]);
      for (const batch of batches)
        if (batch.keys[0] in configs)
          batch.keys.forEach((k, j) => expect(configs[k]).toEqual(batch.values[j]));

      await Promise.all(
        counters.map(async (counter) => {
          const query = `namespace=${ns}&key=${counter.key}`;
          const latest = await must(restarted, 'GET', `/api/v1/config/get?${query}`);
          // An unacknowledged write may have committed too (its answer was lost): never fewer.
          expect(latest.version).toBeGreaterThanOrEqual(Math.max(...counter.acked.keys()));
          const versions = await must(
            restarted,
            'GET',
            `/api/v1/config/versions?${query}&page_size=500`,
          );
          const stored = new Map<number, unknown>(
            versions.list.map((v: { version: number; value: unknown }) => [v.version, v.value]),
          );
          for (const [version, value] of counter.acked) expect(stored.get(version)).toEqual(value);
          counter.version = latest.version;
        }),
      );

      const inFlight = [...singles, ...batches].filter(
        (x) => !x.acked && x.keys[0].includes(`-r${round}-`),
      );
      console.log(
        `crash round ${round}: ${acks} writes acknowledged; ${inFlight.length} single/batch writes cut by the kill, ${inFlight.filter((x) => x.keys[0] in configs).length} of them committed anyway`,
      );
      // The restarted node continues the log: the next write is after everything acknowledged.
      const probe = await must(node, 'POST', '/api/v1/admin/config', {
        namespace: ns,
        key: `probe-${round}`,
        value: round,
      });
      expect(probe.revision).toBeGreaterThan(lastRevision);
      lastRevision = probe.revision;
    }

    expect(singles.some((s) => s.acked)).toBe(true);
    expect(batches.some((b) => b.acked)).toBe(true);
    await node!.stop();
    node = undefined;
  });
});
