// Child processes, temp dirs and ports for the benchmark, with cleanup that also runs on
// Ctrl-C, SIGTERM, an uncaught error or a plain `process.exit`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every child still running: pid -> { name, child }. */
const children = new Map();
/** Temp dirs to delete at exit. */
const tempDirs = new Set();
/** Extra synchronous cleanups (e.g. dropping bench databases), run after the children die. */
const cleanupHooks = new Set();
let handlersInstalled = false;
let cleaningUp = false;

/** A setup problem (missing tool, server did not start...): the run exits non-zero. */
export class SetupError extends Error {}

function killGroup(pid, signal) {
  // Children are started with `detached: true`, so each leads its own process group and
  // `-pid` reaches anything it spawned too.
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function cleanupSync() {
  for (const [pid] of children) killGroup(pid, 'SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
  for (const hook of cleanupHooks) {
    try {
      hook();
    } catch {
      /* best effort at exit */
    }
  }
  cleanupHooks.clear();
}

/**
 * Registers a synchronous cleanup run at exit (and by `stopAll`) after every child is killed.
 * Returns a function that unregisters it (call it once the resource was released normally).
 */
export function onCleanup(hook) {
  installCleanupHandlers();
  cleanupHooks.add(hook);
  return () => cleanupHooks.delete(hook);
}

/** Installs exit/signal handlers once: nothing we started survives us. */
export function installCleanupHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (cleaningUp) return;
      cleaningUp = true;
      process.stderr.write(`\nbench: ${signal}, stopping child processes...\n`);
      stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** A new temp dir, deleted at exit (or earlier with `removeTempDir`). */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running child; its stdout+stderr go to `logFile`. Returns a handle with
 * `exited` (a promise of {code, signal}), `stop()` and `logTail()`.
 */
export function startProcess(name, command, args, { env, cwd, logFile }) {
  installCleanupHandlers();
  const log = createWriteStream(logFile);
  const child = spawn(command, args, {
    env,
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('error', (error) => {
      exitInfo = { code: null, signal: null, error };
      children.delete(child.pid);
      resolve(exitInfo);
    });
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      children.delete(child.pid);
      resolve(exitInfo);
    });
  });
  if (child.pid !== undefined) children.set(child.pid, { name, child });

  const handle = {
    name,
    pid: child.pid,
    logFile,
    exited,
    get running() {
      return exitInfo === null;
    },
    logTail(lines = 30) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    /** SIGTERM, then SIGKILL after `graceMs`. */
    async stop(graceMs = 5000) {
      if (exitInfo === null && child.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await new Promise((resolve) => log.end(resolve));
    },
  };
  return handle;
}

/** Stops every running child (used on signals and at the end of a run). */
export async function stopAll() {
  const pending = [...children.values()].map(({ child }) => {
    killGroup(child.pid, 'SIGTERM');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        killGroup(child.pid, 'SIGKILL');
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  await Promise.all(pending);
  cleanupSync();
}

/** Runs a command to completion, output shown; throws SetupError if it fails. */
export function runVisible(command, args, options = {}) {
  process.stdout.write(`bench: $ ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new SetupError(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new SetupError(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`,
    );
  }
}

/** Runs a command and returns its stdout (trimmed), or null if it cannot run. */
export function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error || result.status !== 0) return null;
  return result.stdout.trim();
}

/** Polls `check` (async, returns truthy when ready) until `timeoutMs`; fails early if `process` exits. */
export async function waitUntil(
  what,
  check,
  { timeoutMs = 60_000, intervalMs = 100, process: proc } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    if (proc && !proc.running) {
      throw new SetupError(
        `${proc.name} exited while waiting for ${what}; last log lines (${proc.logFile}):\n${proc.logTail()}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const tail = proc ? `\nlast log lines (${proc.logFile}):\n${proc.logTail()}` : '';
  throw new SetupError(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}${tail}`,
  );
}

/** The direct children of a process (a node's read workers: their CPU counts as the server's). */
export function childPids(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
