import { AddressInfo, Server } from 'node:net';
import { connect } from 'node:net';

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
