import { isUtf8 } from 'node:buffer';
import { BadParameter, ValidationFailed } from '@cc/common';

/**
 * Deepest nesting of arrays and objects a request body may have, the body's own braces included
 * (`{"value": [1]}` is 2 deep). Everything that walks a value (validation, the diff, the
 * serialisers) then stays far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** Doubles below this lose precision (subnormals): the 15-digit shortcut does not hold there. */
const SMALLEST_NORMAL = 2.2250738585072014e-308;
/** A decimal with at most this many significant digits survives decimal -> double -> decimal. */
const EXACT_DIGITS = 15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * A JSON body parsed so that it reads back exactly as it was written, or refused (40002) saying
 * why: invalid UTF-8, nesting deeper than MAX_JSON_DEPTH, a member name twice in one object, or
 * a number a double cannot hold exactly (see `checkNumber`). `__proto__` is an ordinary member
 * (JSON.parse defines it as an own property; nothing is ever assigned to a prototype).
 * Text that is not JSON at all is 40001, as before.
 *
 * One JSON.parse (native) and one scan of the text for what it cannot tell us; the scan skips
 * string contents with indexOf, so long strings cost next to nothing.
 */
export function parseStrictJson(bytes: Buffer): unknown {
  if (!isUtf8(bytes)) throw refusal('the body is not valid UTF-8');
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadParameter([{ field: '(body)', errors: [reason] }], 'the body is not valid JSON');
  }
  const members = scan(text);
  if (members > 0 && countMembers(value) !== members) {
    const name = findDuplicateName(text);
    throw refusal(`member name ${JSON.stringify(name)} appears twice in one object`);
  }
  return value;
}

function refusal(reason: string): ValidationFailed {
  return new ValidationFailed([{ field: '(body)', errors: [reason] }], reason);
}

/**
 * One pass over valid JSON text: checks depth and numbers, and returns how many object members
 * it holds (one `:` outside strings per member).
 */
function scan(text: string): number {
  const length = text.length;
  let depth = 0;
  let members = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
    } else if (c === COLON) {
      members++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH)
        throw refusal(`the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      i = scanNumber(text, i) - 1;
    }
  }
  return members;
}

/** Index of the quote that closes the string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** Checks the number literal starting at `start`; returns the index just after it. */
function scanNumber(text: string, start: number): number {
  let i = start;
  let digits = 0;
  let plainInteger = true;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) {
      if (c !== 0x2d || i !== start) plainInteger = false;
    } else break;
  }
  // The common cases: a short integer is always exact; so is any literal of at most 15 digits
  // (exponent included) whose double is normal.
  if (digits > EXACT_DIGITS) checkNumber(text.slice(start, i));
  else if (!plainInteger) {
    const literal = text.slice(start, i);
    const magnitude = Math.abs(Number(literal));
    if (!(magnitude >= SMALLEST_NORMAL && magnitude < Infinity)) checkNumber(literal);
  }
  return i;
}

/**
 * The number rule: a literal is accepted iff its exact decimal value equals the exact decimal
 * value of the double it parses to, i.e. of that double's shortest round-trip form (what
 * JSON.stringify writes back). `0.1`, `1.50`, `1e2` and `-0` pass (they read back as `0.1`,
 * `1.5`, `100` and `0`); `1e309` (overflow), `1e-400` (underflow), `9007199254740993` and
 * `0.30000000000000000001` (changed) are refused.
 */
export function checkNumber(literal: string): void {
  const parsed = Number(literal);
  if (!Number.isFinite(parsed))
    throw refusal(`the number ${literal} is too large for a double (overflow)`);
  const written = decimalOf(literal);
  if (written.digits === '') return; // a zero, however written
  if (parsed === 0)
    throw refusal(`the number ${literal} is too small for a double (it would read back as 0)`);
  if (written.digits.length <= EXACT_DIGITS && Math.abs(parsed) >= SMALLEST_NORMAL) return;
  const stored = decimalOf(String(parsed));
  if (stored.digits !== written.digits || stored.exponent !== written.exponent)
    throw refusal(
      `the number ${literal} cannot be held exactly by a double (it would read back as ${String(parsed)})`,
    );
}

/** A decimal as significant digits (no leading or trailing zeros) times 10^exponent; sign ignored: a double keeps it. */
function decimalOf(literal: string): { digits: string; exponent: number } {
  const lower = literal.toLowerCase();
  const e = lower.indexOf('e');
  const mantissa = (e < 0 ? lower : lower.slice(0, e)).replace('-', '');
  let exponent = e < 0 ? 0 : Number(lower.slice(e + 1));
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exponent -= mantissa.length - dot - 1;
  }
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  let end = digits.length;
  while (end > first && digits.charCodeAt(end - 1) === 0x30) end--;
  exponent += digits.length - end;
  return { digits: digits.slice(first, end), exponent };
}

/** Own members of every object in a parsed value (its depth is already bounded). */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item);
    return count;
  }
  for (const key of Object.keys(value)) {
    count += 1 + countMembers((value as Record<string, unknown>)[key]);
  }
  return count;
}

/** The slow path, only for a body known to repeat a name: which one. */
function findDuplicateName(text: string): string {
  const open: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) open.push(new Set());
    else if (c === 0x5b) open.push(null);
    else if (c === 0x7d || c === 0x5d) open.pop();
    else if (c === QUOTE) {
      const close = closingQuote(text, i);
      let next = close + 1;
      while (/\s/.test(text.charAt(next))) next++;
      const names = open[open.length - 1];
      if (text.charCodeAt(next) === COLON && names) {
        const name = JSON.parse(text.slice(i, close + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
      }
      i = close;
    }
  }
  return '';
}
