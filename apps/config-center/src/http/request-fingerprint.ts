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

/**
 * JSON whose object members come in one fixed order whatever order they were sent in (sorted by
 * name; JavaScript puts integer-like names first, ascending). Undefined members are left out,
 * as JSON.stringify does. A body nested too deep for JSON.stringify's recursion is printed by
 * an iterative walk that gives the same text, so the fingerprint never depends on the stack.
 */
export function canonicalJson(root: unknown): string {
  try {
    return JSON.stringify(root ?? null, (_name, value: unknown) => ordered(value)) ?? 'null';
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return canonicalJsonIterative(root);
  }
}

/** An object with its members in canonical order: itself when already in order (the usual case). */
function ordered(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  let inOrder = true;
  for (let i = 1; i < names.length && inOrder; i++) inOrder = names[i - 1] < names[i];
  if (inOrder) return value;
  names.sort();
  // No prototype: a member named "__proto__" stays a member.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const name of names) copy[name] = record[name];
  return copy;
}

type Frame = { text: string } | { value: unknown };

/** canonicalJson without recursion: the same text, for bodies nested thousands deep. */
export function canonicalJsonIterative(root: unknown): string {
  let out = '';
  const stack: Frame[] = [{ value: root }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('text' in frame) {
      out += frame.text;
      continue;
    }
    const value = ordered(frame.value);
    if (value === null || typeof value !== 'object') {
      out += JSON.stringify(value) ?? 'null';
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
      const names = Object.keys(record).filter((name) => record[name] !== undefined);
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
