import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export type DatabaseEngine = 'sqlite' | 'mysql';

export interface DatabaseSettings {
  engine: DatabaseEngine;
  /** SQLite: absolute file path. MySQL: the URL as given. */
  location: string;
  url: string;
}

/** Everything the node reads from its environment, validated once at start (STYLE: no process.env in business code). */
export interface AppConfig {
  nodeId: string;
  host: string;
  port: number;
  database: DatabaseSettings;
  redisUrl: string | null;
  /** Bytes of historical versions and version-list pages each node keeps in memory; 0: none. */
  cacheLocalMaxBytes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: {
    maxKeyLength: number;
    maxValueBytes: number;
    maxBatchItems: number;
  };
  retention: {
    keepLatest: number;
    keepDays: number;
    cleanupIntervalSeconds: number;
  };
  proposalTimeoutMs: number;
  /** Processes serving HTTP; above 1, read workers serve client reads from replicas of the view. */
  httpWorkers: number;
  http: HttpLimits;
  /** An answer whose reader took nothing for this long has its connection destroyed. */
  answerStallTimeoutMs: number;
  /** Requests per HTTP process holding a large answer of their own at once; beyond: 50301. */
  expensiveReadSlots: number;
  watch: WatchLimits;
  cluster: ClusterSettings;
  adminToken: string | null;
  /** Files this node keeps beside its database: the generated admin token (DESIGN 21). */
  dataDir: string;
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins: string[];
  swagger: boolean;
}

/** Bounds on what one client connection may take (README "Security"). */
export interface HttpLimits {
  /** From the first byte of a request to its last header. */
  headersTimeoutMs: number;
  /** From the headers to the last byte of the body (the Raft stream is exempt). */
  bodyTimeoutMs: number;
  /** A connection with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
  /** Body bytes being received at once by one process, across all requests. */
  maxInflightBodyBytes: number;
}

/** Bounds of the watchers one HTTP process (the node, each read worker) serves (watch/). */
export interface WatchLimits {
  /** Watchers (streams and pending long polls) per process; beyond: 50301. */
  maxWatchers: number;
  /** Watchers of one client (token client id) per process; beyond: 42902. */
  maxWatchersPerClient: number;
  /** Recent events kept per process for resuming watchers, by count and by JSON bytes. */
  historyEvents: number;
  historyBytes: number;
  /** Unsent bytes an SSE stream may hold before its client, who does not read, is dropped. */
  streamBufferBytes: number;
  heartbeatSeconds: number;
}

export interface PeerAddress {
  id: string;
  /** Base URL of the peer's HTTP API, e.g. http://127.0.0.1:7002 */
  url: string;
}

export interface ClusterSettings {
  /** All voters including this node; empty = single-node log (no Raft traffic). */
  peers: PeerAddress[];
  /** Shared secret every node-to-node request carries (DESIGN 4). */
  secret: string | null;
  /** Start as a new member with an empty configuration, waiting to be added by the leader. */
  join: boolean;
  /** The URL peers reach this node at (its RAFT_PEERS entry, or RAFT_ADVERTISE_URL). */
  advertiseUrl: string | null;
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** Take a snapshot and compact the log after this many applied entries. */
  snapshotEntries: number;
  /** A follower forwards writes to the leader (else it answers 50302 with the leader's address). */
  forwardWrites: boolean;
  /** Entry bytes one append carries (more only when a single entry is larger), like etcd's MaxSizePerMsg. */
  maxAppendBytes: number;
  /** A snapshot travels in chunks of at most this many bytes. */
  snapshotChunkBytes: number;
  /** A node-to-node request body not complete within this time is cut (the Raft stream is exempt). */
  bodyTimeoutMs: number;
}

/** Cluster mode: peers configured, or joining one. Internal routes exist only then. */
export function isClusterMode(cluster: Pick<ClusterSettings, 'peers' | 'join'>): boolean {
  return cluster.peers.length > 0 || cluster.join;
}

