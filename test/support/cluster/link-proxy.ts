import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP proxy for ONE directed peer link (node i -> node j): node i's RAFT_PEERS names this
 * proxy as node j's address, so everything i sends to j (Raft messages, forwarded writes) goes
 * through it. `block()` destroys the open connections and refuses new ones (a partition);
 * `heal()` lets traffic through again. `delay(ms)` holds every chunk, both ways, that long
 * (a slow link; the order of the bytes is kept). `loseAnswers(request, n)` lets the next `n`
 * requests that start with `request` through and cuts their connections when the answer comes
 * back (the target did the work; the sender never learns the outcome).
 */
export class LinkProxy {
  private server?: Server;
  private blocked = false;
  private delayMs = 0;
  private answersToLose: { request: string; left: number } | undefined;
  /** Answers cut so far by `loseAnswers`. */
  answersLost = 0;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Connections taken so far (a long-lived stream is one; a reconnect is another). */
  connectionsAccepted = 0;

  constructor(
    readonly from: string,
    readonly to: string,
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Listens on `port` (0: any free port). */
  listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.port = (server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  block(): void {
    this.blocked = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.blocked = false;
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  loseAnswers(request: string, count: number): void {
    this.answersToLose = { request, left: count };
  }

  async close(): Promise<void> {
    this.block();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.connectionsAccepted++;
    if (this.blocked) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
    let loseAnswer = false;
    client.on('data', (chunk: Buffer) => {
      const lose = this.answersToLose;
      if (
        !loseAnswer &&
        lose &&
        lose.left > 0 &&
        chunk.toString('latin1').startsWith(lose.request)
      ) {
        lose.left -= 1;
        loseAnswer = true;
      }
    });
    upstream.on('data', () => {
      if (!loseAnswer) return;
      this.answersLost += 1;
      teardown();
    });
    this.forward(client, upstream);
    this.forward(upstream, client, () => loseAnswer);
  }

  /** Chunks leave in the order they came, each no sooner than `delayMs` after it came. */
  private forward(from: Socket, to: Socket, cut: () => boolean = () => false): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const drain = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0].due <= Date.now()) to.write(queue.shift()!.chunk);
      if (queue.length > 0) timer = setTimeout(drain, queue[0].due - Date.now());
      else if (ended) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      if (cut()) return;
      if (this.delayMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ due: Date.now() + this.delayMs, chunk });
      if (!timer) timer = setTimeout(drain, Math.max(0, queue[0].due - Date.now()));
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0) to.end();
    });
    from.on('close', () => clearTimeout(timer));
  }
}
