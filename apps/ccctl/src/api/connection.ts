import { Environment } from '../core/cli-context';
import { UsageFailure } from '../core/cli-errors';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Where and how to reach the admin API, from the flags, else the environment, else defaults. */
export interface Connection {
  baseUrl: URL;
  token: string | undefined;
  timeoutMs: number;
}

export interface ConnectionFlags {
  url?: string;
  token?: string;
}

export function resolveConnection(flags: ConnectionFlags, env: Environment): Connection {
  const url = flags.url ?? nonEmpty(env.CCCTL_URL) ?? DEFAULT_URL;
  let baseUrl: URL;
  try {
    baseUrl = new URL(url);
  } catch {
    throw new UsageFailure(`--url / CCCTL_URL is not a URL: ${url}`);
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:')
    throw new UsageFailure(`--url / CCCTL_URL must be http(s): ${url}`);
  const timeout = nonEmpty(env.CCCTL_TIMEOUT_MS);
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(timeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
    throw new UsageFailure(`CCCTL_TIMEOUT_MS must be a positive integer: ${timeout}`);
  return { baseUrl, token: flags.token ?? nonEmpty(env.CCCTL_TOKEN), timeoutMs };
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;
