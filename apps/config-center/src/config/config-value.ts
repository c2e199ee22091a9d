import { ValidationFailed } from '@cc/common';
import { AppConfig } from '../env/app-config';

/**
 * The value a client sent, as the JSON text the log and the database hold. Any JSON value is
 * accepted (object, array, string, number, boolean, null) up to the configured size.
 */
export function encodeValue(value: unknown, limits: AppConfig['limits'], field = 'value'): string {
  if (value === undefined)
    throw new ValidationFailed([{ field, errors: [`${field} is required`] }]);
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxValueBytes) {
    throw new ValidationFailed(
      [
        {
          field,
          errors: [`${field} is ${bytes} bytes of JSON; the limit is ${limits.maxValueBytes}`],
        },
      ],
      `${field} too large`,
    );
  }
  return text;
}

export function checkKeyLength(key: string, limits: AppConfig['limits'], field = 'key'): void {
  if (key.length > limits.maxKeyLength) {
    throw new ValidationFailed([
      { field, errors: [`${field} is longer than ${limits.maxKeyLength} characters`] },
    ]);
  }
}
