import { randomBytes } from 'node:crypto';
import { InstallSnapshot } from '@cc/raft';
import {
  SnapshotAssembler,
  SnapshotChunk,
  snapshotChunks,
  snapshotHeader,
} from './snapshot-chunks';

const CHUNK = 1024;

function snapshot(index: number, bytes: number): InstallSnapshot {
  return {
    type: 'snapshot',
    from: 'n1',
    to: 'n2',
    term: 3,
    snapshot: {
      meta: { index, term: 2, voters: ['n1', 'n2', 'n3'] },
      data: new Uint8Array(randomBytes(bytes)),
    },
  } as unknown as InstallSnapshot;
}

const chunksOf = (message: InstallSnapshot, from = 'n1'): SnapshotChunk[] =>
  [...snapshotChunks(message, CHUNK)].map((chunk) => ({ ...chunk, from }));

describe('snapshots in chunks', () => {
  it('splits a snapshot into ordered chunks and reassembles exactly the message', () => {
    const message = snapshot(100, 5 * CHUNK + 17);
    const chunks = chunksOf(message);
    expect(chunks.map((c) => c.data.length)).toEqual([CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, 17]);
    const assembler = new SnapshotAssembler();
    const results = chunks.map((chunk) => assembler.receive(chunk));
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(results.at(-1)?.chunks).toBe(6);
    const whole = results.at(-1)!.message;
    expect(whole.snapshot.meta).toEqual(message.snapshot.meta);
    expect(whole.term).toBe(3);
    expect(Buffer.from(whole.snapshot.data).equals(Buffer.from(message.snapshot.data))).toBe(true);
    expect(assembler.pending).toBe(0);
  });

  it('refuses a chunk out of order and drops the transfer', () => {
    const chunks = chunksOf(snapshot(100, 3 * CHUNK));
    const assembler = new SnapshotAssembler();
    assembler.receive(chunks[0]!);
    expect(() => assembler.receive(chunks[2]!)).toThrow(/out of order/);
    expect(assembler.pending).toBe(0);
    // The rest of that transfer is refused too; it starts over at offset 0.
    expect(() => assembler.receive(chunks[1]!)).toThrow(/out of order/);
    expect(chunksOf(snapshot(100, 10)).map((c) => assembler.receive(c))[0]).not.toBeNull();
  });

  it('refuses more bytes than declared, and a declared size over the bound', () => {
    const [first] = chunksOf(snapshot(100, 2 * CHUNK));
    const assembler = new SnapshotAssembler();
    expect(() => assembler.receive({ ...first!, total: CHUNK - 1 })).toThrow(/declared/);
    expect(assembler.pending).toBe(0);
    const bounded = new SnapshotAssembler(60_000, 4 * CHUNK);
    expect(() => bounded.receive({ ...first!, total: 4 * CHUNK + 1 })).toThrow(/at most/);
    expect(() => bounded.receive({ ...first!, total: -1 })).toThrow(/at most/);
  });

  it('refuses a chunk of another snapshot in the middle of a transfer', () => {
    const older = chunksOf(snapshot(100, 3 * CHUNK));
    const newer = chunksOf(snapshot(200, 3 * CHUNK));
    const assembler = new SnapshotAssembler();
    assembler.receive(older[0]!);
    expect(() => assembler.receive(newer[1]!)).toThrow(/out of order/);
  });

  it('a newer snapshot from the same sender replaces a partial one; senders do not mix', () => {
    const older = chunksOf(snapshot(100, 3 * CHUNK));
    const newer = snapshot(200, 2 * CHUNK);
    const fromOther = chunksOf(snapshot(50, 2 * CHUNK), 'n3');
    const assembler = new SnapshotAssembler();
    assembler.receive(older[0]!);
    assembler.receive(fromOther[0]!);
    const [first, second] = chunksOf(newer);
    expect(assembler.receive(first!)).toBeNull();
    expect(() => assembler.receive(older[1]!)).toThrow(/out of order/);
    assembler.receive(first!);
    expect(assembler.receive(second!)?.message.snapshot.meta.index).toBe(200);
    expect(assembler.receive(fromOther[1]!)?.message.snapshot.meta.index).toBe(50);
  });

  it('drops a partial transfer that stays idle past its timeout', async () => {
    const chunks = chunksOf(snapshot(100, 2 * CHUNK));
    const assembler = new SnapshotAssembler(50);
    assembler.receive(chunks[0]!);
    expect(assembler.pending).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(assembler.pending).toBe(0);
    expect(() => assembler.receive(chunks[1]!)).toThrow(/out of order/);
  });

  it('refuses a header that is not one InstallSnapshot message', () => {
    const assembler = new SnapshotAssembler();
    const data = Buffer.alloc(1);
    expect(() =>
      assembler.receive({ from: 'n1', header: 'not json', total: 1, offset: 0, data }),
    ).toThrow(/header/);
    const heartbeat = Buffer.from(
      JSON.stringify([{ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 0 }]),
    ).toString('base64url');
    expect(() =>
      assembler.receive({ from: 'n1', header: heartbeat, total: 1, offset: 0, data }),
    ).toThrow(/InstallSnapshot/);
    expect(snapshotHeader(snapshot(1, 10)).length).toBeLessThan(1024);
  });
});
