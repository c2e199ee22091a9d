import { ChangeOrigin, Command, CommandOutcome, isWellFormedCommand } from './commands';
import { Mutation, StateTransaction } from './mutations';
import { StateMachine } from './state-machine';
import { StateView, ViewOverlay } from './state-view';

class RecordingTransaction extends StateTransaction {
  readonly executed: Mutation[] = [];
  async execute(mutations: Mutation[]): Promise<number[]> {
    this.executed.push(...mutations);
    return mutations.map(() => 1);
  }
  async findOutcome() {
    return undefined;
  }
  async rememberOutcome(): Promise<void> {}
  async setApplied(): Promise<void> {}
}

const origin: ChangeOrigin = {
  clientId: 'ci-bot',
  onBehalfOf: 'alice',
  clientIp: '10.0.0.7',
  userAgent: 'curl/8',
  requestId: 'req-1',
  endpoint: 'POST /api/v1/admin/namespace',
  nodeId: 'node-2',
};
const meta = { at: 1_700_000_000_000, operator: 'ci-bot', origin };

async function applyAll(commands: Command[]) {
  const view = new StateView();
  const machine = new StateMachine();
  const tx = new RecordingTransaction();
  const outcomes: CommandOutcome[] = [];
  for (const [position, command] of commands.entries()) {
    const overlay = new ViewOverlay(view);
    outcomes.push(await machine.apply(command, position + 1, overlay, tx));
    view.commit(overlay.changes, position + 1);
  }
  return { tx, outcomes };
}

describe('audit through the log', () => {
  it('writes one audit_event row with the origin for a namespace change, none for a refused one', async () => {
    const { tx, outcomes } = await applyAll([
      { type: 'CreateNamespace', ...meta, name: 'app', description: null },
      { type: 'CreateNamespace', ...meta, name: 'app', description: null },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
    const events = tx.executed.filter((m) => m.kind === 'insertAuditEvent');
    expect(events).toEqual([
      {
        kind: 'insertAuditEvent',
        record: {
          id: 1001, // index * ID_STRIDE + 1: deterministic on every replica
          revision: 1,
          createdAt: meta.at,
          action: 'namespace.create',
          namespaceId: 1001,
          namespace: 'app',
          configKey: null,
          operator: 'ci-bot',
          origin,
        },
      },
    ]);
  });

  it('carries the origin on the config_history row of a config change, with no extra row', async () => {
    const { tx } = await applyAll([
      { type: 'CreateNamespace', ...meta, name: 'app', description: null },
      {
        type: 'WriteConfig',
        ...meta,
        operation: { op: 'create', namespace: 'app', key: 'k', valueText: '1' },
      },
    ]);
    const history = tx.executed.filter((m) => m.kind === 'insertHistory');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ record: { origin, revision: 2 } });
    expect(tx.executed.filter((m) => m.kind === 'insertAuditEvent')).toHaveLength(1);
  });

  it('refuses a forwarded command whose origin is wider than its columns', () => {
    const command = { type: 'DeleteNamespace', ...meta, id: 1 };
    expect(isWellFormedCommand(command)).toBe(true);
    expect(
      isWellFormedCommand({ ...command, origin: { ...origin, userAgent: 'x'.repeat(257) } }),
    ).toBe(false);
    expect(isWellFormedCommand({ ...command, origin: { ...origin, requestId: null } })).toBe(false);
    expect(isWellFormedCommand({ ...command, origin: { ...origin, clientId: null } })).toBe(true);
  });
});
