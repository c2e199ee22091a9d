import { HealthRegistry } from './health-registry';

export interface ReadinessOptions {
  /** Resolves once this node has applied everything the cluster had committed when it was called. */
  catchUp: () => Promise<unknown>;
  /** Pause between attempts while no leader answers (an election, a partition). */
  retryMs: number;
  /** Told about each failed attempt (a debug log line); the node stays not ready meanwhile. */
  onRetry?: (error: unknown) => void;
}

/**
 * DESIGN 16: a node is ready once, after start, when it has caught up: a single node as soon as
 * its state is loaded (its `catchUp` resolves at once), a cluster member once a ReadIndex
 * round trip with the leader says which index the cluster had committed and this node has
 * applied it. Attempts repeat until one succeeds or the node stops. Readiness is never taken
 * back by an election or a lagging link, only by stopping (HealthRegistry).
 */
export async function becomeReadyWhenCaughtUp(
  registry: HealthRegistry,
  options: ReadinessOptions,
): Promise<void> {
  while (!registry.isStopping) {
    try {
      await options.catchUp();
      registry.markReady();
      return;
    } catch (error) {
      options.onRetry?.(error);
      await new Promise<void>((resolve) => setTimeout(resolve, options.retryMs).unref());
    }
  }
}
