import { DatabaseError, ErrorCode } from '@cc/common';
import { Command, CommandOutcome, isWellFormedCommand } from './commands';
import { IdempotencyRecordId, Mutation, RememberedOutcome, StateTransaction } from './mutations';
import { ID_STRIDE, IDEMPOTENCY_WINDOW_MS, StateMachine } from './state-machine';
import { StateView, ViewOverlay } from './state-view';

/** Records mutations instead of writing rows: apply's logic is tested without a database. */
class RecordingTransaction extends StateTransaction {
  readonly executed: Mutation[] = [];
  readonly outcomes = new Map<string, RememberedOutcome & { at: number }>();
  keptRows = 1;

  async execute(mutations: Mutation[]): Promise<number[]> {
    this.executed.push(...mutations);
    return mutations.map((m) => (m.kind === 'setVersionKept' ? this.keptRows : 0));
  }
  async findOutcome({ scope, key }: IdempotencyRecordId, newerThan: number) {
    const found = this.outcomes.get(`${scope}\n${key}`);
    return found && found.at > newerThan ? found : undefined;
  }
  async rememberOutcome(
    { scope, key }: IdempotencyRecordId,
    fingerprint: string | null,
    outcome: CommandOutcome,
    at: number,
  ) {
    this.outcomes.set(`${scope}\n${key}`, { outcome, fingerprint, at });
  }
  async setApplied(): Promise<void> {}
}

const meta = { at: 1_700_000_000_000, operator: 'tester' };

class Harness {
  readonly view = new StateView();
  readonly machine = new StateMachine();
  readonly tx = new RecordingTransaction();
  private index = 0;

  async apply(command: Command): Promise<CommandOutcome> {
    const overlay = new ViewOverlay(this.view);
    this.index += 1;
    const outcome = await this.machine.apply(command, this.index, overlay, this.tx);
    this.view.commit(overlay.changes, this.index);
    return outcome;
  }

  put(op: 'create' | 'update' | 'upsert', key: string, value: unknown, expectedVersion?: number) {
    return this.apply({
      type: 'WriteConfig',
      ...meta,
      operation: { op, namespace: 'app', key, valueText: JSON.stringify(value), expectedVersion },
    });
  }

  remove(key: string) {
    return this.apply({
      type: 'WriteConfig',
      ...meta,
      operation: { op: 'delete', namespace: 'app', key },
    });
  }

  config(key: string) {
    const namespace = this.view.namespaceByName('app');
    return namespace ? this.view.config(namespace.id, key) : undefined;
  }
}

async function withNamespace(): Promise<Harness> {
  const harness = new Harness();
  await harness.apply({ type: 'CreateNamespace', ...meta, name: 'app', description: null });
  return harness;
}

