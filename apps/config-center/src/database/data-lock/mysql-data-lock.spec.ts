import { DataInUse } from './data-lock';
import { ServerLockKeeper, ServerLockTiming } from './mysql-data-lock';
import { LockConnection, LockHolder } from './mysql-lock-connection';

const TIMING: ServerLockTiming = { pingMs: 5, pingTimeoutMs: 50, retryMs: 5, startAttempts: 2 };

/** A database server's named lock as GET_LOCK keeps it: one holder session, freed when it ends. */
class FakeServer {
  up = true;
  holder: FakeSession | null = null;
  sessions: FakeSession[] = [];
  private nextId = 1;

  connect(owner: string): Promise<LockConnection> {
    if (!this.up) return Promise.reject(new Error('connect ECONNREFUSED'));
    const session = new FakeSession(this, this.nextId++, owner);
    this.sessions.push(session);
    return Promise.resolve(session);
  }

  /** The server restarts: every session ends, every lock is free. */
  restart(): void {
    for (const session of [...this.sessions]) session.drop();
  }
}

class FakeSession implements LockConnection {
  readonly lockName = 'cc:test';
  alive = true;
  /** The network between us and the server is cut: the server still sees the session. */
  cut = false;
  private lostListeners: Array<(error: Error) => void> = [];

  constructor(
    private readonly server: FakeServer,
    readonly id: number,
    readonly owner: string,
  ) {}

  async tryLock(): Promise<boolean> {
    if (this.server.holder && this.server.holder !== this) return false;
    this.server.holder = this;
    return true;
  }

  async holder(): Promise<LockHolder | null> {
    const holder = this.server.holder;
    return holder && { session: holder.id, ours: holder.owner === this.owner };
  }

  async killSession(sessionId: number): Promise<void> {
    this.server.sessions.find((session) => session.id === sessionId)?.end();
  }

  ping(): Promise<void> {
    if (this.cut) return new Promise(() => undefined);
    return this.alive ? Promise.resolve() : Promise.reject(new Error('closed'));
  }

  onLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener);
  }

  /** Our side closes; the server sees it only if the network is up. */
  close(): void {
    if (!this.cut) this.end();
  }

  /** The server ends the session and tells the client. */
  drop(): void {
    const wasAlive = this.alive;
    this.end();
    if (wasAlive) for (const listener of this.lostListeners) listener(new Error('connection lost'));
  }

  /** The server side of the session ends: its lock is free. */
  end(): void {
    this.alive = false;
    if (this.server.holder === this) this.server.holder = null;
    this.server.sessions = this.server.sessions.filter((session) => session !== this);
  }
}

const quiet = { log: () => undefined, warn: () => undefined, fatal: () => undefined };

async function waitFor(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('ServerLockKeeper (the MySQL data lock)', () => {
  let server: FakeServer;
  const keepers: ServerLockKeeper[] = [];
  const take = async (owner: string, onTakenOver: (error: DataInUse) => void = () => undefined) => {
    const keeper = await ServerLockKeeper.take(
      () => server.connect(owner),
      'mysql://cc@db/test',
      onTakenOver,
      TIMING,
      quiet,
    );
    keepers.push(keeper);
    return keeper;
  };

  beforeEach(() => (server = new FakeServer()));
  afterEach(async () => {
    for (const keeper of keepers.splice(0)) await keeper.release();
  });

  it('refuses a second process at once, naming the data and the holding session', async () => {
    await take('first');
    const holder = server.holder!.id;
    await expect(take('second')).rejects.toThrow(
      new DataInUse('mysql://cc@db/test', `lock cc:test is held by session ${holder}`),
    );
    expect(server.holder?.owner).toBe('first');
    expect(server.sessions.filter((session) => session.owner === 'second')).toEqual([]);
  });

  it('fails to start when the database cannot be reached, after its attempts', async () => {
    server.up = false;
    await expect(take('first')).rejects.toThrow('ECONNREFUSED');
  });

  it('takes the lock back after the server dropped its session', async () => {
    await take('first');
    server.restart();
    await waitFor('the lock taken back', () => server.holder?.owner === 'first');
  });

  it('keeps trying while the database is away, and takes the lock back when it returns', async () => {
    const lock = await take('first');
    expect(lock.held).toBe(true);
    server.up = false;
    server.restart();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.holder).toBeNull();
    // The write path waits for this before it writes again (SqlTransactions.requireLock).
    expect(lock.held).toBe(false);
    server.up = true;
    await waitFor('the lock taken back', () => server.holder?.owner === 'first');
    expect(lock.held).toBe(true);
  });

  it('stops the node when another process took the lock while its session was lost', async () => {
    const takenOver: DataInUse[] = [];
    await take('first', (error) => takenOver.push(error));
    server.up = false;
    server.restart();
    server.up = true;
    // The other process wins the race for the free lock.
    const other = await server.connect('second');
    await other.tryLock();
    await waitFor('onTakenOver', () => takenOver.length === 1);
    expect(takenOver[0].message).toContain(`held by session ${(other as FakeSession).id}`);
    expect(server.holder).toBe(other);
    // It gives up for good: no further attempts.
    const sessions = server.sessions.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.sessions.length).toBe(sessions);
  });

  it('drops a session whose pings go unanswered and ends it on the server to take the lock back', async () => {
    await take('first');
    // Twice: the new session is watched by pings as the first was.
    for (let cut = 0; cut < 2; cut++) {
      const stale = server.holder as FakeSession;
      stale.cut = true;
      await waitFor('a new session holding the lock', () => {
        const holder = server.holder;
        return holder !== null && holder !== stale && holder.owner === 'first';
      });
      expect(stale.alive).toBe(false);
    }
  });

  it('lets the lock go on release', async () => {
    const keeper = await take('first');
    await keeper.release();
    expect(server.holder).toBeNull();
    await take('second');
    expect(server.holder?.owner).toBe('second');
  });
});
