import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import type Redis from 'ioredis';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './node-process';

/**
 * A redis-server of the test's own, on a free loopback port, without persistence: tests that
 * kill Redis, or need several Redis nodes (sharding), never touch the shared one at REDIS_URL.
 * The binary comes from scripts/provision.sh (Debian's redis-server).
 */
export interface RedisProcess {
  port: number;
  url: string;
  /** kill -9; `start()` brings it back empty on the same port. */
  crash(): Promise<void>;
  /** Starts it again on the same port (after `crash` or `stop`). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cc-redis-'));
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await untilPong(port, 10_000);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    crash: () => kill('SIGKILL'),
    start,
    stop: () => kill('SIGTERM'),
  };
}

/** Resolves once `PING` answers `+PONG` (raw RESP: no client library needed). */
async function untilPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pongs(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

/** Connections our nodes hold on this Redis (their clients name themselves `cc-cache-*`). */
export async function cacheConnections(client: Redis): Promise<number> {
  return ((await client.client('LIST')) as string)
    .split('\n')
    .filter((line) => line.includes('name=cc-cache-')).length;
}

/** Subscribers of the invalidation channel on this Redis. */
export async function invalidationSubscribers(client: Redis): Promise<number> {
  return Number(((await client.pubsub('NUMSUB', 'cc:invalidate')) as [string, number])[1]);
}
