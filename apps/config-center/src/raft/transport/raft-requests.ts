import http, { OutgoingHttpHeaders } from 'node:http';
import { RAFT_MESSAGES_PATH, RAFT_SNAPSHOT_CONTENT_TYPE, RAFT_SNAPSHOT_PATH } from './raft-wire';

/**
 * One-shot POSTs on pooled keep-alive connections (node:http: cheaper per call than fetch):
 * /internal/raft/messages, the fallback while a peer's stream is down or refused, and the
 * chunks of a snapshot on /internal/raft/snapshot.
 */
export class RaftRequests {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly identity: OutgoingHttpHeaders) {}

  post(baseUrl: string, body: string, timeoutMs: number): Promise<void> {
    return this.send(
      baseUrl,
      RAFT_MESSAGES_PATH,
      body,
      { 'content-type': 'application/json' },
      timeoutMs,
    );
  }

  postSnapshotChunk(
    baseUrl: string,
    chunk: Buffer,
    headers: OutgoingHttpHeaders,
    timeoutMs: number,
  ): Promise<void> {
    return this.send(
      baseUrl,
      RAFT_SNAPSHOT_PATH,
      chunk,
      { ...headers, 'content-type': RAFT_SNAPSHOT_CONTENT_TYPE },
      timeoutMs,
    );
  }

  private send(
    baseUrl: string,
    path: string,
    body: string | Buffer,
    headers: OutgoingHttpHeaders,
    timeoutMs: number,
  ): Promise<void> {
    const target = new URL(path, baseUrl);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            ...this.identity,
            ...headers,
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200
              ? resolve()
              : reject(new Error(`HTTP ${response.statusCode}`)),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  /** Closes pooled connections (shutdown). */
  close(): void {
    this.agent.destroy();
  }
}
