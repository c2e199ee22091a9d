import { ADMIN_HEADERS, TEST_ADMIN_TOKEN } from './auth';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MAIN_JS = join(ROOT, 'dist', 'apps', 'config-center', 'src', 'main.js');

/** scripts/test.sh builds before the tests; a bare `jest` run may not have. */
export function ensureBuilt(): void {
  if (!existsSync(MAIN_JS)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** A port nobody listens on right now (the node must be told its port up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeProcess {
  baseUrl: string;
  child: ChildProcess;
  output(): string;
  /** kill -9: no shutdown hook, no flush. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** The environment a test node runs with: loopback, quiet, one HTTP process, the test admin token. */
function nodeEnvironment(port: number, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    VERSION_CLEANUP_INTERVAL_SECONDS: '0',
    // One HTTP process unless a test asks for read workers (the default is one per core).
    HTTP_WORKERS: '1',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  };
}

/** Spawns `node dist/.../main.js` and waits until /api/v1/health/ready answers 200. */
export async function startNodeProcess(
  env: Record<string, string>,
  readyTimeoutMs = 30_000,
): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    env: nodeEnvironment(port, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitExit = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
    const done = await Promise.race([exited.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  };

  const node: NodeProcess = {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    output: () => log,
    crash: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitExit(10_000))) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`node exited with ${child.exitCode} before ready:\n${log}`);
    try {
      if ((await statusOf(`${node.baseUrl}/api/v1/health/ready`)) === 200) return node;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await node.crash();
      throw new Error(`node not ready after ${readyTimeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Spawns the node like startNodeProcess, and waits for its exit (SIGKILL after `timeoutMs`). */
export async function runNodeProcessToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ProcessExit> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    env: nodeEnvironment(port, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  return { code, signal, stdout, stderr, elapsedMs: Date.now() - started };
}

/** GET on a fresh connection (no pooled keep-alive socket survives the node). */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export interface NodeAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One request with the admin token on its own connection: no pooled socket outlives the node. */
export function callNode(
  node: NodeProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<NodeAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> =
    payload === undefined
      ? { ...ADMIN_HEADERS }
      : {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...ADMIN_HEADERS,
        };
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${node.baseUrl}${path}`, { method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