describe('StateMachine', () => {
  it('derives row ids from the entry index, never from a counter of its own', async () => {
    const harness = await withNamespace();
    const outcome = await harness.put('create', 'a', 1);
    expect(outcome.ok).toBe(true);
    expect(harness.view.namespaceByName('app')?.id).toBe(1 * ID_STRIDE + 1);
    expect(harness.config('a')?.id).toBe(2 * ID_STRIDE + 1);
  });

  it('gives an entry with more than 999 new rows unique ids above every ordinary id', async () => {
    const harness = await withNamespace();
    const operations = Array.from({ length: 2_500 }, (_, i) => ({
      op: 'upsert' as const,
      namespace: 'app',
      key: `k${i}`,
      valueText: String(i),
    }));
    const outcome = await harness.apply({ type: 'WriteBatch', ...meta, operations });
    expect(outcome.ok).toBe(true);
    await harness.put('create', 'after', 1);
    const ids = Array.from({ length: 2_500 }, (_, i) => harness.config(`k${i}`)?.id ?? 0);
    expect(new Set(ids).size).toBe(2_500);
    expect(ids.slice(0, ID_STRIDE - 1).every((id) => id < 3 * ID_STRIDE)).toBe(true);
    expect(ids.slice(ID_STRIDE - 1).every((id) => id >= 2 ** 50 && id < 2 ** 53)).toBe(true);
    // Ordinary entries keep the ids they always had: a log written before replays identically.
    expect(harness.config('after')?.id).toBe(3 * ID_STRIDE + 1);
  });

  it('gives two replicas applying the same commands identical mutations', async () => {
    const run = async () => {
      const harness = await withNamespace();
      await harness.put('create', 'a', { x: 1 });
      await harness.put('update', 'a', { x: 2 });
      await harness.remove('a');
      await harness.put('create', 'a', { x: 3 });
      return harness.tx.executed;
    };
    expect(await run()).toEqual(await run());
  });

  it('continues version numbers after a delete and re-create', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    await harness.put('update', 'a', 2);
    const deleted = await harness.remove('a');
    expect(deleted).toMatchObject({ ok: true, value: { version: 3 } });
    const recreated = await harness.put('create', 'a', 4);
    expect(recreated).toMatchObject({ ok: true, value: { version: 4, old_version: null } });
  });

  it('rejects a write when expected_version is stale, without changing anything', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    const before = harness.tx.executed.length;
    const outcome = await harness.put('update', 'a', 2, 5);
    expect(outcome).toMatchObject({ ok: false, error: { code: ErrorCode.CONFLICT } });
    expect(harness.tx.executed.length).toBe(before);
    expect(harness.config('a')?.value).toBe(1);
  });

  it('refuses to create an existing key and to update a missing one', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    expect(await harness.put('create', 'a', 2)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.CONFIG_KEY_EXISTS },
    });
    expect(await harness.put('update', 'b', 2)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.CONFIG_NOT_FOUND },
    });
  });

  it('applies a batch all or nothing', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'taken', 1);
    const outcome = await harness.apply({
      type: 'WriteBatch',
      ...meta,
      operations: [
        { op: 'create', namespace: 'app', key: 'fresh', valueText: '1' },
        { op: 'create', namespace: 'app', key: 'taken', valueText: '2' },
      ],
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: ErrorCode.CONFIG_KEY_EXISTS, details: { index: 1 } },
    });
    expect(harness.config('fresh')).toBeUndefined();
    expect(harness.config('taken')?.value).toBe(1);
  });

  it('sees earlier operations of the same batch', async () => {
    const harness = await withNamespace();
    const outcome = await harness.apply({
      type: 'WriteBatch',
      ...meta,
      operations: [
        { op: 'create', namespace: 'app', key: 'k', valueText: '1' },
        { op: 'update', namespace: 'app', key: 'k', valueText: '2', expectedVersion: 1 },
      ],
    });
    expect(outcome.ok).toBe(true);
    expect(harness.config('k')).toMatchObject({ value: 2, version: 2 });
  });

  it('refuses writes to a disabled namespace and deleting a namespace with configs', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    const id = harness.view.namespaceByName('app')!.id;
    expect(await harness.apply({ type: 'DeleteNamespace', ...meta, id })).toMatchObject({
      ok: false,
      error: { code: ErrorCode.CONFLICT },
    });
    await harness.apply({ type: 'UpdateNamespace', ...meta, id, status: 0 });
    expect(await harness.put('update', 'a', 2)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.FORBIDDEN },
    });
  });

  describe('idempotency (DESIGN 12)', () => {
    const claim = (key: string, fingerprint = 'a'.repeat(64), scope = 'anonymous POST /c') => ({
      key,
      scope,
      fingerprint,
    });
    const upsert = (value: unknown, idempotency = claim('req-1'), at = meta.at): Command => ({
      type: 'WriteConfig',
      at,
      operator: 'tester',
      idempotency,
      operation: { op: 'upsert', namespace: 'app', key: 'a', valueText: JSON.stringify(value) },
    });

    it('answers a repeated key with the same fingerprint with the first outcome', async () => {
      const harness = await withNamespace();
      const first = await harness.apply(upsert(1));
      const second = await harness.apply(upsert(1));
      expect(second).toEqual(first);
      expect(harness.config('a')?.version).toBe(1);
    });

    it('refuses a repeated key with another fingerprint with 42201 and applies nothing', async () => {
      const harness = await withNamespace();
      const first = await harness.apply(upsert(1));
      const executed = harness.tx.executed.length;
      const other = await harness.apply(upsert(2, claim('req-1', 'b'.repeat(64))));
      expect(other).toMatchObject({ ok: false, error: { code: ErrorCode.IDEMPOTENCY_KEY_REUSED } });
      expect(harness.tx.executed.length).toBe(executed);
      expect(harness.config('a')).toMatchObject({ version: 1, value: 1 });
      // The record still holds the first request: its retry is answered as before.
      expect(await harness.apply(upsert(1))).toEqual(first);
    });

    it('keeps the same key in two scopes apart', async () => {
      const harness = await withNamespace();
      await harness.apply(upsert(1, claim('req-1', 'a'.repeat(64), 'anonymous POST /c')));
      const other = await harness.apply(
        upsert(2, claim('req-1', 'b'.repeat(64), 'anonymous PUT /c')),
      );
      expect(other).toMatchObject({ ok: true, value: { version: 2 } });
    });

    it('forgets a key after 24 hours of command time: it may then be used for anything', async () => {
      const harness = await withNamespace();
      await harness.apply(upsert(1, claim('req-1'), meta.at));
      const stillThere = await harness.apply(
        upsert(2, claim('req-1', 'b'.repeat(64)), meta.at + IDEMPOTENCY_WINDOW_MS - 1),
      );
      expect(stillThere).toMatchObject({ ok: false, error: { code: 42201 } });
      const reused = await harness.apply(
        upsert(3, claim('req-1', 'b'.repeat(64)), meta.at + IDEMPOTENCY_WINDOW_MS),
      );
      expect(reused).toMatchObject({ ok: true, value: { version: 2 } });
      expect(harness.config('a')?.value).toBe(3);
      // The new request now owns the key.
      expect(
        await harness.apply(
          upsert(3, claim('req-1', 'b'.repeat(64)), meta.at + IDEMPOTENCY_WINDOW_MS + 5),
        ),
      ).toEqual(reused);
      expect(IDEMPOTENCY_WINDOW_MS).toBe(24 * 3600 * 1000);
    });

    it('replays an entry of before scoping (a bare idempotencyKey) as it was applied then', async () => {
      const harness = await withNamespace();
      const legacy = (value: unknown): Command => ({
        ...upsert(value),
        idempotency: undefined,
        idempotencyKey: 'old-1',
      });
      const first = await harness.apply(legacy(1));
      expect(await harness.apply(legacy(5))).toEqual(first);
      expect(harness.config('a')?.version).toBe(1);
    });

    it('accepts a forwarded command only with a well-formed claim', () => {
      expect(isWellFormedCommand(upsert(1))).toBe(true);
      expect(isWellFormedCommand(upsert(1, claim('bad key')))).toBe(false);
      expect(isWellFormedCommand(upsert(1, claim('k', 'not-hex')))).toBe(false);
      expect(isWellFormedCommand(upsert(1, claim('k', 'a'.repeat(64), 'x'.repeat(256))))).toBe(
        false,
      );
      expect(isWellFormedCommand({ ...upsert(1), idempotencyKey: 'k' })).toBe(false);
    });
  });

  it('rolls back by writing a new version with the target value', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 'v1');
    await harness.put('update', 'a', 'v2');
    const outcome = await harness.apply({
      type: 'RollbackConfig',
      ...meta,
      namespace: 'app',
      key: 'a',
      targetVersion: 1,
      valueText: '"v1"',
    });
    expect(outcome).toMatchObject({
      ok: true,
      value: { current_version: 3, previous_version: 2, target_version: 1 },
    });
    expect(harness.config('a')).toMatchObject({ value: 'v1', version: 3 });
  });

  it('reports an unknown version when marking it kept touched no row', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    harness.tx.keptRows = 0;
    const outcome = await harness.apply({
      type: 'SetVersionKept',
      ...meta,
      namespace: 'app',
      key: 'a',
      version: 9,
      kept: true,
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: ErrorCode.CONFIG_NOT_FOUND } });
  });

  it('fails a malformed committed entry alike on every replica instead of throwing', async () => {
    const harness = await withNamespace();
    const badJson = await harness.apply({
      type: 'WriteConfig',
      ...meta,
      operation: { op: 'upsert', namespace: 'app', key: 'a', valueText: '{not json' },
    });
    expect(badJson).toMatchObject({ ok: false, error: { code: ErrorCode.VALIDATION_FAILED } });
    const unknown = await harness.apply({ type: 'Frobnicate', ...meta } as unknown as Command);
    expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_PARAMETER } });
    expect(harness.config('a')).toBeUndefined();
  });
});

