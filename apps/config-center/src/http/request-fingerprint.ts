import { createHash } from 'node:crypto';

/** What identifies a write request, whatever the order of its JSON members or query string. */
export interface FingerprintedRequest {
  method: string;
  /** The matched route template (`/api/v1/admin/namespace/:id`), never the raw URL. */
  route: string;
  params: unknown;
  query: unknown;
  body: unknown;
}

/**
 * SHA-256 (hex) of the request's canonical form: a retry of the same request, sent with its
 * members in another order, has the same fingerprint; any other value has another one.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const hash = createHash('sha256');
  hash.update(
    canonicalJson([
      request.method.toUpperCase(),
      request.route,
      request.params ?? null,
      request.query ?? null,
      request.body ?? null,
    ]),
  );
  return hash.digest('hex');
}

type Frame = { text: string } | { value: unknown };

/**
 * JSON with object members sorted by name (RFC 8785's ordering idea; numbers as JavaScript
 * prints them). Iterative, not recursive: a body nested thousands deep must not overflow the
 * stack here. `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(root: unknown): string {
  let out = '';
  const stack: Frame[] = [{ value: root }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('text' in frame) {
      out += frame.text;
      continue;
    }
    const value = frame.value;
    if (value === null || typeof value !== 'object') {
      out += scalarJson(value);
      continue;
    }
    const pending: Frame[] = [];
    if (Array.isArray(value)) {
      pending.push({ text: '[' });
      value.forEach((item: unknown, position) => {
        if (position > 0) pending.push({ text: ',' });
        pending.push({ value: item === undefined ? null : item });
      });
      pending.push({ text: ']' });
    } else {
      const record = value as Record<string, unknown>;
      const names = Object.keys(record)
        .filter((name) => record[name] !== undefined)
        .sort();
      pending.push({ text: '{' });
      names.forEach((name, position) => {
        pending.push({ text: `${position > 0 ? ',' : ''}${JSON.stringify(name)}:` });
        pending.push({ value: record[name] });
      });
      pending.push({ text: '}' });
    }
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]);
  }
  return out;
}

function scalarJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  // JSON.stringify of a scalar: strings quoted, non-finite numbers null; others (functions) null.
  return JSON.stringify(value) ?? 'null';
}
