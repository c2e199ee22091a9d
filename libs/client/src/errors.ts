/**
 * Typed errors. Every error the client throws or reports is a ConfigCenterError carrying a
 * code from the server's table (spec 3.8.8): the envelope's code when a server answered, else
 * one the client chose (50301 when no server could be reached, 40801 on a timeout).
 */
export const ClientErrorCode = {
  BAD_PARAMETER: 40001,
  UNAUTHORIZED: 40101,
  FORBIDDEN: 40301,
  NAMESPACE_NOT_FOUND: 40402,
  CONFIG_NOT_FOUND: 40403,
  REQUEST_TIMEOUT: 40801,
  RATE_LIMITED: 42901,
  INTERNAL: 50001,
  UNAVAILABLE: 50301,
} as const;

export class ConfigCenterError extends Error {
  constructor(
    /** The envelope's code (e.g. 40403), or the client's own (50301, 40801). */
    readonly code: number,
    message: string,
    /** HTTP status of the answer; 0 when no server answered. */
    readonly status: number = 0,
    /** The server's request_id, when it answered. */
    readonly requestId?: string,
    /** The server address the error came from, when one did. */
    readonly server?: string,
  ) {
    super(message);
    this.name = 'ConfigCenterError';
  }
}

/** No server answered in time (every address refused, failed with 5xx or timed out). */
export class ServersUnavailableError extends ConfigCenterError {
  constructor(
    message: string,
    /** What each address did, in the order tried. */
    readonly attempts: readonly string[],
  ) {
    super(ClientErrorCode.UNAVAILABLE, message);
    this.name = 'ServersUnavailableError';
  }
}

export class RequestTimeoutError extends ConfigCenterError {
  constructor(server: string, timeoutMs: number) {
    super(
      ClientErrorCode.REQUEST_TIMEOUT,
      `no answer within ${timeoutMs} ms`,
      0,
      undefined,
      server,
    );
    this.name = 'RequestTimeoutError';
  }
}

/** The client (or the watcher) was closed while the call was running. */
export class ClientClosedError extends ConfigCenterError {
  constructor() {
    super(ClientErrorCode.UNAVAILABLE, 'the client is closed');
    this.name = 'ClientClosedError';
  }
}

/**
 * Whether another server (or the same one later) may answer: no answer, a timeout, a 5xx, or
 * 429 (a node's rate limit or quota). Other 4xx are the caller's and are thrown as they are.
 */
export function isRetriableOnAnotherServer(error: unknown): boolean {
  if (error instanceof ClientClosedError) return false;
  if (!(error instanceof ConfigCenterError)) return true;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}
