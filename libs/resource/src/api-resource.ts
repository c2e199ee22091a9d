import { AppError, ErrorCode, ErrorCodeValue, ServiceUnavailable } from '@cc/common';
import {
  CALL_CHAIN_HEADER,
  CallChainEntry,
  CallContext,
  REQUEST_ID_HEADER,
  encodeCallChain,
} from './call-context';
import { NestedCallRefused, RemoteError } from './api-errors';
import { Resource } from './resource';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiTarget {
  baseUrl: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResourceOptions {
  /** Whole-call budget (connect, send, read). Default 5 s. */
  timeoutMs?: number;
  /** Longest call chain allowed, counting the call about to be made. Default 4. */
  maxDepth?: number;
}

const KNOWN_CODES = new Set<number>(Object.values(ErrorCode));

/**
 * A Resource whose logic is a call to another node or service (drf_resource's APIResource),
 * with nested_api's recursion guard: every call carries the chain of ApiResources that led to
 * it, and a call that would re-enter a resource already on the chain, or grow the chain past
 * maxDepth, is refused before it is sent.
 */
export abstract class ApiResource<I extends object, O> extends Resource<I, O> {
  protected readonly timeoutMs: number;
  protected readonly maxDepth: number;

  constructor(options: ApiResourceOptions = {}) {
    super();
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxDepth = options.maxDepth ?? 4;
  }

  protected abstract target(input: I, context: CallContext): ApiTarget;

  /**
   * Turns a successful (2xx, not an error envelope) body into the output. The default unwraps
   * our own success envelope `{code: 0, data}` and passes anything else through; set an
   * outputSchema to have the result checked.
   */
  protected decode(_status: number, body: unknown): O {
    if (isEnvelope(body) && body.code === 0 && 'data' in body) return body.data as O;
    return body as O;
  }

  protected async perform(input: I, context: CallContext): Promise<O> {
    const chain = this.nextChain(context);
    const target = this.target(input, context);
    const url = buildUrl(target);
    const label = `${target.method} ${url}`;
    const headers: Record<string, string> = { accept: 'application/json', ...target.headers };
    let body: string | undefined;
    if (target.body !== undefined) {
      body = JSON.stringify(target.body);
      headers['content-type'] = 'application/json';
    }
    // Set last so a target cannot drop or forge the chain.
    headers[CALL_CHAIN_HEADER] = encodeCallChain(chain);
    headers[REQUEST_ID_HEADER] = context.requestId;

    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method: target.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.unreachable(label, error);
    }
    return this.interpret(status, text, label);
  }

  /** The recursion guard: the chain the call would carry, or NestedCallRefused. */
  protected nextChain(context: CallContext): CallChainEntry[] {
    const name = this.name;
    const chain = [...context.chain, { resource: name, node: context.nodeId }];
    if (context.chain.some((entry) => entry.resource === name)) {
      throw new NestedCallRefused(name, chain, 're-entry', this.maxDepth);
    }
    if (chain.length > this.maxDepth) {
      throw new NestedCallRefused(name, chain, 'depth', this.maxDepth);
    }
    return chain;
  }

  private interpret(status: number, text: string, label: string): O {
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (status < 200 || status >= 300) throw this.failedWithoutEnvelope(status, label);
      }
    }
    if (isEnvelope(body) && body.code !== 0) throw this.remoteError(body, status, label);
    if (status < 200 || status >= 300) throw this.failedWithoutEnvelope(status, label);
    return this.decode(status, body);
  }

  private failedWithoutEnvelope(status: number, label: string): AppError {
    return this.foreignFailure(
      status,
      label,
      new ServiceUnavailable(`${this.name}: ${label} answered ${status}`, {
        resource: this.name,
        target: label,
        status,
      }),
    );
  }

  /**
   * A failure that is not one of our envelopes with a known code (a gateway's answer, say),
   * as `failure` (50301); a resource that knows what such an answer means may say more.
   */
  protected foreignFailure(_status: number, _label: string, failure: AppError): AppError {
    return failure;
  }

  private remoteError(envelope: Envelope, status: number, label: string): AppError {
    const message = typeof envelope.message === 'string' ? envelope.message : `${label} failed`;
    const error = isRecord(envelope.error) ? envelope.error : {};
    const { details, ...extra } = error;
    if (!KNOWN_CODES.has(envelope.code)) {
      // A code outside our table cannot keep its meaning here; say where it came from instead.
      return this.foreignFailure(
        status,
        label,
        new RemoteError(
          ErrorCode.UNAVAILABLE,
          `${this.name}: ${label} failed with unknown code ${envelope.code}: ${message}`,
          { resource: this.name, target: label, upstreamCode: envelope.code, details },
          undefined,
          status,
          label,
        ),
      );
    }
    return new RemoteError(
      envelope.code as ErrorCodeValue,
      message,
      details,
      Object.keys(extra).length > 0 ? extra : undefined,
      status,
      label,
    );
  }

  /** No answer came (refused, reset, timed out): 50301 here; a resource may know better. */
  protected unreachable(label: string, error: unknown): AppError {
    // Checked by shape, not instanceof: the DOMException from AbortSignal.timeout may come from
    // another realm (jest's vm context) and fail `instanceof Error`.
    const timedOut = isRecord(error) && error.name === 'TimeoutError';
    const cause = describeCause(error);
    const message = timedOut
      ? `${this.name}: ${label} timed out after ${this.timeoutMs}ms`
      : `${this.name}: ${label} unreachable: ${cause}`;
    return new ServiceUnavailable(message, { resource: this.name, target: label, cause });
  }
}

interface Envelope {
  code: number;
  message?: unknown;
  error?: unknown;
  data?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(value: unknown): value is Envelope {
  return isRecord(value) && typeof value.code === 'number';
}

function describeCause(error: unknown): string {
  if (!isRecord(error) || typeof error.message !== 'string') return String(error);
  // undici reports "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`.
  const cause = error.cause;
  return isRecord(cause) && typeof cause.message === 'string'
    ? `${error.message} (${cause.message})`
    : error.message;
}

function buildUrl(target: ApiTarget): string {
  const base = target.baseUrl.replace(/\/+$/, '');
  const path = target.path.replace(/^\/+/, '');
  const query = target.query ? new URLSearchParams(target.query).toString() : '';
  return query === '' ? `${base}/${path}` : `${base}/${path}?${query}`;
}
