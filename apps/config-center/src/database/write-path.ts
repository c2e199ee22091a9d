import { ServerBusy } from '@cc/common';

/**
 * The database as the write path sees it: up, or down since when and why. Writes fail fast
 * while it is down (DESIGN 23) and resume once a probe (observability/write-path-health.ts) reaches it again.
 */
export class WritePathState {
  private down?: { since: number; error: string };
  private readonly recovered: Array<() => void> = [];

  get available(): boolean {
    return this.down === undefined;
  }

  /** When the database was lost and the last error seen; undefined while it is up. */
  get outage(): { since: number; error: string } | undefined {
    return this.down;
  }

  markDown(error: Error, now = Date.now()): void {
    this.down = { since: this.down?.since ?? now, error: error.message };
  }

  markUp(): void {
    if (!this.down) return;
    this.down = undefined;
    for (const listener of this.recovered) listener();
  }

  /** Called each time the database is reached again after an outage. */
  onRecovered(listener: () => void): void {
    this.recovered.push(listener);
  }

  /**
   * What a refused write tells its client to wait: a restart usually takes seconds, so 1 s at
   * first; an outage that lasts is retried less often (a crowd of clients is not a help).
   */
  retryAfterSeconds(now = Date.now()): number {
    if (!this.down) return 0;
    return now - this.down.since < LONG_OUTAGE_MS ? 1 : 5;
  }

  /** The error a write gets while the database is away: 50301 with Retry-After. */
  unavailable(now = Date.now()): DatabaseUnreachable {
    return new DatabaseUnreachable(Math.max(1, this.retryAfterSeconds(now)), this.down?.error);
  }
}

const LONG_OUTAGE_MS = 10_000;

/** 50301 + Retry-After: the write was not applied (never sent, or rolled back); retry it. */
export class DatabaseUnreachable extends ServerBusy {
  constructor(retryAfterSeconds: number, cause?: string) {
    super(
      retryAfterSeconds,
      'the database cannot be reached: the write was not applied; reads are still served; retry later',
      // `not_applied`: a follower that forwarded the write tries the next leader (raft/).
      { database: 'unreachable', outcome: 'not_applied', ...(cause ? { cause } : {}) },
    );
  }
}

/**
 * The COMMIT of a transaction was sent and its answer lost with the connection: the
 * transaction may or may not have committed. Callers find out (single node: `last_applied`)
 * or answer 50003 "outcome unknown".
 */
export class CommitInDoubt extends Error {
  constructor(readonly lost: Error) {
    super(`the connection was lost during COMMIT: ${lost.message}`);
  }
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_GONE_ERROR',
]);

/** A lost or refused connection (retry on a new one), not an error of the SQL itself. */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, fatal } = error as Error & { code?: unknown; fatal?: unknown };
  return fatal === true || (typeof code === 'string' && CONNECTION_ERRORS.has(code));
}
