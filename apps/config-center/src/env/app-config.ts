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
  adminToken: string | null;
  swagger: boolean;
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

  const config: AppConfig = {
    nodeId,
    host: text('HOST', '0.0.0.0'),
    port: integer('PORT', 8080, 0, 65535),
    database,
    redisUrl,
    logLevel,
    limits: {
      maxKeyLength: integer('MAX_KEY_LENGTH', 256, 1, 256),
      maxValueBytes: integer('MAX_VALUE_BYTES', 1024 * 1024, 1, 16 * 1024 * 1024),
      maxBatchItems: integer('MAX_BATCH_ITEMS', 500, 1, 10000),
    },
    retention: {
      keepLatest: integer('VERSION_RETENTION_KEEP_LATEST', 30, 1, 1_000_000),
      keepDays: integer('VERSION_RETENTION_KEEP_DAYS', 30, 0, 36500),
      cleanupIntervalSeconds: integer('VERSION_CLEANUP_INTERVAL_SECONDS', 3600, 0, 7 * 24 * 3600),
    },
    proposalTimeoutMs: integer('PROPOSAL_TIMEOUT_MS', 5000, 100, 600_000),
    adminToken: env.ADMIN_TOKEN ? env.ADMIN_TOKEN : null,
    swagger: bool('SWAGGER_ENABLED', true),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