export function parsePeers(raw: string): PeerAddress[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const at = item.indexOf('=');
      const id = item.slice(0, at);
      const url = item.slice(at + 1).replace(/\/+$/, '');
      if (at <= 0 || !/^[A-Za-z0-9_.-]{1,64}$/.test(id) || !/^https?:\/\/[^\s,]+$/.test(url)) {
        throw new Error(
          `RAFT_PEERS entries look like node-1=http://127.0.0.1:7001 (got "${item}")`,
        );
      }
      return { id, url };
    });
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: AppConfig['logLevel'][] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export const DEFAULT_DATABASE_URL = 'sqlite:./data/config-center.sqlite';

export function parseDatabaseUrl(url: string): DatabaseSettings {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file)
      throw new Error(
        'DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/config-center.sqlite',
      );
    return { engine: 'sqlite', location: file === ':memory:' ? file : resolve(file), url };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    const parsed = new URL(url);
    if (!parsed.hostname || parsed.pathname.length <= 1) {
      throw new Error(
        'DATABASE_URL mysql:// needs a host and a database name, e.g. mysql://user:pass@127.0.0.1:3306/config_center',
      );
    }
    return { engine: 'mysql', location: url.replace(/^mariadb:/, 'mysql:'), url };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url}")`);
}

/** Reads and validates the environment; collects every problem so an operator fixes them in one go. */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}] (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const text = (name: string, fallback: string): string => {
    const raw = env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  let database: DatabaseSettings = parseDatabaseUrl(DEFAULT_DATABASE_URL);
  try {
    database = parseDatabaseUrl(text('DATABASE_URL', DEFAULT_DATABASE_URL));
  } catch (error) {
    problems.push((error as Error).message);
  }

  const redisUrl = env.REDIS_URL ? env.REDIS_URL : null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`REDIS_URL must start with redis:// or rediss:// (got "${redisUrl}")`);
  }

  const nodeId = text('NODE_ID', 'node-1');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId))
    problems.push(`NODE_ID must match [A-Za-z0-9_.-]{1,64} (got "${nodeId}")`);

  const logLevel = text('LOG_LEVEL', 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  let peers: PeerAddress[] = [];
  try {
    peers = parsePeers(text('RAFT_PEERS', ''));
  } catch (error) {
    problems.push((error as Error).message);
  }
  const join = bool('RAFT_JOIN', false);
  if (peers.length > 0 && !join && !peers.some((peer) => peer.id === nodeId)) {
    problems.push(
      `NODE_ID "${nodeId}" must be one of RAFT_PEERS (${peers.map((p) => p.id).join(', ')}) unless RAFT_JOIN=true`,
    );
  }
  if (new Set(peers.map((peer) => peer.id)).size !== peers.length)
    problems.push('RAFT_PEERS lists a node id twice');
  const secret = env.CLUSTER_SECRET ? env.CLUSTER_SECRET : null;
  if ((peers.length > 0 || join) && (secret === null || secret.length < 8)) {
    problems.push(
      'CLUSTER_SECRET (at least 8 characters) is required when RAFT_PEERS or RAFT_JOIN is set',
    );
  }
  const electionTicks = integer('RAFT_ELECTION_TICKS', 10, 2, 1000);

  const config: AppConfig = {
    nodeId,
    host: text('HOST', '0.0.0.0'),
    port: integer('PORT', 8080, 0, 65535),
    database,
    redisUrl,
    cacheLocalMaxBytes: integer('CACHE_LOCAL_MAX_BYTES', 64 * 1024 * 1024, 0, 2 ** 40),
    logLevel,
    limits: {
      maxKeyLength: integer('MAX_KEY_LENGTH', 256, 1, 256),
      // At most 3 MiB: a history row holds the old and the new value, each up to twice its size
      // once escaped, and one statement must fit MySQL's 16 MiB max_allowed_packet. A value
      // that could not be stored would stop every replica when its entry is applied.
      maxValueBytes: integer('MAX_VALUE_BYTES', 1024 * 1024, 1, 3 * 1024 * 1024),
      maxBatchItems: integer('MAX_BATCH_ITEMS', 500, 1, 10000),
    },
    retention: {
      keepLatest: integer('VERSION_RETENTION_KEEP_LATEST', 30, 1, 1_000_000),
      keepDays: integer('VERSION_RETENTION_KEEP_DAYS', 30, 0, 36500),
      cleanupIntervalSeconds: integer('VERSION_CLEANUP_INTERVAL_SECONDS', 3600, 0, 7 * 24 * 3600),
    },
    proposalTimeoutMs: integer('PROPOSAL_TIMEOUT_MS', 5000, 100, 600_000),
    // DESIGN 26: one HTTP process per core by default, so `npm start` serves reads on all of them.
    httpWorkers: integer('HTTP_WORKERS', defaultHttpWorkers(), 1, 64),
    http: {
      headersTimeoutMs: integer('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      bodyTimeoutMs: integer('HTTP_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000),
      idleTimeoutMs: integer('HTTP_IDLE_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
      maxInflightBodyBytes: integer(
        'HTTP_MAX_INFLIGHT_BODY_BYTES',
        128 * 1024 * 1024,
        16 * 1024 * 1024,
        4 * 1024 * 1024 * 1024,
      ),
    },
    answerStallTimeoutMs: integer('ANSWER_STALL_TIMEOUT_MS', 30_000, 100, 3_600_000),
    expensiveReadSlots: integer('EXPENSIVE_READS_MAX', 4, 1, 1024),
    watch: {
      maxWatchers: integer('WATCH_MAX_WATCHERS', 10_000, 1, 1_000_000),
      maxWatchersPerClient: integer('WATCH_MAX_WATCHERS_PER_CLIENT', 1_000, 1, 1_000_000),
      historyEvents: integer('WATCH_HISTORY_EVENTS', 10_000, 1, 10_000_000),
      historyBytes: integer('WATCH_HISTORY_BYTES', 64 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
      streamBufferBytes: integer(
        'WATCH_STREAM_BUFFER_BYTES',
        16 * 1024 * 1024,
        64 * 1024,
        1024 * 1024 * 1024,
      ),
      heartbeatSeconds: integer('WATCH_HEARTBEAT_SECONDS', 15, 1, 300),
    },
    cluster: {
      peers,
      secret,
      join,
      advertiseUrl:
        text('RAFT_ADVERTISE_URL', peers.find((peer) => peer.id === nodeId)?.url ?? '') || null,
      tickMs: integer('RAFT_TICK_MS', 100, 5, 10_000),
      electionTicks,
      heartbeatTicks: integer('RAFT_HEARTBEAT_TICKS', 1, 1, Math.max(1, electionTicks - 1)),
      snapshotEntries: integer('RAFT_SNAPSHOT_ENTRIES', 100_000, 2, 10_000_000),
      forwardWrites: bool('RAFT_FORWARD_WRITES', true),
      maxAppendBytes: integer('RAFT_MAX_APPEND_BYTES', 1024 * 1024, 1024, 4 * 1024 * 1024),
      snapshotChunkBytes: integer('RAFT_SNAPSHOT_CHUNK_BYTES', 1024 * 1024, 1024, 4 * 1024 * 1024),
      bodyTimeoutMs: integer('RAFT_BODY_TIMEOUT_MS', 30_000, 100, 600_000),
    },
    adminToken: env.ADMIN_TOKEN ? env.ADMIN_TOKEN : null,
    dataDir: text('DATA_DIR', './data') || './data',
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
    swagger: bool('SWAGGER_ENABLED', true),
  };
  if (config.adminToken !== null && !/^[\x21-\x7e]{16,256}$/.test(config.adminToken))
    problems.push(
      'ADMIN_TOKEN must be 16-256 visible ASCII characters (a guessable token is none)',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Read workers by default: one per core the process may use (at most the 64 allowed). */
export function defaultHttpWorkers(): number {
  return Math.min(availableParallelism(), 64);
}
