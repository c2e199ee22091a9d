// Drives load-worker.mjs: one forked process per load run, killed with the rest on exit.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SetupError, capture, installCleanupHandlers } from './processes.mjs';

const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));

/** Load settings shared by every target of a run: same connections, same durations. */
export function loadSettings(env = process.env) {
  const number = (name, fallback, min) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new SetupError(`${name} must be a number >= ${min} (got "${raw}")`);
    return value;
  };
  return {
    connections: number('BENCH_CONNECTIONS', 64, 1),
    pipelining: 1,
    warmupSeconds: number('BENCH_WARMUP', 3, 0),
    durationSeconds: number('BENCH_DURATION', 10, 1),
    /** Rounds of (ours, etcd), each system restarted per round; the median round is reported. */
    rounds: Math.floor(number('BENCH_ROUNDS', 1, 1)),
    clockTicks: Number(capture('getconf', ['CLK_TCK'])) || 100,
  };
}

/**
 * Runs one load: `target` = { url, method, body?, headers?, verify }.
 * Resolves with the worker's result; rejects with SetupError if the worker fails.
 */
export function runLoad(target, settings) {
  installCleanupHandlers();
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answered = false;
    const onSignal = () => child.kill('SIGKILL');
    process.once('exit', onSignal);
    child.on('message', (message) => {
      answered = true;
      if (message.ok) resolve(message.result);
      else reject(new SetupError(`load generator failed: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      process.removeListener('exit', onSignal);
      if (!answered)
        reject(new SetupError(`load generator exited (${code ?? signal}) without a result`));
    });
    child.send({ ...settings, ...target });
  });
}
