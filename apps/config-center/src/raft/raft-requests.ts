import http, { OutgoingHttpHeaders } from 'node:http';
import { RAFT_MESSAGES_PATH } from './raft-wire';

/**
 * One-shot POST /internal/raft/messages on pooled keep-alive connections (node:http: cheaper per
 * call than fetch): snapshots, and the fallback while a peer's stream is down or refused.
 */
export class RaftRequests {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly identity: OutgoingHttpHeaders) {}

  post(baseUrl: string, body: string, timeoutMs: number): Promise<void> {
    const target = new URL(RAFT_MESSAGES_PATH, baseUrl);
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
            'content-type': 'application/json',
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
