import type { Model, Operation } from './history';

export interface CheckResult {
  readonly linearizable: boolean;
  /** Set when the search budget ran out before an answer. */
  readonly timedOut: boolean;
}

interface Event {
  readonly operationId: number;
  readonly kind: 'call' | 'return';
  readonly time: number;
  /** For calls: the matching return event. */
  match: Event | undefined;
  prev: Event | undefined;
  next: Event | undefined;
}

/**
 * Wing & Gong's linearizability search with Lowe's memoisation (as in Porcupine): walk the
 * history in time order, tentatively linearize any operation whose call is pending before the
 * first return, backtrack when an operation must have returned before it could be placed.
 * Configurations (set of linearized operations, model state) already explored are skipped.
 */
export function checkLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  maxSteps = 5_000_000,
): CheckResult {
  const parts = model.partition ? model.partition(history) : [history];
  let timedOut = false;
  for (const part of parts) {
    const result = checkPart(model, part, maxSteps);
    if (!result.linearizable && !result.timedOut) return result;
    timedOut ||= result.timedOut;
  }
  return { linearizable: !timedOut, timedOut };
}

function checkPart<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  maxSteps: number,
): CheckResult {
  const head = buildEventList(operations);
  const linearized = new Uint8Array(operations.length);
  const explored = new Set<string>();
  const stack: { call: Event; previousState: State }[] = [];
  let state = model.initialState();
  let event = head.next;
  let steps = 0;

  while (head.next !== undefined) {
    if (++steps > maxSteps) return { linearizable: false, timedOut: true };
    if (event === undefined) throw new Error('unreachable: walked past the last event');
    if (event.kind === 'call') {
      const operation = operations[event.operationId];
      const attempt = model.step(state, operation.input, operation.output);
      if (attempt.ok) {
        linearized[event.operationId] = 1;
        const key = `${linearizedKey(linearized)}|${model.stateKey(attempt.state)}`;
        if (!explored.has(key)) {
          explored.add(key);
          stack.push({ call: event, previousState: state });
          state = attempt.state;
          lift(event);
          event = head.next;
          continue;
        }
        linearized[event.operationId] = 0;
      }
      event = event.next;
    } else {
      // A return with its call not linearized yet: undo the last choice and try the next one.
      const last = stack.pop();
      if (!last) return { linearizable: false, timedOut: false };
      state = last.previousState;
      linearized[last.call.operationId] = 0;
      unlift(last.call);
      event = last.call.next;
    }
  }
  return { linearizable: true, timedOut: false };
}

function buildEventList<Input, Output>(operations: readonly Operation<Input, Output>[]): Event {
  const events: Event[] = [];
  operations.forEach((operation, operationId) => {
    const call: Event = {
      operationId,
      kind: 'call',
      time: operation.invokedAt,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    const ret: Event = {
      operationId,
      kind: 'return',
      time: operation.respondedAt,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    call.match = ret;
    events.push(call, ret);
  });
  // Unanswered operations return at Infinity, after everything: free to take effect or not.
  events.sort(
    (a, b) => a.time - b.time || (a.kind === 'call' ? -1 : 1) - (b.kind === 'call' ? -1 : 1),
  );
  const head: Event = {
    operationId: -1,
    kind: 'call',
    time: -Infinity,
    match: undefined,
    prev: undefined,
    next: undefined,
  };
  let previous = head;
  for (const event of events) {
    previous.next = event;
    event.prev = previous;
    previous = event;
  }
  return head;
}

/** Removes a call and its return from the list (they are linearized). */
function lift(call: Event): void {
  unlink(call);
  if (call.match) unlink(call.match);
}

function unlink(event: Event): void {
  if (event.prev) event.prev.next = event.next;
  if (event.next) event.next.prev = event.prev;
}

/** Re-inserts in reverse order of lift; neighbours' links still point at the right places. */
function unlift(call: Event): void {
  if (call.match) relink(call.match);
  relink(call);
}

function relink(event: Event): void {
  if (event.prev) event.prev.next = event;
  if (event.next) event.next.prev = event;
}

function linearizedKey(linearized: Uint8Array): string {
  let key = '';
  for (let i = 0; i < linearized.length; i += 16) {
    let chunk = 0;
    for (let j = i; j < Math.min(i + 16, linearized.length); j++) chunk = chunk * 2 + linearized[j];
    key += String.fromCharCode(chunk + 0x100);
  }
  return key;
}
