import { MAX_OPERATOR_LENGTH, operatorOf } from './operator';

/** Node hands header bytes over as latin1 characters. */
const asHeader = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('operatorOf', () => {
  it('keeps printable text as sent, UTF-8 included', () => {
    expect(operatorOf('John Smith')).toBe('John Smith');
    expect(operatorOf(asHeader('Zoë 日本 😀'))).toBe('Zoë 日本 😀');
  });

  it('keeps latin1 text that is not UTF-8 as it arrived', () => {
    expect(operatorOf('caf\u00e9')).toBe('caf\u00e9');
  });

  it('drops control characters and surrounding space; empty is anonymous', () => {
    expect(operatorOf('a\u0001b\u007fc\u0085')).toBe('abc');
    expect(operatorOf('  \t ')).toBe('anonymous');
    expect(operatorOf(undefined)).toBe('anonymous');
  });

  it(`cuts at ${MAX_OPERATOR_LENGTH} characters, never inside a character`, () => {
    expect(operatorOf('y'.repeat(300))).toBe('y'.repeat(MAX_OPERATOR_LENGTH));
    const emoji = operatorOf(asHeader('😀'.repeat(100)));
    expect(Array.from(emoji)).toHaveLength(MAX_OPERATOR_LENGTH);
    expect(emoji).toBe('😀'.repeat(MAX_OPERATOR_LENGTH));
  });
});
