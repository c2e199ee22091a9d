import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';

/** What a client that streams a large body saw. `status` 0: no answer before the connection closed. */
export interface StreamedAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** ms from the start to the complete answer (-1: none). */
  answeredMs: number;
  /** ms from the start to the connection's close. */
  closedMs: number;
  bytesSent: number;
}

export interface StreamOptions {
  headers?: Record<string, string>;
  /** Stop writing after this many bytes and keep the connection open (a stalled body). */
  stallAfter?: number;
  /** Give up (destroy the request) after this many ms. */
  giveUpMs?: number;
}

/**
 * POSTs a body of `totalBytes` (declared in Content-Length) as fast as the server reads it, from
 * one reused 64 KiB buffer (nothing of that size is allocated), and resolves when the
 * connection closes: a server that never closes it is given up on after `giveUpMs`.
 */
export function streamBody(
  baseUrl: string,
  path: string,
  totalBytes: number,
  options: StreamOptions = {},
): Promise<StreamedAnswer> {
  const target = new URL(baseUrl);
  const started = Date.now();
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const limit = Math.min(totalBytes, options.stallAfter ?? Infinity);
  return new Promise((resolve) => {
    const answer: StreamedAnswer = {
      status: 0,
      body: '',
      headers: {},
      answeredMs: -1,
      closedMs: -1,
      bytesSent: 0,
    };
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path,
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': totalBytes,
        ...options.headers,
      },
    });
    const giveUp = setTimeout(() => request.destroy(), options.giveUpMs ?? 30_000);
    const write = (): void => {
      while (answer.bytesSent < limit && !request.destroyed) {
        const size = Math.min(chunk.length, limit - answer.bytesSent);
        answer.bytesSent += size;
        if (!request.write(chunk.subarray(0, size))) {
          request.once('drain', write);
          return;
        }
      }
      if (answer.bytesSent >= totalBytes) request.end();
    };
    request.on('response', (response) => {
      answer.status = response.statusCode ?? 0;
      answer.headers = response.headers;
      response.on('data', (data: Buffer) => (answer.body += data.toString()));
      response.on('end', () => (answer.answeredMs = Date.now() - started));
    });
    request.on('error', () => undefined);
    request.on('close', () => {
      clearTimeout(giveUp);
      answer.closedMs = Date.now() - started;
      resolve(answer);
    });
    write();
  });
}

/** Resident memory of a process and all its descendants (read workers), in bytes (Linux /proc). */
export function treeRssBytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}
