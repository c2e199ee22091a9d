import type { Message, NodeId } from '../../../src/types';
import type { SeededRandom } from './prng';

export interface NetworkFaults {
  /** Probability a message is lost. */
  readonly dropRate: number;
  /** Probability a message is delivered twice. */
  readonly duplicateRate: number;
  /** Delivery delay in steps, uniform in [minDelay, maxDelay]; unequal delays reorder. */
  readonly minDelay: number;
  readonly maxDelay: number;
}

interface InFlight {
  readonly deliverAt: number;
  readonly sequence: number;
  readonly message: Message;
}

/** A lossy, reordering, duplicating network with partitions, driven by the simulation clock. */
export class SimNetwork {
  private inFlight: InFlight[] = [];
  private sequence = 0;
  /** Partition group of each node; nodes in different groups cannot talk. */
  private groups = new Map<NodeId, number>();

  constructor(
    private readonly random: SeededRandom,
    public faults: NetworkFaults,
  ) {}

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, position) => group.forEach((id) => this.groups.set(id, position)));
  }

  heal(): void {
    this.groups = new Map();
  }

  isPartitioned(): boolean {
    return this.groups.size > 0;
  }

  connected(a: NodeId, b: NodeId): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  send(messages: readonly Message[], now: number): void {
    for (const message of messages) {
      if (!this.connected(message.from, message.to) || this.random.chance(this.faults.dropRate)) {
        continue;
      }
      this.enqueue(message, now);
      if (this.random.chance(this.faults.duplicateRate)) this.enqueue(message, now);
    }
  }

  private enqueue(message: Message, now: number): void {
    const span = this.faults.maxDelay - this.faults.minDelay + 1;
    const deliverAt = now + this.faults.minDelay + this.random.int(span);
    this.inFlight.push({ deliverAt, sequence: this.sequence++, message });
  }

  /** Messages due at `now`, in delivery order; a partition formed meanwhile also cuts them. */
  takeDue(now: number): Message[] {
    const due = this.inFlight.filter((item) => item.deliverAt <= now);
    if (due.length === 0) return [];
    this.inFlight = this.inFlight.filter((item) => item.deliverAt > now);
    return due
      .sort((a, b) => a.deliverAt - b.deliverAt || a.sequence - b.sequence)
      .map((item) => item.message)
      .filter((message) => this.connected(message.from, message.to));
  }

  pendingCount(): number {
    return this.inFlight.length;
  }
}
