import { uniqueName } from '../names';
import { ClusterHarness, Json, sleep } from './harness';

/** One write as a client saw it. */
export interface RetriedWrite {
  key: string;
  value: number;
  node: string;
  code: number | undefined;
  status: number;
  message?: string;
}

export interface RetryingWriters {
  /** Stops the clients after their current write; every answer they got, and keys never answered. */
  stop(): Promise<{ answers: RetriedWrite[]; unanswered: string[] }>;
}

/**
 * `clients` clients writing `k<n>` = n into `namespace`, round-robin over the nodes, as an
 * operator's clients would during a restart: a write that got no answer at all (connection
 * refused or reset) is sent again, to the next node, with the same Idempotency-Key.
 */
export function startRetryingWriters(
  cluster: ClusterHarness,
  namespace: string,
  clients = 4,
): RetryingWriters {
  const ids = cluster.nodes.map((node) => node.id);
  const answers: RetriedWrite[] = [];
  const unanswered: string[] = [];
  let running = true;
  let sequence = 0;

  const client = async (offset: number): Promise<void> => {
    while (running) {
      const n = sequence++;
      const key = `k${n}`;
      const idempotency = uniqueName('w');
      let answered = false;
      for (let attempt = 0; attempt < ids.length * 5 && !answered; attempt++) {
        const id = ids[(n + offset + attempt) % ids.length];
        if (!cluster.node(id).alive) continue;
        const answer = await cluster.http(
          id,
          'POST',
          '/api/v1/admin/config',
          { namespace, key, value: n },
          10_000,
          { 'idempotency-key': idempotency },
        );
        if (answer.status === 0) {
          await sleep(20);
          continue;
        }
        answered = true;
        const body = answer.body as Json;
        answers.push({
          key,
          value: n,
          node: id,
          code: body?.code,
          status: answer.status,
          message: body?.code === 0 ? undefined : JSON.stringify(body).slice(0, 300),
        });
      }
      if (!answered) unanswered.push(key);
    }
  };
  const running$ = Array.from({ length: clients }, (_, offset) => client(offset));
  return {
    stop: async () => {
      running = false;
      await Promise.all(running$);
      return { answers, unanswered };
    },
  };
}
