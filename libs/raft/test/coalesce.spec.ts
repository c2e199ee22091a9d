import { coalesceMessages } from '../src/coalesce';
import type { AppendRequest, AppendResponse, Entry, Message } from '../src/types';

const entry = (index: number, term = 2): Entry => ({
  index,
  term,
  type: 'normal',
  data: new Uint8Array([index]),
});

function append(to: string, prevLogIndex: number, count: number, commit: number): AppendRequest {
  const entries = Array.from({ length: count }, (_, i) => entry(prevLogIndex + 1 + i));
  return {
    type: 'append',
    from: 'n1',
    to,
    term: 2,
    prevLogIndex,
    prevLogTerm: prevLogIndex === 0 ? 0 : 2,
    entries,
    commit,
  };
}

function ack(to: string, index: number, term = 2): AppendResponse {
  return {
    type: 'appendResp',
    from: 'n2',
    to,
    term,
    index,
    reject: false,
    rejectHintIndex: 0,
    rejectHintTerm: 0,
  };
}

describe('coalesceMessages', () => {
  it('merges appends that continue each other into one, with the latest commit', () => {
    const out = coalesceMessages(
      [append('n2', 4, 2, 3), append('n3', 4, 2, 3), append('n2', 6, 1, 5), append('n2', 7, 0, 6)],
      64,
    );
    expect(out).toHaveLength(2);
    const toN2 = out[0] as AppendRequest;
    expect(toN2.to).toBe('n2');
    expect(toN2.prevLogIndex).toBe(4);
    expect(toN2.entries.map((e) => e.index)).toEqual([5, 6, 7]);
    expect(toN2.commit).toBe(6);
    expect((out[1] as AppendRequest).to).toBe('n3');
  });

  it('keeps appends apart when they do not continue each other, exceed the limit or change term', () => {
    const gap = coalesceMessages([append('n2', 4, 2, 3), append('n2', 9, 1, 3)], 64);
    expect(gap).toHaveLength(2);
    const tooMany = coalesceMessages([append('n2', 0, 3, 0), append('n2', 3, 2, 0)], 4);
    expect(tooMany).toHaveLength(2);
    const newTerm = { ...append('n2', 6, 1, 3), term: 3 };
    expect(coalesceMessages([append('n2', 4, 2, 3), newTerm], 64)).toHaveLength(2);
  });

  it('does not merge appends across another message to the same peer', () => {
    const heartbeat: Message = {
      type: 'heartbeat',
      from: 'n1',
      to: 'n2',
      term: 2,
      commit: 3,
      readContext: 'r1',
    };
    const out = coalesceMessages([append('n2', 4, 2, 3), heartbeat, append('n2', 6, 1, 3)], 64);
    expect(out.map((m) => m.type)).toEqual(['append', 'heartbeat', 'append']);
  });

  it('keeps one acknowledgement per peer and term, the highest, in the last position', () => {
    const reject: AppendResponse = { ...ack('n1', 3), reject: true, rejectHintIndex: 2 };
    const out = coalesceMessages([ack('n1', 5), reject, ack('n1', 9), ack('n1', 7)], 64);
    expect(out).toEqual([reject, ack('n1', 9)]);
    const terms = coalesceMessages([ack('n1', 5, 2), ack('n1', 6, 3)], 64);
    expect(terms).toHaveLength(2);
  });
});
