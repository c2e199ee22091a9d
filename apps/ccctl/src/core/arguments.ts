import { UsageFailure } from './cli-errors';

/**
 * An option value commander refuses as a usage error: it prints
 * `error: option '--x <n>' argument 'v' is invalid. <message>` and the run exits 2. Commander
 * recognises the error by this code (nest-commander bundles its own copy of commander, so its
 * InvalidArgumentError class is not the one `import 'commander'` would give).
 */
export class InvalidOptionValue extends Error {
  readonly code = 'commander.invalidArgument';
}

const CANONICAL_INTEGER = /^(0|[1-9][0-9]*)$/;

/** A positive integer written canonically (the server reads query integers the same way). */
export function positiveInteger(text: string, what: string): number {
  const value = Number(text);
  if (!CANONICAL_INTEGER.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new UsageFailure(`${what} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Like positiveInteger, zero allowed. */
export function nonNegativeInteger(text: string, what: string): number {
  const value = Number(text);
  if (!CANONICAL_INTEGER.test(text) || !Number.isSafeInteger(value))
    throw new UsageFailure(`${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return value;
}

/** An ISO 8601 time, normalised to UTC (`2026-01-31T00:00:00.000Z`). */
export function isoTime(text: string, what: string): string {
  const shaped = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text);
  const time = Date.parse(text);
  if (!shaped || Number.isNaN(time))
    throw new UsageFailure(`${what} must be an ISO 8601 time (2026-01-31T12:00:00Z), got ${text}`);
  return new Date(time).toISOString();
}

/** `a,b` -> ['a', 'b'] (blanks dropped, order kept, duplicates removed). */
export function commaList(text: string, what: string): string[] {
  const items = [...new Set(text.split(',').map((item) => item.trim()))].filter(Boolean);
  if (items.length === 0) throw new UsageFailure(`${what} must name at least one item`);
  return items;
}

/**
 * A JSON text given on the command line, kept verbatim: the server, not JSON.parse, decides
 * about numbers a double cannot hold and duplicate members, so the CLI sends what was typed.
 */
export class RawJson {
  constructor(readonly text: string) {}

  static parse(text: string, what: string): RawJson {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new UsageFailure(
        `${what} is not JSON (${(error as Error).message}); quote a string as '"text"'`,
      );
    }
    return new RawJson(text.trim());
  }
}

/**
 * JSON.stringify, with each RawJson written as its own text. Objects and arrays are walked here
 * (no placeholder strings, which a user's text could imitate); members that are undefined are
 * left out, as JSON.stringify does.
 */
export function jsonBody(body: unknown): string {
  return writeJson(body) ?? 'null';
}

function writeJson(value: unknown): string | undefined {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => writeJson(item) ?? 'null').join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).flatMap(([name, member]) => {
      const text = writeJson(member);
      return text === undefined ? [] : [`${JSON.stringify(name)}:${text}`];
    });
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Wraps a positional-argument parser for use as an option parser (commander's usage error). */
export function optionParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidOptionValue((error as Error).message);
    }
  };
}

/**
 * One of a fixed set. (nest-commander's `choices` is lost: it installs the option's own parser
 * after commander's choice check, replacing it.)
 */
export function oneOf<T extends string>(allowed: readonly T[], what: string) {
  return optionParser((text: string): T => {
    if (!(allowed as readonly string[]).includes(text))
      throw new UsageFailure(`${what} must be one of ${allowed.join(', ')}`);
    return text as T;
  });
}
