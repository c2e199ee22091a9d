/** How long to wait before trying the servers again once each of them has failed. */
export interface BackoffOptions {
  /** First delay after a whole round of failures; default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of the delay; default 5,000 ms. */
  maxDelayMs?: number;
  /** Random source in [0, 1), for tests; default Math.random. */
  random?: () => number;
}

/**
 * The server addresses in failover order. The client sticks to the address that last worked;
 * when it fails, the next one is tried at once, and only after every address failed in a row
 * does it wait: exponential backoff with "equal jitter" (half fixed, half random) so that
 * thousands of clients do not reconnect to a recovering cluster in the same millisecond.
 */
export class ServerPool {
  private current = 0;
  private failuresInARow = 0;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(
    readonly servers: readonly string[],
    backoff: BackoffOptions = {},
  ) {
    if (servers.length === 0) throw new TypeError('at least one server address is needed');
    this.initialDelayMs = backoff.initialDelayMs ?? 100;
    this.maxDelayMs = backoff.maxDelayMs ?? 5_000;
    this.random = backoff.random ?? Math.random;
  }

  /** The address to use now. */
  get preferred(): string {
    return this.servers[this.current];
  }

  /** The addresses in the order to try for one request: the preferred one first. */
  order(): string[] {
    const n = this.servers.length;
    return Array.from({ length: n }, (_, i) => this.servers[(this.current + i) % n]);
  }

  succeeded(server: string): void {
    const at = this.servers.indexOf(server);
    if (at >= 0) this.current = at;
    this.failuresInARow = 0;
  }

  /**
   * Records a failure of `server` and moves on to the next address. Answers how long to wait
   * before using it: 0 while some address of this round is untried, else the backoff delay.
   */
  failed(server: string): number {
    const at = this.servers.indexOf(server);
    if (at >= 0 && at === this.current) this.current = (at + 1) % this.servers.length;
    this.failuresInARow += 1;
    const rounds = Math.floor(this.failuresInARow / this.servers.length);
    if (this.failuresInARow % this.servers.length !== 0) return 0;
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(rounds - 1, 20));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }
}
