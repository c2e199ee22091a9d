/** The response envelope of spec 3.8.2. `timestamp` is in seconds, as in the spec's examples. */
export interface SuccessEnvelope<T> {
  code: 0;
  message: string;
  data: T;
  request_id: string;
  timestamp: number;
}

export interface ErrorEnvelope {
  code: number;
  message: string;
  error: { details?: unknown; [extra: string]: unknown };
  request_id: string;
  timestamp: number;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function successEnvelope<T>(
  data: T,
  requestId: string,
  message = 'success',
): SuccessEnvelope<T> {
  return { code: 0, message, data, request_id: requestId, timestamp: nowSeconds() };
}

export function errorEnvelope(
  code: number,
  message: string,
  requestId: string,
  details?: unknown,
  extra?: Record<string, unknown>,
): ErrorEnvelope {
  const error: ErrorEnvelope['error'] = { ...(extra ?? {}) };
  if (details !== undefined) error.details = details;
  return { code, message, error, request_id: requestId, timestamp: nowSeconds() };
}