describe('StateMachine refusals', () => {
  /** The failure as it is replicated: plain JSON, no class instance, equal after a round trip. */
  const failureOf = (outcome: CommandOutcome) => {
    expect(outcome.ok).toBe(false);
    const error = (outcome as Extract<CommandOutcome, { ok: false }>).error;
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual(error);
    return error;
  };

  it('records each refusal as plain JSON with the code, message and details of the wire format', async () => {
    const harness = await withNamespace();
    await harness.put('create', 'a', 1);
    const id = harness.view.namespaceByName('app')!.id;
    expect(failureOf(await harness.put('create', 'a', 2))).toStrictEqual({
      code: ErrorCode.CONFIG_KEY_EXISTS,
      message: 'config app/a already exists',
    });
    expect(failureOf(await harness.put('update', 'a', 2, 7))).toStrictEqual({
      code: ErrorCode.CONFLICT,
      message: 'config app/a is at version 1, expected 7',
      details: { expected_version: 7, actual_version: 1 },
    });
    expect(
      failureOf(
        await harness.apply({ type: 'CreateNamespace', ...meta, name: 'app', description: null }),
      ),
    ).toStrictEqual({
      code: ErrorCode.CONFLICT,
      message: 'namespace app already exists',
      details: { namespace: 'app' },
    });
    expect(failureOf(await harness.apply({ type: 'DeleteNamespace', ...meta, id }))).toStrictEqual({
      code: ErrorCode.CONFLICT,
      message: 'namespace app still holds 1 config(s); delete them first',
      details: { namespace: 'app', configs: 1 },
    });
    expect(
      failureOf(await harness.apply({ type: 'DeleteNamespace', ...meta, id: 999 })),
    ).toStrictEqual({
      code: ErrorCode.NAMESPACE_NOT_FOUND,
      message: 'namespace 999 not found',
    });
    const missing = await harness.apply({
      type: 'WriteConfig',
      ...meta,
      operation: { op: 'delete', namespace: 'nope', key: 'a' },
    });
    expect(failureOf(missing)).toStrictEqual({
      code: ErrorCode.NAMESPACE_NOT_FOUND,
      message: 'namespace nope not found',
      details: { namespace: 'nope' },
    });
    const batch = await harness.apply({
      type: 'WriteBatch',
      ...meta,
      operations: [{ op: 'delete', namespace: 'app', key: 'gone' }],
    });
    expect(failureOf(batch)).toStrictEqual({
      code: ErrorCode.CONFIG_NOT_FOUND,
      message: 'operation 0 (delete app/gone): config app/gone not found',
      details: { index: 0, cause: null },
    });
    await harness.apply({ type: 'UpdateNamespace', ...meta, id, status: 0 });
    expect(failureOf(await harness.put('upsert', 'a', 3))).toStrictEqual({
      code: ErrorCode.FORBIDDEN,
      message: 'namespace app is disabled',
      details: { namespace: 'app', status: 0 },
    });
  });

  it('lets anything but a refusal escape apply: a failing database is never a replicated outcome', async () => {
    const harness = await withNamespace();
    harness.tx.execute = () => Promise.reject(new DatabaseError('disk full'));
    await expect(harness.put('create', 'a', 1)).rejects.toBeInstanceOf(DatabaseError);
    harness.tx.execute = () => Promise.reject(new Error('bug'));
    await expect(harness.put('create', 'b', 1)).rejects.toThrow('bug');
  });
});

describe('isWellFormedCommand', () => {
  it('accepts what the proposers build and refuses malformed forwarded commands', () => {
    const good: Command = {
      type: 'WriteBatch',
      ...meta,
      operations: [
        { op: 'upsert', namespace: 'app', key: 'a', valueText: '{"x":1}', expectedVersion: 2 },
        { op: 'delete', namespace: 'app', key: 'b' },
      ],
    };
    expect(isWellFormedCommand(good)).toBe(true);
    expect(
      isWellFormedCommand({
        ...good,
        operations: [{ op: 'upsert', namespace: 'app', key: 'a', valueText: 'nope' }],
      }),
    ).toBe(false);
    expect(isWellFormedCommand({ type: 'WriteConfig', ...meta })).toBe(false);
    expect(isWellFormedCommand({ type: 'DeleteNamespace', ...meta, id: -1 })).toBe(false);
    expect(isWellFormedCommand({ type: 'Unknown', ...meta })).toBe(false);
    expect(isWellFormedCommand(null)).toBe(false);
  });
});
