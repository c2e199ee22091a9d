export interface ValueChange {
  /** `host`, `pool.max`, `nodes[2]`; `$` when the whole value changed type or is a scalar. */
  path: string;
  from: unknown;
  to: unknown;
  type: 'added' | 'removed' | 'modified';
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

function childPath(parent: string, key: string): string {
  const segment = SIMPLE_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return segment.startsWith('[') ? `$${segment}` : segment;
  return segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}

/**
 * Path-level differences between two JSON values (spec 3.8.5): objects by key, arrays by
 * position, anything else by value. Keys are visited in sorted order so output is stable.
 */
export function diffValues(from: unknown, to: unknown, path = ''): ValueChange[] {
  if (isObject(from) && isObject(to)) {
    const changes: ValueChange[] = [];
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const key of keys) {
      const inFrom = Object.prototype.hasOwnProperty.call(from, key);
      const inTo = Object.prototype.hasOwnProperty.call(to, key);
      const nested = childPath(path, key);
      if (!inFrom) changes.push({ path: nested, from: null, to: to[key], type: 'added' });
      else if (!inTo) changes.push({ path: nested, from: from[key], to: null, type: 'removed' });
      else changes.push(...diffValues(from[key], to[key], nested));
    }
    return changes;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const changes: ValueChange[] = [];
    const base = path === '' ? '$' : path;
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const nested = `${base}[${i}]`;
      if (i >= from.length) changes.push({ path: nested, from: null, to: to[i], type: 'added' });
      else if (i >= to.length)
        changes.push({ path: nested, from: from[i], to: null, type: 'removed' });
      else changes.push(...diffValues(from[i], to[i], nested));
    }
    return changes;
  }
  if (deepEqual(from, to)) return [];
  return [{ path: path === '' ? '$' : path, from, to, type: 'modified' }];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}
