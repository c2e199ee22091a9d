import {
  commaList,
  isoTime,
  jsonBody,
  nonNegativeInteger,
  positiveInteger,
  RawJson,
} from './arguments';
import { ExitCode } from './cli-errors';

describe('ccctl argument parsing', () => {
  it('splices a JSON value verbatim into the body, so the server judges what was typed', () => {
    const body = jsonBody({
      key: 'k"\u0000raw0\u0000',
      value: RawJson.parse(' {"n": 9007199254740993, "a": 1, "a": 2} ', 'value'),
      description: undefined,
    });
    expect(body).toBe(
      '{"key":"k\\"\\u0000raw0\\u0000","value":{"n": 9007199254740993, "a": 1, "a": 2}}',
    );
  });

  it('refuses a value that is not JSON as a usage error with a hint', () => {
    expect(() => RawJson.parse('hello', 'json-value')).toThrow(
      expect.objectContaining({
        exitCode: ExitCode.USAGE,
        message: expect.stringContaining(`quote a string as '"text"'`),
      }),
    );
  });

  it('reads integers only in canonical decimal form', () => {
    expect(positiveInteger('12', 'n')).toBe(12);
    for (const text of ['0', '-1', '01', '1e2', '0x1', '1.5', '', '99999999999999999'])
      expect(() => positiveInteger(text, 'n')).toThrow('n must be a positive integer');
    expect(nonNegativeInteger('0', 'n')).toBe(0);
  });

  it('normalises ISO times to UTC and refuses other dates', () => {
    expect(isoTime('2026-01-31T12:00:00+02:00', 't')).toBe('2026-01-31T10:00:00.000Z');
    expect(isoTime('2026-01-31', 't')).toBe('2026-01-31T00:00:00.000Z');
    for (const text of ['yesterday', '31/01/2026', '2026-13-01', '1700000000'])
      expect(() => isoTime(text, 't')).toThrow('t must be an ISO 8601 time');
  });

  it('splits comma lists, dropping blanks and duplicates', () => {
    expect(commaList(' a, b,,a ', 'ns')).toEqual(['a', 'b']);
    expect(() => commaList(' , ', 'ns')).toThrow('ns must name at least one item');
  });
});
