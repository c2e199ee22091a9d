import { AppConfig } from '../env/app-config';
import { CommandLog } from './command-log';
import { Command, CommandOutcome } from './commands';
import { StateService } from './state.service';
import { StateView } from './state-view';

/** A log whose writes are applied elsewhere (a follower's leader) and never reach this view. */
class CutOffLog extends CommandLog {
  propose(): Promise<CommandOutcome> {
    return Promise.resolve({ ok: true, revision: 7, value: { done: true } });
  }
  onApplied(): void {}
  readBarrier(): Promise<void> {
    return Promise.resolve();
  }
  untilApplied(): Promise<void> {
    return new Promise<void>(() => undefined);
  }
}

describe('StateService read-your-writes on a stopping node (issue 16)', () => {
  const command = { type: 'CreateNamespace', name: 'app' } as unknown as Command;
  const service = () =>
    new StateService(
      new CutOffLog(),
      { appliedIndex: 0 } as StateView,
      { proposalTimeoutMs: 5000 } as AppConfig,
    );

  it('lets a write waiting for this view go when the node begins stopping', async () => {
    const state = service();
    let answered = false;
    const write = state.write(command).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    const at = Date.now();
    state.stopWaitingForVisibility();
    await expect(write).resolves.toEqual({ value: { done: true }, revision: 7 });
    expect(Date.now() - at).toBeLessThan(100);
  });

  it('answers a write made after the stop began once the log has its outcome', async () => {
    const state = service();
    state.stopWaitingForVisibility();
    const at = Date.now();
    await expect(state.write(command)).resolves.toEqual({ value: { done: true }, revision: 7 });
    expect(Date.now() - at).toBeLessThan(100);
  });
});
