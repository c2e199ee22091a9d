import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiFailure, ConnectionFailure } from '../core/cli-errors';
import { Connection } from './connection';

/** An answer larger than this is cut off (an export of a big namespace fits many times). */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

const NOT_LEADER = 50302;

export type Query = Record<string, string | number | boolean | undefined>;

interface Envelope {
  code: number;
  message?: string;
  data?: unknown;
  error?: { details?: unknown; leader?: unknown };
  request_id?: string;
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === 'object' && value !== null && typeof (value as Envelope).code === 'number';

/**
 * The admin API over HTTP: one request per call on its own connection (nothing keeps the
 * process alive afterwards), the bearer token on every call, a deadline for the whole exchange.
 * Answers the envelope's `data`; throws ApiFailure for an error envelope and ConnectionFailure
 * when no envelope came back.
 */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', path, query);
  }

  delete<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.call<T>('DELETE', path, query);
  }

  /** `body` is a JSON text (see jsonBody) so values can be sent exactly as the user typed them. */
  send<T = unknown>(method: 'POST' | 'PUT', path: string, body: string): Promise<T> {
    return this.call<T>(method, path, undefined, body);
  }

  /**
   * The same client pointed at the leader that a 50302 answer named, or null when `error` is not
   * such an answer. A leader's address is its Raft peer URL, which is its API base URL.
   */
  atLeaderNamedBy(error: unknown): { api: ApiClient; leader: string } | null {
    if (!(error instanceof ApiFailure) || error.code !== NOT_LEADER) return null;
    const leader = error.leader as { id?: unknown; address?: unknown } | null | undefined;
    if (typeof leader?.address !== 'string') return null;
    let baseUrl: URL;
    try {
      baseUrl = new URL(leader.address);
    } catch {
      return null;
    }
    if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') return null;
    const id = typeof leader.id === 'string' ? leader.id : baseUrl.origin;
    return { api: new ApiClient({ ...this.connection, baseUrl }), leader: id };
  }

  urlOf(path: string, query?: Query): URL {
    const base = this.connection.baseUrl;
    const url = new URL(base.pathname.replace(/\/+$/, '') + path, base);
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private async call<T>(method: string, path: string, query?: Query, body?: string): Promise<T> {
    const url = this.urlOf(path, query);
    const { status, text } = await this.exchange(method, url, body);
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      envelope = undefined;
    }
    if (!isEnvelope(envelope)) {
      const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
      throw new ConnectionFailure(
        `${method} ${url.origin}${url.pathname}: HTTP ${status} without the API's envelope${snippet ? `: ${snippet}` : ''}`,
      );
    }
    if (envelope.code !== 0) {
      throw new ApiFailure(
        envelope.code,
        envelope.message ?? 'error',
        envelope.request_id,
        envelope.error?.details,
        envelope.error?.leader,
      );
    }
    return envelope.data as T;
  }

  private exchange(
    method: string,
    url: URL,
    body: string | undefined,
  ): Promise<{ status: number; text: string }> {
    const { token, timeoutMs } = this.connection;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'ccctl' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (message: string) =>
        reject(new ConnectionFailure(`${method} ${url.origin}${url.pathname}: ${message}`));
      const request = send(url, { method, headers, agent: false }, (response) => {
        readAnswer(response).then(resolve, (error: Error) => fail(error.message));
      });
      const deadline = setTimeout(
        () => request.destroy(new Error(`no answer within ${timeoutMs} ms (CCCTL_TIMEOUT_MS)`)),
        timeoutMs,
      );
      request.on('close', () => clearTimeout(deadline));
      request.on('error', (error: Error) => fail(error.message));
      request.end(body);
    });
  }
}

function readAnswer(response: IncomingMessage): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        response.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('connection closed mid-answer')));
    response.on('end', () =>
      resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}
