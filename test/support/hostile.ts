import fc from 'fast-check';
import { ErrorCode } from '../../libs/common/src/error-codes';

/** Every code an answer may carry: the spec's table and ours. */
export const KNOWN_CODES = new Set<number>(Object.values(ErrorCode));

/** Characters Node lets a client put in a header value (no CR, LF, NUL or DEL). */
const headerChar = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c !== 0x7f)
  .map((c) => String.fromCharCode(c));
export const headerValue = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 40 }),
  fc.string({ unit: headerChar, minLength: 120, maxLength: 300 }),
  fc.constantFrom('', ' ', 'abc/def+ghi==', 'x'.repeat(129), 'John Smith', 'Bearer', 'Bearer  x'),
);

/** Header names a hostile client plays with (transfer-encoding and friends would break framing). */
export const hostileHeaders = fc.dictionary(
  fc.constantFrom(
    'x-request-id',
    'x-operator',
    'idempotency-key',
    'authorization',
    'accept',
    'accept-encoding',
    'x-forwarded-for',
    'x-cluster-secret',
    'x-raft-from',
    'if-none-match',
    'origin',
  ),
  headerValue,
  { maxKeys: 4 },
);

// --- JSON text with hostile corners ------------------------------------------------------------

const numberLiteral = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.stringMatching(/^(0|[1-9][0-9]{0,24})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
      fc.option(
        fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), fc.integer({ max: 420, min: 0 })),
        {
          nil: undefined,
        },
      ),
    )
    .map(
      ([sign, int, frac, exp]) =>
        `${sign}${int}${frac ? `.${frac}` : ''}${exp ? `${exp[0]}${exp[1]}` : ''}`,
    ),
  fc.constantFrom(
    '1e309',
    '-1e309',
    '1e-400',
    '9007199254740993',
    '12345678901234567890123',
    '0.1',
    '1.50',
    '1e2',
    '-0',
    '5e-324',
    '2.2250738585072014e-308',
    '1.7976931348623157e308',
    '0.30000000000000004',
    '0.30000000000000000001',
  ),
);

const stringValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', '\u0000', '\u2028', '😀', 'é', '\ud800'),
);
const memberName = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'a', 'b', ''),
  },
  { weight: 1, arbitrary: stringValue },
);

/** JSON text (always well formed) whose value may break the exact-read-back rule. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberLiteral,
    stringValue.map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(memberName, tie('value')), { maxLength: 4 })
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    fc.integer({ min: 1, max: 80 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  ),
})).value;

// --- the oracle: written independently of the parser under test ---------------------------------

export type Verdict = { accepted: true } | { accepted: false; why: string };

/** `m * 10^e` with a BigInt mantissa: two literals are the same decimal iff these agree. */
function decimal(literal: string): { m: bigint; e: number } {
  const [mantissa, exponent = '0'] = literal.replace(/^-/, '').toLowerCase().split('e');
  const [int, frac = ''] = mantissa.split('.');
  return { m: BigInt(int + frac), e: Number(exponent) - frac.length };
}

function sameDecimal(a: string, b: string): boolean {
  const x = decimal(a);
  const y = decimal(b);
  if (x.m === 0n || y.m === 0n) return x.m === y.m;
  const e = Math.min(x.e, y.e);
  return x.m * 10n ** BigInt(x.e - e) === y.m * 10n ** BigInt(y.e - e);
}

/**
 * What the node must do with `text` placed `depthAbove` levels deep in a body: accept it iff
 * it nests at most 64 levels with the body and 60 on its own, names no member twice in one object, holds only
 * numbers that read back as the same decimal, and fits `maxValueBytes` once written.
 */
export function verdictOf(text: string, depthAbove: number, maxValueBytes: number): Verdict {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const value = (depth: number): void => {
    space();
    const c = text[at];
    if (c === '{' || c === '[') {
      if (depth + 1 > 64) fail('depth');
      const close = c === '{' ? '}' : ']';
      const names = new Set<string>();
      at++;
      space();
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          const start = at;
          skipString();
          const name = JSON.parse(text.slice(start, at)) as string;
          if (names.has(name)) fail(`duplicate ${name}`);
          names.add(name);
          space();
          at++; // ':'
        }
        value(depth + 1);
        space();
        if (text[at++] === close) return;
      }
    } else if (c === '"') skipString();
    else if (c === 't' || c === 'n') at += 4;
    else if (c === 'f') at += 5;
    else {
      const start = at;
      while (/[-+.eE0-9]/.test(text[at] ?? '')) at++;
      const literal = text.slice(start, at);
      const parsed = Number(literal);
      if (!Number.isFinite(parsed) || !sameDecimal(literal, String(parsed)))
        fail(`number ${literal}`);
    }
  };
  const skipString = () => {
    at++;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
  };
  const ownDepth = (v: unknown): number =>
    typeof v === 'object' && v !== null
      ? 1 + Math.max(0, ...Object.values(v as object).map(ownDepth))
      : 0;
  try {
    value(depthAbove);
    if (ownDepth(JSON.parse(text)) > 60) fail('value depth');
  } catch (error) {
    return { accepted: false, why: (error as Error).message };
  }
  const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(text)), 'utf8');
  return bytes > maxValueBytes ? { accepted: false, why: 'size' } : { accepted: true };
}
