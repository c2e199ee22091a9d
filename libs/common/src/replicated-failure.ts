import { ErrorCode, ErrorCodeValue } from './error-codes';
import {
  AppError,
  BadParameter,
  ConfigKeyExists,
  ConfigNotFound,
  Conflict,
  Forbidden,
  IdempotencyKeyReused,
  NamespaceNotFound,
  ValidationFailed,
} from './errors';

/**
 * A refusal as it travels in a replicated command outcome: plain JSON, identical on every node
 * (outcomes are stored for idempotent repeats and answered to forwarded proposals).
 */
export interface ReplicatedFailure {
  code: number;
  message: string;
  details?: unknown;
}

type ErrorClass = abstract new (...args: never[]) => AppError;

/** The typed error each code a refusal may carry comes back as (subclasses share their code's). */
const CLASS_OF_CODE: Partial<Record<number, ErrorClass>> = {
  [ErrorCode.BAD_PARAMETER]: BadParameter,
  [ErrorCode.VALIDATION_FAILED]: ValidationFailed,
  [ErrorCode.FORBIDDEN]: Forbidden,
  [ErrorCode.NAMESPACE_NOT_FOUND]: NamespaceNotFound,
  [ErrorCode.CONFIG_NOT_FOUND]: ConfigNotFound,
  [ErrorCode.CONFLICT]: Conflict,
  [ErrorCode.CONFIG_KEY_EXISTS]: ConfigKeyExists,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: IdempotencyKeyReused,
};

/**
 * A refusal decided by the state machine: a client error (4xx) thrown on purpose. Anything else
 * thrown inside apply (a database failure, a bug) is this node's trouble, never a replicated
 * outcome.
 */
export function isRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.httpStatus < 500;
}

export function toReplicatedFailure(error: AppError): ReplicatedFailure {
  const failure: ReplicatedFailure = { code: error.code, message: error.message };
  if (error.details !== undefined) failure.details = error.details;
  return failure;
}

/**
 * The one way back from a replicated failure to a typed error: the class its code stands for,
 * with the failure's own message and details (they were decided by apply, perhaps on another
 * node, and are answered as they are).
 */
export function fromReplicatedFailure(failure: ReplicatedFailure): AppError {
  const error = new AppError(failure.code as ErrorCodeValue, failure.message, failure.details);
  const type = CLASS_OF_CODE[failure.code];
  if (type) {
    // The constructors of the typed errors compose their messages; this one is already decided.
    Object.setPrototypeOf(error, type.prototype);
    error.name = type.name;
  }
  return error;
}
