import { BadParameter, ErrorCode } from '@cc/common';
import {
  CALL_CHAIN_HEADER,
  MAX_DECODED_CHAIN,
  callContextFrom,
  decodeCallChain,
  encodeCallChain,
} from '../src';

describe('call chain header', () => {
  it('round-trips a chain, escaping separators and non-ASCII names', () => {
    const chain = [
      { resource: 'GetConfig', node: 'node-1' },
      { resource: 'weird,name@x', node: '节点-2' },
    ];
    const encoded = encodeCallChain(chain);
    expect(encoded).toMatch(/^[\x21-\x7e]+$/);
    expect(encoded.startsWith('GetConfig@node-1,')).toBe(true);
    expect(decodeCallChain(encoded)).toEqual(chain);
  });

  it('reads an absent or empty header as an empty chain', () => {
    expect(decodeCallChain(undefined)).toEqual([]);
    expect(decodeCallChain('')).toEqual([]);
    expect(decodeCallChain('  ')).toEqual([]);
    expect(encodeCallChain([])).toBe('');
  });

  it('joins repeated headers in order', () => {
    expect(decodeCallChain(['A@n1', 'B@n2'])).toEqual([
      { resource: 'A', node: 'n1' },
      { resource: 'B', node: 'n2' },
    ]);
  });

  it.each([
    ['no separator', 'garbage'],
    ['empty resource', '@node'],
    ['empty node', 'A@'],
    ['two separators', 'A@b@c'],
    ['empty entry', 'A@n1,,B@n2'],
    ['bad percent-encoding', '%E0%A4%A@n1'],
  ])('rejects a malformed header (%s) with BadParameter', (_case, header) => {
    const attempt = () => decodeCallChain(header);
    expect(attempt).toThrow(BadParameter);
    try {
      attempt();
    } catch (error) {
      expect((error as BadParameter).code).toBe(ErrorCode.BAD_PARAMETER);
      expect((error as BadParameter).message).toContain(CALL_CHAIN_HEADER);
      expect((error as BadParameter).details).toEqual([
        { field: CALL_CHAIN_HEADER, errors: [expect.any(String)] },
      ]);
    }
  });

  it('rejects an absurdly long chain instead of decoding it', () => {
    const header = Array.from({ length: MAX_DECODED_CHAIN + 1 }, (_, i) => `R${i}@n`).join(',');
    expect(() => decodeCallChain(header)).toThrow(BadParameter);
  });

  it('builds a context from request headers', () => {
    const context = callContextFrom({ [CALL_CHAIN_HEADER]: 'A@n1', host: 'x' }, 'req-1', 'n2');
    expect(context).toEqual({
      requestId: 'req-1',
      nodeId: 'n2',
      chain: [{ resource: 'A', node: 'n1' }],
    });
    expect(callContextFrom({}, 'req-2', 'n1').chain).toEqual([]);
  });
});
