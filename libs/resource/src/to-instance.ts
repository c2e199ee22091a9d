import 'reflect-metadata';
import { setOwn } from '@cc/common';
import { TransformationType, plainToInstance } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';

type Schema = new () => object;

/** What a declared property's plain value becomes on the instance. */
type Conversion =
  | { kind: 'json' }
  | { kind: 'number' | 'string' | 'boolean' }
  | { kind: 'schema'; schema: Schema }
  | { kind: 'unsupported' };

const JSON_COPY: Conversion = { kind: 'json' };
const UNSUPPORTED: Conversion = { kind: 'unsupported' };
const TRANSFORM_OPTIONS = Object.freeze({ exposeDefaultValues: true });

/** Per schema class: the conversion of each property seen so far, or null when only class-transformer will do. */
const plans = new WeakMap<Schema, Map<string, Conversion> | null>();

/**
 * plainToInstance for input and output schemas, with two differences that matter here:
 *
 * - Values without a `@Type` (a config value is any JSON) are copied as JSON, every key kept.
 *   class-transformer drops nested keys that shadow Object.prototype (`{"toString": 1}` became
 *   `{}`: silent data loss) and throws on a nested `"constructor"` key.
 * - It costs a fraction: class-transformer looked up five kinds of metadata per key per request.
 *
 * Supported decorators: `@Type(() => Number | String | Boolean | SomeSchema)`, on a value or an
 * array. A schema with anything else (`@Expose`, `@Exclude`, `@Transform`, discriminators,
 * accessors or methods) is handed to class-transformer whole.
 */
export function toInstance<T extends object>(schema: new () => T, plain: object): T {
  if (plain instanceof schema) return plain;
  const source: Source = queryStrings.has(plain) ? 'query' : 'json';
  return (
    (copyInto(schema, plain, source) as T | undefined) ??
    plainToInstance(schema, plain, TRANSFORM_OPTIONS)
  );
}

/**
 * Where an input came from decides how `@Type(() => Number | Boolean)` reads it. JSON already
 * has numbers and booleans: nothing is converted (`true` is no version, `"1"` no integer). A
 * query string (or a path) has only text: a canonical decimal integer (`0`, `42`, `-7`; no sign
 * `+`, no leading zeros, no `1e0`, `0x1` or spaces) becomes a number, `true` / `false` a
 * boolean, and anything else stays text for the validator to refuse.
 */
type Source = 'json' | 'query';

const queryStrings = new WeakSet<object>();
const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** A path parameter read as a query string's integer is: a number, or the text as it came. */
export function queryInteger(text: string): number | string {
  return CANONICAL_INTEGER.test(text) ? Number(text) : text;
}

/** Marks an input built from a query string or path parameters (see `Source`). */
export function fromQueryString<T extends object>(input: T): T {
  queryStrings.add(input);
  return input;
}

function copyInto(schema: Schema, plain: object, origin: Source): object | undefined {
  const plan = planOf(schema);
  if (plan === null) return undefined;
  const instance = new schema() as Record<string, unknown>;
  const source = plain as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    // As class-transformer: never these keys, never over a method the instance has.
    if (key === '__proto__' || key === 'constructor' || typeof instance[key] === 'function')
      continue;
    const value = source[key];
    if (value === undefined) {
      // exposeDefaultValues: an absent value keeps the class's default (as an own property).
      const fallback = instance[key];
      instance[key] = fallback;
      continue;
    }
    const conversion = conversionOf(schema, plan, key);
    if (conversion.kind === 'unsupported') return undefined;
    const converted = convert(value, conversion, origin);
    if (converted === UNCONVERTIBLE) return undefined;
    instance[key] = converted;
  }
  return instance;
}

const UNCONVERTIBLE = Symbol('unconvertible');

function convert(value: unknown, conversion: Conversion, source: Source): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = convert(value[i], conversion, source);
      if (item === UNCONVERTIBLE) return UNCONVERTIBLE;
      items[i] = item;
    }
    return items;
  }
  if (value === null || value === undefined) return value;
  switch (conversion.kind) {
    case 'number':
      return source === 'query' && typeof value === 'string' && CANONICAL_INTEGER.test(value)
        ? Number(value)
        : value;
    case 'string':
      return value;
    case 'boolean':
      if (source === 'query' && (value === 'true' || value === 'false')) return value === 'true';
      return value;
    case 'schema':
      if (typeof value !== 'object') return value;
      return copyInto(conversion.schema, value, source) ?? UNCONVERTIBLE;
    case 'json':
    case 'unsupported':
      return copyJson(value);
  }
}

/** A deep copy of JSON data; anything else (a Date, a Buffer, a class instance) is kept as is. */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    setOwn(copy, key, copyJson(item));
  }
  return copy;
}

function planOf(schema: Schema): Map<string, Conversion> | null {
  let plan = plans.get(schema);
  if (plan === undefined) {
    plan = supportsPlainCopy(schema) ? new Map() : null;
    plans.set(schema, plan);
  }
  return plan;
}

function supportsPlainCopy(schema: Schema): boolean {
  const storage = defaultMetadataStorage;
  if (storage.getStrategy(schema) !== 'none') return false;
  if (storage.getExposedMetadatas(schema).length > 0) return false;
  if (storage.getExcludedMetadatas(schema).length > 0) return false;
  for (
    let prototype: object | null = schema.prototype as object;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    if (Object.getOwnPropertyNames(prototype).some((name) => name !== 'constructor')) return false;
  }
  return true;
}

/** Remembered for the keys a schema declares; a key a client made up is looked up each time. */
function conversionOf(schema: Schema, plan: Map<string, Conversion>, key: string): Conversion {
  const known = plan.get(key);
  if (known) return known;
  const conversion = lookUpConversion(schema, key);
  if (conversion !== JSON_COPY || Reflect.hasMetadata('design:type', schema.prototype, key))
    plan.set(key, conversion);
  return conversion;
}

function lookUpConversion(schema: Schema, key: string): Conversion {
  const storage = defaultMetadataStorage;
  if (storage.findTransformMetadatas(schema, key, TransformationType.PLAIN_TO_CLASS).length > 0)
    return UNSUPPORTED;
  const metadata = storage.findTypeMetadata(schema, key);
  if (!metadata) return JSON_COPY;
  if (metadata.options?.discriminator) return UNSUPPORTED;
  const target: unknown = metadata.typeFunction
    ? metadata.typeFunction({ newObject: {}, object: {}, property: key })
    : metadata.reflectedType;
  if (target === Number) return { kind: 'number' };
  if (target === String) return { kind: 'string' };
  if (target === Boolean) return { kind: 'boolean' };
  if (typeof target === 'function' && target !== Object && target !== Array && target !== Date)
    return { kind: 'schema', schema: target as Schema };
  return UNSUPPORTED;
}
