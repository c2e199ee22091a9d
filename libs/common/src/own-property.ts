/**
 * `target[key] = value` as JSON.parse does it: always an own property. A plain assignment of
 * `__proto__` (a valid JSON member name and config key) would call the prototype setter instead.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[key] = value;
}
