import { LocalAuditBuffer } from './local-audit-buffer';
import { LocalAuditRecord } from './local-audit-record';

const row = (at: number): LocalAuditRecord => ({
  at,
  action: null,
  outcome: 'denied',
  code: 40101,
  httpStatus: 401,
  namespace: null,
  configKey: null,
  origin: {
    clientId: null,
    onBehalfOf: null,
    clientIp: '127.0.0.1',
    userAgent: 'flood',
    requestId: String(at),
    endpoint: 'GET /api/v1/admin/namespace/list',
    nodeId: 'node-1',
  },
});

function harness(limits = { flushRows: 10, flushIntervalMs: 50, perSecond: 25 }) {
  const written: LocalAuditRecord[][] = [];
  let dropped = 0;
  let now = 5_000;
  let release: (() => void) | undefined;
  let slow = false;
  const buffer = new LocalAuditBuffer(
    async (rows) => {
      written.push(rows);
      if (slow) await new Promise<void>((resolve) => (release = resolve));
    },
    { dropped: (count) => (dropped += count), flushed: () => undefined },
    limits,
    () => now,
  );
  return {
    buffer,
    written,
    dropped: () => dropped,
    tick: (ms: number) => (now += ms),
    slowDown: () => (slow = true),
    release: () => release?.(),
  };
}

describe('LocalAuditBuffer', () => {
  it('writes in batches of flushRows, not a write per row', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.buffer.record(row(i));
    await h.buffer.close();
    expect(h.written.map((batch) => batch.length)).toEqual([10, 10]);
  });

  it('accepts at most perSecond rows a second and counts the rest as dropped', async () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.buffer.record(row(i));
    h.tick(1000);
    for (let i = 0; i < 5; i++) h.buffer.record(row(i));
    await h.buffer.close();
    const kept = h.written.flat().length;
    expect(kept).toBe(25 + 5);
    expect(h.dropped()).toBe(75);
  });

  it('flushes a lone row after flushIntervalMs', async () => {
    const h = harness();
    h.buffer.record(row(1));
    expect(h.written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(h.written.map((batch) => batch.length)).toEqual([1]);
  });

  it('holds at most two batches while a write is slow; beyond, rows are dropped', async () => {
    const h = harness({ flushRows: 10, flushIntervalMs: 50, perSecond: 1000 });
    h.slowDown();
    for (let i = 0; i < 100; i++) h.buffer.record(row(i));
    // One batch is being written, two more wait: the other 70 were dropped.
    expect(h.buffer.waiting).toBeLessThanOrEqual(20);
    expect(h.dropped()).toBe(70);
    h.release();
  });

  it('counts the rows of a failed write as dropped and keeps going', async () => {
    let dropped = 0;
    const buffer = new LocalAuditBuffer(
      async () => {
        throw new Error('database down');
      },
      { dropped: (count) => (dropped += count), flushed: () => undefined },
      { flushRows: 5, flushIntervalMs: 50, perSecond: 100 },
    );
    for (let i = 0; i < 5; i++) buffer.record(row(i));
    await buffer.close();
    expect(dropped).toBe(5);
  });
});
