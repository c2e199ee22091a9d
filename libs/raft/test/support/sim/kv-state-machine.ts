import type { Entry } from '../../../src/types';

/** Commands of the key-value model the simulator and the linearizability checker share. */
export type KvCommand =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | {
      readonly kind: 'cas';
      readonly key: string;
      readonly expected: string;
      readonly value: string;
    }
  | { readonly kind: 'get'; readonly key: string };

export interface KvRequest {
  readonly requestId: string;
  readonly command: KvCommand;
}

export interface KvResult {
  /** For put: always true; for cas: whether it swapped; for get: true. */
  readonly ok: boolean;
  /** For get: the value read ('' when absent). */
  readonly value: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeKvRequest(request: KvRequest): Uint8Array {
  return encoder.encode(JSON.stringify(request));
}

export function decodeKvRequest(data: Uint8Array): KvRequest {
  return JSON.parse(decoder.decode(data)) as KvRequest;
}

export function executeKvCommand(values: Map<string, string>, command: KvCommand): KvResult {
  const current = values.get(command.key) ?? '';
  switch (command.kind) {
    case 'put':
      values.set(command.key, command.value);
      return { ok: true, value: '' };
    case 'cas':
      if (current !== command.expected) return { ok: false, value: current };
      values.set(command.key, command.value);
      return { ok: true, value: '' };
    case 'get':
      return { ok: true, value: current };
  }
}

/**
 * The replicated state machine of the simulation. It models DESIGN.md decision 2: applied
 * state and `lastApplied` are durable together, so it survives a simulated crash.
 */
export class KvStateMachine {
  private values = new Map<string, string>();
  /** Results by request id, for the proposing client to pick up. */
  readonly results = new Map<string, KvResult>();
  lastApplied = 0;

  apply(entry: Entry): void {
    this.lastApplied = entry.index;
    if (entry.type !== 'normal') return;
    const request = decodeKvRequest(entry.data);
    this.results.set(request.requestId, executeKvCommand(this.values, request.command));
  }

  get(key: string): string {
    return this.values.get(key) ?? '';
  }

  snapshot(): Uint8Array {
    return encoder.encode(
      JSON.stringify({ lastApplied: this.lastApplied, values: [...this.values] }),
    );
  }

  restore(data: Uint8Array): void {
    const parsed = JSON.parse(decoder.decode(data)) as {
      lastApplied: number;
      values: [string, string][];
    };
    this.values = new Map(parsed.values);
    this.lastApplied = parsed.lastApplied;
  }
}
