import { ValidationFailed } from '@cc/common';
import { AppConfig } from '../env/app-config';
import { SYSTEM_NAMESPACE } from './system-namespace-name';

/**
 * `_system` values are bounded by their schemas, and by at least this many bytes whatever
 * MAX_VALUE_BYTES says: an operator who lowers the limit of service configs can still write the
 * node's own settings (a `cache_routes` table of many nodes and routes).
 */
const SYSTEM_VALUE_MIN_LIMIT_BYTES = 1024 * 1024;

/*
 * The bounds of one config entry, checked by every endpoint that writes entries: config/ (create,
 * update, batch) and namespace/ (import). They live here, not in config/, so that namespace/
 * does not depend on config/ (config/ already depends on namespace/ for its lookup).
 */

/**
 * How deep a value may nest. Below the body's bound (MAX_JSON_DEPTH, 64) by the deepest place a
 * value sits in a request body (`{"configs":[{"value": ...}]}`: 3 levels), so whatever was
 * stored can be written again by any endpoint: an export always re-imports.
 */
export const MAX_VALUE_DEPTH = 60;

/** Levels of arrays and objects in `value`, counted up to `stopAt`. */
function nestingOf(value: unknown, stopAt: number): number {
  if (typeof value !== 'object' || value === null || stopAt === 0) return 0;
  let deepest = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, nestingOf(item, stopAt - 1));
    if (deepest >= stopAt - 1) break;
  }
  return deepest + 1;
}

/**
 * The value a client sent, as the JSON text the log and the database hold. Any JSON value is
 * accepted (object, array, string, number, boolean, null) up to the configured size.
 */
export function encodeValue(
  value: unknown,
  limits: AppConfig['limits'],
  namespace: string,
  field = 'value',
): string {
  if (value === undefined)
    throw new ValidationFailed([{ field, errors: [`${field} is required`] }]);
  if (nestingOf(value, MAX_VALUE_DEPTH + 1) > MAX_VALUE_DEPTH) {
    const reason = `${field} is nested deeper than ${MAX_VALUE_DEPTH} levels`;
    throw new ValidationFailed([{ field, errors: [reason] }], reason);
  }
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  const limit =
    namespace === SYSTEM_NAMESPACE
      ? Math.max(limits.maxValueBytes, SYSTEM_VALUE_MIN_LIMIT_BYTES)
      : limits.maxValueBytes;
  if (bytes > limit) {
    throw new ValidationFailed(
      [
        {
          field,
          errors: [`${field} is ${bytes} bytes of JSON; the limit is ${limit}`],
        },
      ],
      `${field} too large`,
    );
  }
  return text;
}

/** Characters are code points, as `VARCHAR(256)` in utf8mb4 counts them (`𠀀` is one, not two). */
export function checkKeyLength(key: string, limits: AppConfig['limits'], field = 'key'): void {
  if (key.length > limits.maxKeyLength && codePointCount(key) > limits.maxKeyLength) {
    throw new ValidationFailed([
      { field, errors: [`${field} is longer than ${limits.maxKeyLength} characters`] },
    ]);
  }
}

function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
