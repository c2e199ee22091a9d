import { CommandOutcome } from './commands';
import { IdempotencyRecordId, Mutation, RememberedOutcome, StateTransaction } from './mutations';
import { StateMachine } from './state-machine';
import { StateView, ViewOverlay } from './state-view';
import { SYSTEM_NAMESPACE } from './system-namespace';
import type { Command } from './commands';

class NoRows extends StateTransaction {
  async execute(mutations: Mutation[]): Promise<number[]> {
    return mutations.map(() => 0);
  }
  async findOutcome(_id: IdempotencyRecordId): Promise<RememberedOutcome | undefined> {
    return undefined;
  }
  async rememberOutcome(): Promise<void> {}
  async setApplied(): Promise<void> {}
}

const meta = { at: 1_700_000_000_000, operator: 'system' };
const setting = (key: string, value: unknown) => ({
  key,
  valueText: JSON.stringify(value),
  description: `${key} setting`,
});

class Node {
  readonly view = new StateView();
  private readonly machine = new StateMachine();
  private index = 0;

  async apply(command: Command): Promise<CommandOutcome> {
    const overlay = new ViewOverlay(this.view);
    this.index += 1;
    const outcome = await this.machine.apply(command, this.index, overlay, new NoRows());
    this.view.commit(overlay.changes, this.index);
    return outcome;
  }

  values(): Record<string, unknown> {
    const namespace = this.view.namespaceByName(SYSTEM_NAMESPACE);
    if (!namespace) return {};
    return Object.fromEntries(this.view.liveConfigs(namespace.id).map((c) => [c.key, c.value]));
  }
}

describe('BootstrapSystem and the _system rules in apply', () => {
  it('creates _system with every setting in one entry, then adds only what is missing', async () => {
    const node = new Node();
    const first = await node.apply({
      type: 'BootstrapSystem',
      ...meta,
      settings: [setting('audit', { days: 90 }), setting('auth', { ttl: null })],
    });
    expect(first).toMatchObject({ ok: true, value: { created_namespace: SYSTEM_NAMESPACE } });
    expect(node.values()).toEqual({ audit: { days: 90 }, auth: { ttl: null } });

    await node.apply({
      type: 'WriteConfig',
      ...meta,
      operation: {
        op: 'update',
        namespace: SYSTEM_NAMESPACE,
        key: 'audit',
        valueText: '{"days":7}',
      },
    });
    // A later build (or a second leader) proposes again: changed keys stay, new ones are added.
    const again = await node.apply({
      type: 'BootstrapSystem',
      ...meta,
      settings: [setting('audit', { days: 90 }), setting('auth', {}), setting('rate_limit', [])],
    });
    expect(again).toMatchObject({ ok: true, value: { created_namespace: null } });
    expect(node.values()).toEqual({ audit: { days: 7 }, auth: { ttl: null }, rate_limit: [] });
    const namespace = node.view.namespaceByName(SYSTEM_NAMESPACE)!;
    expect(node.view.config(namespace.id, 'auth')?.version).toBe(1);
    // Nothing missing: the entry changes nothing.
    const revision = namespace.revision;
    expect(
      await node.apply({ type: 'BootstrapSystem', ...meta, settings: [setting('audit', 1)] }),
    ).toMatchObject({ ok: true, value: { results: [] } });
    expect(node.view.namespaceByName(SYSTEM_NAMESPACE)!.revision).toBe(revision);
  });

  it('refuses to delete or disable _system or to delete one of its keys (40301)', async () => {
    const node = new Node();
    await node.apply({ type: 'BootstrapSystem', ...meta, settings: [setting('audit', 1)] });
    const { id } = node.view.namespaceByName(SYSTEM_NAMESPACE)!;
    for (const command of [
      { type: 'DeleteNamespace' as const, ...meta, id },
      { type: 'UpdateNamespace' as const, ...meta, id, status: 0 },
      {
        type: 'WriteBatch' as const,
        ...meta,
        operations: [{ op: 'delete' as const, namespace: SYSTEM_NAMESPACE, key: 'audit' }],
      },
    ])
      expect(await node.apply(command)).toMatchObject({ ok: false, error: { code: 40301 } });
    expect(
      await node.apply({ type: 'UpdateNamespace', ...meta, id, description: 'settings' }),
    ).toMatchObject({ ok: true });
    expect(node.values()).toEqual({ audit: 1 });
  });
});
