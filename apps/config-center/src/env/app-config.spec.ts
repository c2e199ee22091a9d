import { availableParallelism } from 'node:os';
import { defaultHttpWorkers, loadAppConfig } from './app-config';

describe('loadAppConfig limits', () => {
  it('accepts MAX_VALUE_BYTES up to 3 MiB', () => {
    const config = loadAppConfig({ MAX_VALUE_BYTES: String(3 * 1024 * 1024) });
    expect(config.limits.maxValueBytes).toBe(3 * 1024 * 1024);
  });

  it('refuses a larger MAX_VALUE_BYTES at start, naming the range', () => {
    expect(() => loadAppConfig({ MAX_VALUE_BYTES: String(4 * 1024 * 1024) })).toThrow(
      /MAX_VALUE_BYTES must be an integer in \[1, 3145728\]/,
    );
  });
});

describe('loadAppConfig large-read bounds', () => {
  it('defaults to a 30 s stall timeout and 4 expensive reads per process', () => {
    const config = loadAppConfig({});
    expect(config.answerStallTimeoutMs).toBe(30_000);
    expect(config.expensiveReadSlots).toBe(4);
  });

  it('takes ANSWER_STALL_TIMEOUT_MS and EXPENSIVE_READS_MAX from the environment', () => {
    const config = loadAppConfig({ ANSWER_STALL_TIMEOUT_MS: '500', EXPENSIVE_READS_MAX: '16' });
    expect(config.answerStallTimeoutMs).toBe(500);
    expect(config.expensiveReadSlots).toBe(16);
  });

  it('refuses values out of range at start, naming them', () => {
    expect(() => loadAppConfig({ ANSWER_STALL_TIMEOUT_MS: '0', EXPENSIVE_READS_MAX: 'x' })).toThrow(
      /ANSWER_STALL_TIMEOUT_MS must be an integer in \[100, 3600000\][\s\S]*EXPENSIVE_READS_MAX must be an integer in \[1, 1024\]/,
    );
  });
});

describe('loadAppConfig node-to-node settings', () => {
  const PEERS = 'node-1=http://127.0.0.1:7001,node-2=http://127.0.0.1:7002';

  it('defaults: 30 s body timeout, 1 MiB appends and snapshot chunks', () => {
    const { cluster } = loadAppConfig({ RAFT_PEERS: PEERS, CLUSTER_SECRET: 'long-enough' });
    expect(cluster.bodyTimeoutMs).toBe(30_000);
    expect(cluster.maxAppendBytes).toBe(1024 * 1024);
    expect(cluster.snapshotChunkBytes).toBe(1024 * 1024);
  });

  it('takes them from the environment, within their ranges', () => {
    const { cluster } = loadAppConfig({
      RAFT_BODY_TIMEOUT_MS: '1500',
      RAFT_MAX_APPEND_BYTES: '65536',
      RAFT_SNAPSHOT_CHUNK_BYTES: '4096',
    });
    expect(cluster).toMatchObject({
      bodyTimeoutMs: 1500,
      maxAppendBytes: 65536,
      snapshotChunkBytes: 4096,
    });
    expect(() => loadAppConfig({ RAFT_BODY_TIMEOUT_MS: '0' })).toThrow(/RAFT_BODY_TIMEOUT_MS/);
    expect(() => loadAppConfig({ RAFT_SNAPSHOT_CHUNK_BYTES: String(8 * 1024 * 1024) })).toThrow(
      /RAFT_SNAPSHOT_CHUNK_BYTES must be an integer in \[1024, 4194304\]/,
    );
    expect(() => loadAppConfig({ RAFT_MAX_APPEND_BYTES: '10' })).toThrow(/RAFT_MAX_APPEND_BYTES/);
  });

  it('a joining node needs the cluster secret too', () => {
    expect(() => loadAppConfig({ RAFT_JOIN: 'true' })).toThrow(/CLUSTER_SECRET/);
    expect(loadAppConfig({ RAFT_JOIN: 'true', CLUSTER_SECRET: 'long-enough' }).cluster.join).toBe(
      true,
    );
  });
});

describe('loadAppConfig HTTP_WORKERS', () => {
  it('defaults to one HTTP process per core (DESIGN 26)', () => {
    expect(loadAppConfig({}).httpWorkers).toBe(Math.min(availableParallelism(), 64));
    expect(defaultHttpWorkers()).toBe(Math.min(availableParallelism(), 64));
  });

  it('lets an explicit value win, 1 included', () => {
    expect(loadAppConfig({ HTTP_WORKERS: '1' }).httpWorkers).toBe(1);
    expect(loadAppConfig({ HTTP_WORKERS: '5' }).httpWorkers).toBe(5);
  });
});
