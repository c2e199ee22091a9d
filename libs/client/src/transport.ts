import {
  ClientClosedError,
  ConfigCenterError,
  RequestTimeoutError,
  ServersUnavailableError,
  isRetriableOnAnotherServer,
} from './errors';
import { ServerPool } from './server-pool';

/** The envelope every answer comes in: `{code, message, data, request_id, timestamp}`. */
interface Envelope {
  code: number;
  message?: string;
  data?: unknown;
  request_id?: string;
}

export interface TransportOptions {
  pool: ServerPool;
  token: string | undefined;
  /** Per request and server; default 5,000 ms. */
  timeoutMs: number;
  /** Aborts every call in flight when the client closes. */
  closed: AbortSignal;
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Sends one request, trying the servers in failover order: a server that refuses, times out or
 * answers 5xx is skipped for the next; a 4xx is the caller's mistake and thrown at once as the
 * envelope's typed error. Reads only: they are safe to send twice.
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const attempts: string[] = [];
    for (const server of this.options.pool.order()) {
      if (this.options.closed.aborted) throw new ClientClosedError();
      try {
        const data = await this.once(server, method, path, body);
        this.options.pool.succeeded(server);
        return data as T;
      } catch (error) {
        if (!isRetriableOnAnotherServer(error)) throw error;
        this.options.pool.failed(server);
        attempts.push(`${server}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new ServersUnavailableError(`no server answered: ${attempts.join('; ')}`, attempts);
  }

  private async once(server: string, method: string, path: string, body: unknown) {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([timeout, this.options.closed]);
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, server), {
        method,
        signal,
        headers: {
          accept: 'application/json',
          ...authHeaders(this.options.token),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (error) {
      if (this.options.closed.aborted) throw new ClientClosedError();
      if (timeout.aborted) throw new RequestTimeoutError(server, this.options.timeoutMs);
      throw new ConfigCenterError(50301, describeNetworkError(error), 0, undefined, server);
    }
    return parseEnvelope(server, response.status, text);
  }
}

export function parseEnvelope(server: string, status: number, text: string): unknown {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new ConfigCenterError(
      status >= 500 ? 50001 : status >= 400 ? status * 100 + 1 : 50001,
      `HTTP ${status} without a JSON envelope`,
      status,
      undefined,
      server,
    );
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.code !== 'number') {
    throw new ConfigCenterError(
      50001,
      `HTTP ${status}: not an envelope`,
      status,
      undefined,
      server,
    );
  }
  if (envelope.code !== 0 || status >= 400) {
    throw new ConfigCenterError(
      envelope.code || status * 100 + 1,
      envelope.message ?? `HTTP ${status}`,
      status,
      envelope.request_id,
      server,
    );
  }
  return envelope.data;
}

export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}
