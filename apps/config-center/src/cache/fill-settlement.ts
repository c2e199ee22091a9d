/** Fill indexes remembered at most (a follower whose pub/sub is lost must not grow forever). */
const MAX_PENDING = 4096;

/**
 * Which applied writes Redis shows yet, for the acknowledgement's short wait. A write needs no
 * wait if its entry fills nothing (a token, a `_system` setting); else it waits until a fill
 * through its index is done: on the leader its own fill, elsewhere the leader's invalidation.
 */
export class FillSettlement {
  private settledThrough = 0;
  private appliedThrough = 0;
  private readonly pending = new Set<number>();
  private waiters: Array<{ index: number; resolve: () => void }> = [];

  /** A batch through `through` was applied here; `filledIndexes` of it are filled in Redis. */
  applied(through: number, filledIndexes: readonly number[]): void {
    for (const index of filledIndexes) if (index > this.settledThrough) this.pending.add(index);
    for (const index of this.pending) {
      if (this.pending.size <= MAX_PENDING) break;
      this.pending.delete(index);
    }
    this.appliedThrough = Math.max(this.appliedThrough, through);
    this.wake();
  }

  /** Redis shows every fill through `through`. */
  settle(through: number): void {
    if (through <= this.settledThrough) return;
    this.settledThrough = through;
    for (const index of this.pending) if (index <= through) this.pending.delete(index);
    this.wake();
  }

  /** Resolves once `index` is settled, or after `timeoutMs`: it never fails the write. */
  until(index: number, timeoutMs: number): Promise<void> {
    if (this.isSettled(index)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        index,
        resolve: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((other) => other !== waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.resolve, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private isSettled(index: number): boolean {
    return (
      index <= this.settledThrough || (index <= this.appliedThrough && !this.pending.has(index))
    );
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) if (this.isSettled(waiter.index)) waiter.resolve();
  }
}
