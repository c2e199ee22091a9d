import { HealthRegistry } from './health-registry';
import { becomeReadyWhenCaughtUp } from './readiness';

describe('becomeReadyWhenCaughtUp', () => {
  it('stays not ready while catching up fails (no leader), then turns ready once', async () => {
    const registry = new HealthRegistry();
    const seen: boolean[] = [];
    let attempts = 0;
    await becomeReadyWhenCaughtUp(registry, {
      retryMs: 1,
      catchUp: () => {
        seen.push(registry.isReady);
        attempts++;
        return attempts < 3 ? Promise.reject(new Error('no leader')) : Promise.resolve();
      },
    });
    expect(seen).toEqual([false, false, false]);
    expect(attempts).toBe(3);
    expect(registry.isReady).toBe(true);
  });

  it('is ready at once when the state is loaded and nothing is left to catch up', async () => {
    const registry = new HealthRegistry();
    await becomeReadyWhenCaughtUp(registry, { retryMs: 1, catchUp: () => Promise.resolve() });
    expect(registry.isReady).toBe(true);
  });

  it('turns false when the node begins to stop, and a late catch-up does not turn it back', async () => {
    const registry = new HealthRegistry();
    let finish!: () => void;
    const pending = becomeReadyWhenCaughtUp(registry, {
      retryMs: 1,
      catchUp: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    registry.beforeApplicationShutdown();
    finish();
    await pending;
    expect(registry.isReady).toBe(false);
    expect((await registry.report()).ready).toBe(false);
  });

  it('gives up retrying once the node stops', async () => {
    const registry = new HealthRegistry();
    let attempts = 0;
    const pending = becomeReadyWhenCaughtUp(registry, {
      retryMs: 5,
      catchUp: () => {
        attempts++;
        return Promise.reject(new Error('no leader'));
      },
    });
    registry.beforeApplicationShutdown();
    await pending;
    expect(attempts).toBe(1);
    expect(registry.isReady).toBe(false);
  });
});
