import { AddressInfo, connect, Server, Socket } from 'node:net';

/** What came back on a raw connection, and whether the server closed it. */
export interface RawExchange {
  status: number;
  headers: Record<string, string>;
  /** The body when the whole answer arrived (Content-Length), else what did. */
  body: string;
  closedByServer: boolean;
  elapsedMs: number;
}

/**
 * Opens a connection, sends `head` (a request line and headers, CRLF-terminated, blank line
 * included) and then `bodyPart`, and waits for an answer or the server closing the connection,
 * without ever sending the rest of the body it announced. What a slow or hostile client does.
 */
export function rawExchange(
  port: number,
  head: string,
  bodyPart: Buffer | string = '',
  waitMs = 5_000,
): Promise<RawExchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseAnswer(received), closedByServer, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('connect', () => {
      socket.write(head);
      if (bodyPart.length > 0) socket.write(bodyPart);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseAnswer(received);
      const length = Number(answer.headers['content-length']);
      if (answer.status > 0 && Number.isFinite(length) && Buffer.byteLength(answer.body) >= length)
        setTimeout(() => finish(socket.readableEnded), 50);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

function parseAnswer(bytes: Buffer): Pick<RawExchange, 'status' | 'headers' | 'body'> {
  const text = bytes.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: {}, body: '' };
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes bytes as they are to an HTTP server and reads its answer until the connection closes:
 * for what an HTTP client library will not send (raw UTF-8 header values, broken request lines).
 */
export async function rawHttp(target: Server | string, bytes: Buffer | string): Promise<RawAnswer> {
  const port = typeof target === 'string' ? Number(new URL(target).port) : await portOf(target);
  const received = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Not ended: a half-closed client may lose its answer. Send Connection: close, or a request Node refuses.
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) =>
      chunks.length > 0 ? resolve(Buffer.concat(chunks)) : reject(error),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  const text = received.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(head[0].split(' ')[1]), headers, body: text.slice(split + 4) };
}

async function portOf(server: Server): Promise<number> {
  if (!server.listening)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
