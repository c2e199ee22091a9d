import http from 'node:http';

/** One frame of a Server-Sent Events stream, as a test sees it. */
export interface SseFrame {
  event: string;
  id?: string;
  /** The frame's data, parsed as JSON. */
  data: unknown;
}

/** An open GET /api/v1/config/stream (or any SSE URL), collecting its frames. */
export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every frame so far (heartbeat comments counted in `comments`). */
  frames: SseFrame[];
  comments: string[];
  /** The body when the server answered with something else than a stream (an error envelope). */
  body: string;
  ended: Promise<void>;
  /** Resolves once `predicate` holds over the frames, or rejects after `timeoutMs`. */
  until(predicate: (frames: SseFrame[]) => boolean, timeoutMs?: number): Promise<SseFrame[]>;
  close(): void;
  /** Stops reading (the socket stays open): the server's buffer fills. */
  pause(): void;
}

function parseFrame(block: string): SseFrame | string | undefined {
  const lines = block.split('\n');
  if (lines.every((line) => line.startsWith(':'))) return lines.join('\n');
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { event, id, data: JSON.parse(data.join('\n')) as unknown };
}

/** Opens an SSE stream on `url`; resolves once the answer's headers arrived. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
    request.on('error', reject);
    request.on('response', (response) => {
      const frames: SseFrame[] = [];
      const comments: string[] = [];
      let buffer = '';
      let body = '';
      const waiters: Array<() => void> = [];
      const streaming = (response.headers['content-type'] ?? '').startsWith('text/event-stream');
      let endedResolve: () => void = () => undefined;
      const ended = new Promise<void>((done) => (endedResolve = done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (!streaming) {
          body += chunk;
          return;
        }
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const parsed = parseFrame(buffer.slice(0, split));
          buffer = buffer.slice(split + 2);
          if (typeof parsed === 'string') comments.push(parsed);
          else if (parsed) frames.push(parsed);
        }
        for (const waiter of [...waiters]) waiter();
      });
      const finish = () => {
        endedResolve();
        for (const waiter of [...waiters]) waiter();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
      let done = false;
      response.on('close', () => (done = true));
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        frames,
        comments,
        get body() {
          return body;
        },
        ended,
        until(predicate, timeoutMs = 10_000) {
          return new Promise((resolveUntil, rejectUntil) => {
            const check = () => {
              if (predicate(frames)) {
                cleanup();
                resolveUntil(frames);
              } else if (done) {
                cleanup();
                rejectUntil(new Error(`stream ended first; frames: ${JSON.stringify(frames)}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              rejectUntil(new Error(`timed out; frames: ${JSON.stringify(frames).slice(0, 2000)}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              const at = waiters.indexOf(check);
              if (at >= 0) waiters.splice(at, 1);
            };
            waiters.push(check);
            check();
          });
        },
        close: () => request.destroy(),
        pause: () => response.pause(),
      } as SseStream);
    });
  });
}
