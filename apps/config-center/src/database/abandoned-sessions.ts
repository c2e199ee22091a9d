import { ServerSession, serverStartedAt, WriteConnection } from './mysql-write-connection';

const SAME_SERVER_SLACK_SECONDS = 2;
const GONE_POLL_MS = 50;
const GONE_POLLS = 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sessions of write connections given up while a statement ran on them (the server stopped
 * answering). A frozen server that resumes still runs what it had received, a COMMIT included:
 * before the write path settles anything from `last_applied` (or reloads the log), those
 * sessions are killed and waited for, so no transaction of theirs can commit afterwards.
 * Thread ids start again at 1 on a restarted server: a session of an earlier run is gone
 * already and another run's id is never killed.
 */
export class AbandonedSessions {
  private readonly sessions: ServerSession[] = [];

  add(session: ServerSession): void {
    this.sessions.push(session);
  }

  /** Kills the sessions still running on this run of the server, waits until they are gone. */
  async end(connection: WriteConnection): Promise<void> {
    if (this.sessions.length === 0) return;
    const started = await serverStartedAt(connection.raw);
    for (const session of [...this.sessions]) {
      if (Math.abs(started - session.serverStartedAt) <= SAME_SERVER_SLACK_SECONDS)
        await this.killAndWait(connection, session.threadId);
      this.sessions.splice(this.sessions.indexOf(session), 1);
    }
  }

  private async killAndWait(connection: WriteConnection, threadId: number): Promise<void> {
    const id = Math.trunc(threadId);
    await connection.query(`KILL CONNECTION ${id}`).catch((error: { errno?: number }) => {
      if (error.errno !== ER_NO_SUCH_THREAD) throw error;
    });
    for (let poll = 0; poll < GONE_POLLS; poll++) {
      const rows = await connection.query<unknown[]>(
        `SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ${id}`,
      );
      if (rows.length === 0) return;
      await sleep(GONE_POLL_MS);
    }
    throw new Error(`the abandoned write session ${id} is still running on the server`);
  }
}

const ER_NO_SUCH_THREAD = 1094;
