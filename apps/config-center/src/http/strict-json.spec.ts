import { AppError } from '@cc/common';
import { MAX_JSON_DEPTH, parseStrictJson } from './strict-json';

function parse(text: string | Buffer): unknown {
  return parseStrictJson(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
}

function refusalOf(text: string | Buffer): { code: number; message: string } {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`accepted ${String(text)}`);
}

describe('parseStrictJson', () => {
  it('parses ordinary JSON as JSON.parse does', () => {
    const text = '{"a":[1,2.5,-3e2,true,null,"x\\"y"],"b":{"c":"é😀"},"d":-0.0}';
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('keeps __proto__ as an own member and touches no prototype', () => {
    const value = parse('{"__proto__":{"polluted":1},"a":{"__proto__":[1]}}') as object;
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":1},"a":{"__proto__":[1]}}');
  });

  it('refuses invalid UTF-8 with 40002', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(refusalOf(bytes)).toEqual({ code: 40002, message: expect.stringMatching(/UTF-8/) });
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with 40002`, () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parse(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(refusalOf(nest(MAX_JSON_DEPTH + 1)).code).toBe(40002);
    expect(refusalOf(nest(10_000)).message).toMatch(/deeper than 64/);
    // Brackets inside strings are text, not nesting.
    expect(() => parse(JSON.stringify({ a: '['.repeat(1000) }))).not.toThrow();
  });

  it('refuses a member name twice in one object, naming it', () => {
    expect(refusalOf('{"a":1,"a":2}')).toEqual({
      code: 40002,
      message: expect.stringContaining('"a"'),
    });
    expect(refusalOf('{"x":{"k":1, "\\u006b" :2}}').message).toContain('"k"');
    expect(refusalOf('{"a":{"b":{"c":1}},"a":0}').code).toBe(40002);
    expect(() => parse('[{"a":1},{"a":2}]')).not.toThrow();
    expect(() => parse('{"a":{"a":1}}')).not.toThrow();
  });

  it.each([
    '1e309',
    '-1e309',
    '12345678901234567890123',
    '9007199254740993',
    '1e-400',
    '0.30000000000000000001',
    '5e-324000',
  ])('refuses %s: a double cannot hold it exactly', (n) => {
    expect(refusalOf(`{"v":${n}}`)).toEqual({ code: 40002, message: expect.stringContaining(n) });
  });

  it.each([
    '0',
    '-0',
    '0.1',
    '1.50',
    '1e2',
    '-0.0e5',
    '9007199254740992',
    '123456789012345',
    '1.7976931348623157e308',
    '5e-324',
    '2.5E-3',
    '0.30000000000000004',
    '1e21',
    '100000000000000000000000',
  ])('accepts %s: it reads back as the same decimal value', (n) => {
    expect(parse(`[${n}]`)).toEqual([Number(n)]);
  });

  it('answers text that is not JSON with 40001', () => {
    expect(refusalOf('{"a":').code).toBe(40001);
    expect(refusalOf('').code).toBe(40001);
  });
});
