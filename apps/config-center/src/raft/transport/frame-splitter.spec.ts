import { FrameSplitter } from './frame-splitter';

const text = (frames: Buffer[]) => frames.map((frame) => frame.toString('utf8'));

describe('FrameSplitter', () => {
  it('returns every frame of a chunk holding several', () => {
    const splitter = new FrameSplitter(1024);
    expect(text(splitter.push(Buffer.from('[1]\n[2,3]\n[]\n')))).toEqual(['[1]', '[2,3]', '[]']);
    expect(splitter.buffered).toBe(0);
  });

  it('joins a frame split across chunks, down to one byte per chunk', () => {
    const splitter = new FrameSplitter(1024);
    const bytes = Buffer.from('["a long frame"]\n["next"]\n');
    const frames: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...splitter.push(bytes.subarray(i, i + 1)));
    expect(text(frames)).toEqual(['["a long frame"]', '["next"]']);
  });

  it('holds back an incomplete frame until its newline arrives', () => {
    const splitter = new FrameSplitter(1024);
    expect(text(splitter.push(Buffer.from('[1]\n[2')))).toEqual(['[1]']);
    expect(splitter.buffered).toBe(2);
    expect(text(splitter.push(Buffer.from(',3]')))).toEqual([]);
    expect(text(splitter.push(Buffer.from('\n[4]\n')))).toEqual(['[2,3]', '[4]']);
    expect(splitter.buffered).toBe(0);
  });

  it('never cuts a multi-byte character, wherever the chunks split it', () => {
    const bytes = Buffer.from('["né 日本 🚀"]\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const splitter = new FrameSplitter(1024);
      const frames = [
        ...splitter.push(bytes.subarray(0, cut)),
        ...splitter.push(bytes.subarray(cut)),
      ];
      expect(text(frames)).toEqual(['["né 日本 🚀"]']);
    }
  });

  it('skips empty lines', () => {
    expect(text(new FrameSplitter(1024).push(Buffer.from('\n\n[1]\n\n')))).toEqual(['[1]']);
  });

  it('refuses a frame over the limit, complete or still arriving', () => {
    expect(() => new FrameSplitter(4).push(Buffer.from('[1,2,3]\n'))).toThrow('frame too large');
    const splitter = new FrameSplitter(4);
    splitter.push(Buffer.from('[1,'));
    expect(() => splitter.push(Buffer.from('2,3'))).toThrow('frame too large');
  });
});
