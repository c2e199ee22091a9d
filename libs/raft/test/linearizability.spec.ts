import { checkLinearizable } from './support/linearizability/checker';
import type { KvOperation } from './support/linearizability/kv-model';
import { kvModel } from './support/linearizability/kv-model';
import type { KvCommand, KvResult } from './support/sim/kv-state-machine';
import { runSimulation } from './support/sim/simulation';

function op(
  clientId: number,
  input: KvCommand,
  invokedAt: number,
  respondedAt: number,
  output?: KvResult,
): KvOperation {
  return { clientId, input, invokedAt, respondedAt, output };
}

const put = (value: string): KvCommand => ({ kind: 'put', key: 'x', value });
const get: KvCommand = { kind: 'get', key: 'x' };
const read = (value: string): KvResult => ({ ok: true, value });
const done: KvResult = { ok: true, value: '' };

describe('linearizability checker (Wing & Gong with memoisation)', () => {
  it('accepts a sequential history that follows the register spec', () => {
    const history = [op(0, put('1'), 0, 1, done), op(1, get, 2, 3, read('1'))];
    expect(checkLinearizable(kvModel, history).linearizable).toBe(true);
  });

  it('rejects a stale read: a get that starts after a put completed returns the old value', () => {
    const history = [op(0, put('1'), 0, 1, done), op(1, get, 2, 3, read(''))];
    expect(checkLinearizable(kvModel, history)).toEqual({ linearizable: false, timedOut: false });
  });

  it('accepts either value for a read concurrent with the write', () => {
    for (const seen of ['', '1']) {
      const history = [op(0, put('1'), 0, 3, done), op(1, get, 1, 2, read(seen))];
      expect(checkLinearizable(kvModel, history).linearizable).toBe(true);
    }
  });

  it('rejects reads that observe two concurrent writes in opposite orders', () => {
    const history = [
      op(0, put('a'), 0, 5, done),
      op(1, put('b'), 0, 5, done),
      op(2, get, 6, 7, read('a')),
      op(3, get, 8, 9, read('b')),
      op(2, get, 10, 11, read('a')),
    ];
    expect(checkLinearizable(kvModel, history).linearizable).toBe(false);
  });

  it('checks compare-and-set outcomes', () => {
    const cas = (expected: string, value: string): KvCommand => ({
      kind: 'cas',
      key: 'x',
      expected,
      value,
    });
    const ok = [op(0, put('1'), 0, 1, done), op(1, cas('1', '2'), 2, 3, { ok: true, value: '' })];
    expect(checkLinearizable(kvModel, ok).linearizable).toBe(true);
    const wrong = [
      op(0, put('1'), 0, 1, done),
      op(1, cas('1', '2'), 2, 3, { ok: false, value: '1' }),
    ];
    expect(checkLinearizable(kvModel, wrong).linearizable).toBe(false);
  });

  it('lets an unanswered write take effect or not', () => {
    const tookEffect = [op(0, put('1'), 0, Infinity), op(1, get, 5, 6, read('1'))];
    const didNot = [op(0, put('1'), 0, Infinity), op(1, get, 5, 6, read(''))];
    expect(checkLinearizable(kvModel, tookEffect).linearizable).toBe(true);
    expect(checkLinearizable(kvModel, didNot).linearizable).toBe(true);
    // ...but not both: once a read saw it, a later read cannot un-see it.
    const both = [...tookEffect, op(1, get, 7, 8, read(''))];
    expect(checkLinearizable(kvModel, both).linearizable).toBe(false);
  });

  it('checks keys independently (P-compositionality)', () => {
    const history = [
      op(0, { kind: 'put', key: 'a', value: '1' }, 0, 1, done),
      op(1, { kind: 'get', key: 'b' }, 2, 3, read('')),
      op(1, { kind: 'get', key: 'a' }, 4, 5, read('')),
    ];
    expect(checkLinearizable(kvModel, history).linearizable).toBe(false);
  });

  it('catches stale reads injected into the simulated cluster (reads that skip ReadIndex)', () => {
    let rejected: number | undefined;
    for (let seed = 1; seed <= 300 && rejected === undefined; seed++) {
      const report = runSimulation({
        seed,
        nodeCount: 3,
        steps: 250,
        recoverySteps: 400,
        clients: 3,
        unsafeLocalReads: true,
      });
      if (!checkLinearizable(kvModel, report.history).linearizable) rejected = seed;
    }
    expect(rejected).toBeDefined();
  });
});
