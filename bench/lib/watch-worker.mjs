// A forked process holding a share of the bench's watchers (bench/watch-fanout.mjs). Each
// watcher is its own HTTP connection and stream; the receipt time of every write's sequence
// number is taken with process.hrtime (CLOCK_MONOTONIC, the same clock in every process of
// the machine), so the parent's acknowledgement times compare with it directly.
//
// Messages in:  {type:'start', kind:'config-center'|'etcd', url, method, headers, body, count}
//               {type:'finish', acks: Float64Array (ack time in ms per sequence number, NaN: not acked)}
// Messages out: {type:'connected', count} once every watcher's stream is established,
//               {type:'error', message} on a setup failure, {type:'result', ...} after finish.
import { Agent, request } from 'node:http';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

/**
 * Per watcher: sequence number -> receipt time (first one), plus duplicates and receipts out
 * of revision order (writes overlap, so their sequence numbers may commit in another order).
 */
class Receipts {
  constructor() {
    this.at = new Map();
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.lastRevision = -1;
  }
  record(seq, revision, time) {
    if (this.at.has(seq)) {
      this.duplicates += 1;
      return;
    }
    if (revision < this.lastRevision) this.outOfOrder += 1;
    this.lastRevision = Math.max(this.lastRevision, revision);
    this.at.set(seq, time);
  }
}

/** config-center SSE: frames separated by a blank line; `event: change` carries the values. */
function sseConsumer(receipts, onConnected) {
  let buffer = '';
  return (chunk) => {
    const time = nowMs();
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (event === 'snapshot') onConnected();
      else if (event === 'change') {
        const event = JSON.parse(data);
        for (const change of event.changes) {
          if (typeof change.value === 'number' && change.value > 0)
            receipts.record(change.value, event.revision, time);
        }
      } else if (event === 'error') throw new Error(`stream error event: ${data}`);
    }
  };
}

/** etcd's JSON gateway: one JSON object per line, {"result":{created|events}}. */
function etcdConsumer(receipts, onConnected) {
  let buffer = '';
  return (chunk) => {
    const time = nowMs();
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line) continue;
      const message = JSON.parse(line);
      if (message.error) throw new Error(`etcd watch error: ${JSON.stringify(message.error)}`);
      const result = message.result ?? {};
      if (result.created) onConnected();
      for (const event of result.events ?? []) {
        const seq = Number(Buffer.from(event.kv?.value ?? '', 'base64').toString('utf8'));
        if (seq > 0) receipts.record(seq, Number(event.kv.mod_revision), time);
      }
    }
  };
}

const watchers = [];
let streamErrors = 0;

function openWatcher(spec, onConnected) {
  const receipts = new Receipts();
  watchers.push(receipts);
  let connected = false;
  const connectedOnce = () => {
    if (!connected) {
      connected = true;
      onConnected();
    }
  };
  const consume =
    spec.kind === 'etcd'
      ? etcdConsumer(receipts, connectedOnce)
      : sseConsumer(receipts, connectedOnce);
  const req = request(spec.url, { method: spec.method, headers: spec.headers, agent }, (res) => {
    if (res.statusCode !== 200) {
      process.send({ type: 'error', message: `watch answered HTTP ${res.statusCode}` });
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      try {
        consume(chunk);
      } catch (error) {
        streamErrors += 1;
        process.send({ type: 'error', message: error.message });
      }
    });
  });
  req.on('error', (error) => {
    streamErrors += 1;
    if (!connected)
      process.send({ type: 'error', message: `watch request failed: ${error.message}` });
  });
  req.end(spec.body);
  return req;
}

const requests = [];

function finish(acks) {
  const latencies = [];
  let expected = 0;
  let lost = 0;
  let beforeAck = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  for (const receipts of watchers) {
    duplicates += receipts.duplicates;
    outOfOrder += receipts.outOfOrder;
    for (let seq = 1; seq < acks.length; seq += 1) {
      const acked = acks[seq];
      if (Number.isNaN(acked)) continue;
      expected += 1;
      const received = receipts.at.get(seq);
      if (received === undefined) {
        lost += 1;
        continue;
      }
      const latency = received - acked;
      if (latency < 0) beforeAck += 1;
      latencies.push(Math.max(0, latency));
    }
  }
  for (const req of requests) req.destroy();
  process.send({
    type: 'result',
    latencies: Float64Array.from(latencies),
    expected,
    lost,
    beforeAck,
    duplicates,
    outOfOrder,
    streamErrors,
  });
}

process.on('message', (message) => {
  if (message.type === 'start') {
    let connected = 0;
    for (let i = 0; i < message.count; i += 1) {
      requests.push(
        openWatcher(message, () => {
          connected += 1;
          if (connected === message.count) process.send({ type: 'connected', count: connected });
        }),
      );
    }
  } else if (message.type === 'finish') {
    finish(message.acks);
  }
});
