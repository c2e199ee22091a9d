import { isDeepStrictEqual } from 'node:util';
import { Answer, ClusterHarness, sleep } from './harness';

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** One client write and what came back. */
export interface WriteRecord {
  writer: number;
  node: string;
  namespace: string;
  key: string;
  value: unknown;
  sentAt: number;
  answeredAt: number;
  status: number;
  code?: number;
  error?: string;
  revision?: number;
}

export const acked = (w: WriteRecord) => w.status === 200 && w.code === 0;

/**
 * Every write a client saw acknowledged (code 0), across the tests of a file: namespace/key ->
 * the value acknowledged last. The final "restart everything" check reads all of it back.
 */
export class Ledger {
  readonly entries = new Map<string, { namespace: string; key: string; value: unknown }>();

  record(namespace: string, key: string, value: unknown): void {
    this.entries.set(`${namespace}\u0000${key}`, { namespace, key, value });
  }

  all() {
    return [...this.entries.values()];
  }
}

export interface StreamOptions {
  namespace: string;
  writers: number;
  durationMs: number;
  /** Pause between two writes of one writer (keeps 2 cores usable for the nodes). */
  pauseMs?: number;
  /** Called once, `atMs` after the stream started. */
  event?: { atMs: number; run: () => Promise<unknown> };
}

/**
 * `writers` concurrent clients, each creating unique keys for `durationMs`, spread over the
 * nodes (writer i starts on node i mod N). A writer whose node does not answer moves to the
 * next live node. Nothing is retried: a write without an answer has an unknown outcome.
 */
export async function writeStream(
  cluster: ClusterHarness,
  options: StreamOptions,
): Promise<WriteRecord[]> {
  const records: WriteRecord[] = [];
  const ids = cluster.nodes.map((n) => n.id);
  const started = Date.now();
  const stopAt = started + options.durationMs;
  const writer = async (w: number) => {
    let target = w % ids.length;
    for (let seq = 0; Date.now() < stopAt; seq++) {
      const node = ids[target];
      if (!cluster.node(node).alive) {
        target = (target + 1) % ids.length;
        continue;
      }
      const key = `w${w}.k${seq}`;
      const value = { w, seq, r: Math.random().toString(36).slice(2, 10) };
      const sentAt = Date.now();
      const answer: Answer = await cluster.createConfig(node, options.namespace, key, value, 8000);
      records.push({
        writer: w,
        node,
        namespace: options.namespace,
        key,
        value,
        sentAt,
        answeredAt: Date.now(),
        status: answer.status,
        code: answer.body?.code,
        error: answer.error,
        revision: answer.body?.data?.revision,
      });
      if (answer.status === 0) target = (target + 1) % ids.length;
      else if (answer.body?.code !== 0) await sleep(50);
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const event = options.event;
  const eventDone = event ? sleep(event.atMs).then(() => event.run()) : Promise.resolve(undefined);
  await Promise.all([...Array.from({ length: options.writers }, (_, w) => writer(w)), eventDone]);
  return records;
}

/** code -> count, plus "net:<error>" for writes without an HTTP answer. */
export function outcomeCounts(records: readonly WriteRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const k = r.status === 0 ? `net:${r.error}` : `code:${r.code}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

export interface ReadProblem {
  node: string;
  consistency: string;
  namespace: string;
  key: string;
  expected: unknown;
  got: unknown;
}

/**
 * Reads every entry back on every node in `nodes` (each consistency level asked for) and lists
 * what is missing or different.
 */
export async function readBack(
  cluster: ClusterHarness,
  nodes: string[],
  entries: ReadonlyArray<{ namespace: string; key: string; value: unknown }>,
  consistencies: Array<'linearizable' | 'serializable'>,
  concurrency = 12,
): Promise<ReadProblem[]> {
  const jobs = nodes.flatMap((node) =>
    consistencies.flatMap((consistency) => entries.map((entry) => ({ node, consistency, entry }))),
  );
  const problems: ReadProblem[] = [];
  await pool(jobs, concurrency, async ({ node, consistency, entry }) => {
    const answer = await cluster.getConfig(node, entry.namespace, entry.key, consistency);
    const got = answer.body?.code === 0 ? answer.body.data.value : (answer.body ?? answer.error);
    if (answer.body?.code !== 0 || !isDeepStrictEqual(got, entry.value))
      problems.push({
        node,
        consistency,
        namespace: entry.namespace,
        key: entry.key,
        expected: entry.value,
        got,
      });
  });
  return problems;
}
