import { setOwn } from '@cc/common';

/**
 * JSON with object keys sorted at every depth, so two equal inputs give one cache key whatever
 * the order their fields arrived in. Undefined members are skipped, as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'undefined';
}

function normalize(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return normalize(withJson.toJSON());
  if (Array.isArray(value)) return value.map(normalize);
  const source = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    if (source[key] !== undefined) setOwn(sorted, key, normalize(source[key]));
  }
  return sorted;
}
