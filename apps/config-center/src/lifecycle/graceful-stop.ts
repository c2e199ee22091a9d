import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../env/app-config';
import { HealthRegistry } from '../observability/health-registry';
import { RaftCommandLog } from '../raft/log/raft-command-log';
import { CommandLog } from '../state/command-log';
import { StateService } from '../state/state.service';
import { NodeWatchHub } from '../watch/node-watch-hub';
import { ReadWorkers } from '../workers/worker-supervisor';

/** Hard deadline from the signal to the exit (issue 16): a stuck request is cut, never waited for. */
export const STOP_DEADLINE_MS = 3000;
/** What a leader spends at most on handing over before it stops anyway. */
const HANDOVER_MAX_MS = 1500;
/** What the read workers get to finish their requests. */
const WORKERS_DRAIN_MS = 1000;

type Say = (line: string) => void;

/**
 * A planned stop (SIGTERM, SIGINT), as etcd does it: a leader first hands its leadership to the
 * voter furthest along, so the cluster does not wait out an election timeout; readiness turns
 * false; the read workers, then the node, stop taking connections and finish the requests they
 * have (a write on an open connection is forwarded to the new leader); then Raft stops and the
 * database closes. Whatever is still running at STOP_DEADLINE_MS is cut by the caller's exit.
 */
export async function stopGracefully(
  app: NestFastifyApplication,
  config: AppConfig,
  workers: ReadWorkers | undefined,
  say: Say,
): Promise<void> {
  const started = Date.now();
  app.get(HealthRegistry).beginStopping();
  app.get(StateService).stopWaitingForVisibility();
  // Streams never finish by themselves: they end now (50301), their clients go elsewhere.
  app.get(NodeWatchHub).hub.stop();
  const log = app.get(CommandLog);
  if (log instanceof RaftCommandLog) {
    const budget = Math.min(
      HANDOVER_MAX_MS,
      2 * config.cluster.electionTicks * config.cluster.tickMs,
    );
    const to = await log.handOverLeadership(budget);
    if (to) say(`handed leadership to ${to} in ${Date.now() - started} ms`);
  }
  await workers?.stop(WORKERS_DRAIN_MS);
  // Fastify stops accepting, closes idle connections and waits for the requests in flight;
  // then the shutdown hooks stop Raft and close the database.
  await app.close();
  say(`stopped in ${Date.now() - started} ms`);
}

/** SIGTERM and SIGINT stop the node gracefully, within STOP_DEADLINE_MS whatever happens. */
export function stopOnSignals(
  app: NestFastifyApplication,
  config: AppConfig,
  workers: ReadWorkers | undefined,
  say: Say,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    setTimeout(() => {
      say(`not stopped within ${STOP_DEADLINE_MS} ms; exiting, open requests cut`);
      process.exit(0);
    }, STOP_DEADLINE_MS - 100).unref();
    stopGracefully(app, config, workers, say).then(
      () => process.exit(0),
      (error: unknown) => {
        say(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
