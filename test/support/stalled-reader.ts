import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { ADMIN_AUTHORIZATION } from './auth';

/**
 * A client that sends one request (with the test admin token) and never reads the answer (a raw
 * socket, paused). A paused socket does not read, so it would not notice a reset: whether the
 * server dropped it is read from the kernel's table of TCP connections instead (`stillConnected`).
 */
export interface StalledReader {
  socket: Socket;
  localPort: number;
}

export function stalledReader(
  port: number,
  path: string,
  jsonBody?: unknown,
): Promise<StalledReader> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      const body = jsonBody === undefined ? '' : JSON.stringify(jsonBody);
      const head =
        jsonBody === undefined
          ? `GET ${path} HTTP/1.1\r\n`
          : `POST ${path} HTTP/1.1\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n`;
      socket.write(
        `${head}Host: 127.0.0.1\r\nAuthorization: ${ADMIN_AUTHORIZATION}\r\n` +
          `Connection: keep-alive\r\n\r\n${body}`,
      );
      // Nothing reads: the socket's buffer fills, then the kernel's, then the server must wait.
      socket.pause();
      resolve({ socket, localPort: socket.localPort ?? 0 });
    });
    socket.once('error', reject);
  });
}

const ESTABLISHED = '01';

/** Client ports (on 127.0.0.1) whose connection to `serverPort` is still established. */
export function stillConnected(serverPort: number): Set<number> {
  const server = serverPort.toString(16).toUpperCase().padStart(4, '0');
  const open = new Set<number>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (state === ESTABLISHED && remote?.endsWith(`:${server}`))
      open.add(parseInt(local.split(':')[1], 16));
  }
  return open;
}

/** Waits until `done()` holds, polling; false when `timeoutMs` passed first. */
export async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}
