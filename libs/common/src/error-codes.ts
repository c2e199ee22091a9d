/** The error-code table of spec 3.8.8, with the HTTP status each code travels with. */
export const ErrorCode = {
  OK: 0,
  BAD_PARAMETER: 40001,
  VALIDATION_FAILED: 40002,
  UNAUTHORIZED: 40101,
  FORBIDDEN: 40301,
  NOT_FOUND: 40401,
  NAMESPACE_NOT_FOUND: 40402,
  CONFIG_NOT_FOUND: 40403,
  CONFLICT: 40901,
  CONFIG_KEY_EXISTS: 40902,
  /** Ours, beside the spec's table: an Idempotency-Key reused for a different request (DESIGN 12). */
  IDEMPOTENCY_KEY_REUSED: 42201,
  /** Ours, not the spec's: the request was not complete in time (Node's request timeout). */
  REQUEST_TIMEOUT: 40801,
  /** Ours, not the spec's: a request body in another media type than application/json. */
  UNSUPPORTED_MEDIA_TYPE: 41501,
  /** Ours, not the spec's: the request's headers passed Node's size limit. */
  HEADERS_TOO_LARGE: 43101,
  RATE_LIMITED: 42901,
  CLIENT_QUOTA_EXCEEDED: 42902,
  INTERNAL: 50001,
  DATABASE_ERROR: 50002,
  RAFT_FAILED: 50003,
  CACHE_ERROR: 50004,
  UNAVAILABLE: 50301,
  NOT_LEADER: 50302,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export function httpStatusOf(code: number): number {
  if (code === 0) return 200;
  const status = Math.floor(code / 100);
  return status >= 400 && status < 600 ? status : 500;
}

export const defaultMessages: Record<ErrorCodeValue, string> = {
  0: 'success',
  40001: 'bad parameter',
  40002: 'validation failed',
  40101: 'unauthorized',
  40301: 'forbidden',
  40401: 'resource not found',
  40402: 'namespace not found',
  40403: 'config not found',
  40901: 'conflict',
  40902: 'config key already exists',
  42201: 'idempotency key already used for a different request',
  40801: 'request timeout',
  41501: 'unsupported media type',
  43101: 'request header fields too large',
  42901: 'too many requests, retry later',
  42902: 'client quota exceeded',
  50001: 'internal error',
  50002: 'database error',
  50003: 'raft consensus failed',
  50004: 'cache service error',
  50301: 'service unavailable',
  50302: 'this node is not the leader',
};
