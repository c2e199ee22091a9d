import { ErrorCode, ErrorCodeValue, defaultMessages, httpStatusOf } from './error-codes';

/**
 * A failure the API reports with one of the spec's codes. Everything thrown on purpose is an
 * AppError; anything else reaching the exception filter is a bug and becomes 50001.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message?: string,
    readonly details?: unknown,
    /** Extra fields placed beside `details` in the envelope's `error` object. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message ?? defaultMessages[code]);
    this.name = new.target.name;
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }
}

export class BadParameter extends AppError {
  constructor(details: unknown, message = 'bad parameter') {
    super(ErrorCode.BAD_PARAMETER, message, details);
  }
}

export class ValidationFailed extends AppError {
  constructor(details: unknown, message = 'validation failed') {
    super(ErrorCode.VALIDATION_FAILED, message, details);
  }
}

/** Ours (415 / 41501): a request body in another media type than application/json. */
export class UnsupportedMediaType extends AppError {
  constructor(contentType: string | undefined) {
    super(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `request bodies must be application/json (UTF-8); got ${contentType ?? 'no content type'}`,
      { content_type: contentType ?? null },
    );
  }
}

export class Unauthorized extends AppError {
  constructor(details?: unknown, message?: string) {
    super(ErrorCode.UNAUTHORIZED, message, details);
  }
}

export class Forbidden extends AppError {
  constructor(details?: unknown, message?: string) {
    super(ErrorCode.FORBIDDEN, message, details);
  }
}

export class RouteNotFound extends AppError {
  constructor(method: string, url: string) {
    super(ErrorCode.NOT_FOUND, `no route ${method} ${url}`);
  }
}

export class TokenNotFound extends AppError {
  constructor(id: number) {
    super(ErrorCode.NOT_FOUND, `token ${id} not found`, { id });
  }
}

export class NamespaceNotFound extends AppError {
  constructor(namespace: string | number, details?: unknown) {
    super(ErrorCode.NAMESPACE_NOT_FOUND, `namespace ${namespace} not found`, details);
  }
}

export class NamespaceDisabled extends Forbidden {
  constructor(namespace: string, status = 0) {
    super({ namespace, status }, `namespace ${namespace} is disabled`);
  }
}

export class ConfigNotFound extends AppError {
  constructor(namespace: string, key: string, version?: number) {
    super(
      ErrorCode.CONFIG_NOT_FOUND,
      version === undefined
        ? `config ${namespace}/${key} not found`
        : `config ${namespace}/${key} has no version ${version}`,
    );
  }
}

export class Conflict extends AppError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.CONFLICT, message, details);
  }
}

export class NamespaceExists extends Conflict {
  constructor(namespace: string) {
    super(`namespace ${namespace} already exists`, { namespace });
  }
}

/** A namespace is deleted only once it holds no live config. */
export class NamespaceNotEmpty extends Conflict {
  constructor(namespace: string, configs: number) {
    super(`namespace ${namespace} still holds ${configs} config(s); delete them first`, {
      namespace,
      configs,
    });
  }
}

/** Optimistic concurrency: the caller's `expected_version` is not the config's version. */
export class VersionConflict extends Conflict {
  constructor(namespace: string, key: string, actual: number, expected: number) {
    super(`config ${namespace}/${key} is at version ${actual}, expected ${expected}`, {
      expected_version: expected,
      actual_version: actual,
    });
  }
}

export class ConfigKeyExists extends AppError {
  constructor(namespace: string, key: string) {
    super(ErrorCode.CONFIG_KEY_EXISTS, `config ${namespace}/${key} already exists`);
  }
}

/**
 * One operation of an all-or-nothing batch was refused: the batch fails with that operation's
 * code, and says which operation it was.
 */
export class BatchOperationFailed extends AppError {
  constructor(position: number, operation: string, cause: AppError) {
    super(cause.code, `operation ${position} (${operation}): ${cause.message}`, {
      index: position,
      cause: cause.details ?? null,
    });
  }
}

/**
 * DESIGN 12: an Idempotency-Key is bound to the first request that used it (same caller and
 * endpoint); a different request under it is refused, never silently answered with the first.
 */
export class IdempotencyKeyReused extends AppError {
  constructor(key: string) {
    super(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      `Idempotency-Key ${key} was already used for a different request to this endpoint; use a new key`,
      { idempotency_key: key },
    );
  }
}

export class DatabaseError extends AppError {
  constructor(message = 'database error') {
    super(ErrorCode.DATABASE_ERROR, message);
  }
}

/** DESIGN decision 12: a proposal that timed out may still commit; say so. */
export class OutcomeUnknown extends AppError {
  constructor(
    message = 'the write was proposed but not confirmed in time; it may still be applied',
  ) {
    super(ErrorCode.RAFT_FAILED, message, { outcome: 'unknown' });
  }
}

export class NotLeader extends AppError {
  constructor(leader: { id?: string; address?: string } | undefined) {
    super(ErrorCode.NOT_LEADER, undefined, undefined, { leader: leader ?? null });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message = 'service unavailable', details?: unknown) {
    super(ErrorCode.UNAVAILABLE, message, details);
  }
}

/**
 * 50301 for a node at its bound of concurrent expensive work; answered with a `Retry-After`
 * header (42901 is for rate limits, which count a caller's requests, not the node's load).
 */
export class ServerBusy extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many expensive requests in progress on this node; retry later',
    details?: unknown,
  ) {
    super(ErrorCode.UNAVAILABLE, message, details, { retry_after_seconds: retryAfterSeconds });
  }
}
