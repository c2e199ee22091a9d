import type { KvCommand, KvResult } from '../sim/kv-state-machine';
import type { Model, Operation } from './history';

export type KvOperation = Operation<KvCommand, KvResult>;

/** Sequential spec of one register per key, supporting put, get and compare-and-set. */
export const kvModel: Model<string, KvCommand, KvResult> = {
  initialState: () => '',
  step(state, input, output) {
    switch (input.kind) {
      case 'put':
        return { ok: true, state: input.value };
      case 'get':
        return { ok: output === undefined || output.value === state, state };
      case 'cas': {
        const swapped = state === input.expected;
        const ok = output === undefined || output.ok === swapped;
        return { ok, state: swapped ? input.value : state };
      }
    }
  },
  stateKey: (state) => state,
  partition(operations) {
    const byKey = new Map<string, KvOperation[]>();
    for (const operation of operations) {
      const list = byKey.get(operation.input.key) ?? [];
      list.push(operation);
      byKey.set(operation.input.key, list);
    }
    return [...byKey.values()];
  },
};
