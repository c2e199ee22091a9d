import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('assembles frames split anywhere across chunks, with any line ending', () => {
    const parser = new SseParser();
    const text =
      'event: change\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: heartbeat\n\nevent: snapshot\rid: 9\rdata: x\r\r\n';
    const frames = [];
    for (const char of text) frames.push(...parser.push(Buffer.from(char)));
    expect(frames).toEqual([
      { event: 'change', id: '7', data: '{"a":\n1}' },
      { event: 'snapshot', id: '9', data: 'x' },
    ]);
  });

  it('drops comments and frames without data, and decodes UTF-8 split inside a character', () => {
    const parser = new SseParser();
    const bytes = Buffer.from('event: ping\n\ndata: é\n\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const frames = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
    expect(frames).toEqual([{ event: 'message', id: undefined, data: 'é' }]);
  });

  it('refuses to buffer a frame beyond its bound', () => {
    const parser = new SseParser(16);
    expect(() => parser.push('data: 0123456789abcdefghij')).toThrow(/exceeded 16 bytes/);
  });
});
