/**
 * One client operation as observed from outside. Times are positions in one global order of
 * invoke/response events, so "a responded before b was invoked" is `a.respondedAt < b.invokedAt`.
 */
export interface Operation<Input, Output> {
  readonly clientId: number;
  readonly input: Input;
  readonly invokedAt: number;
  /** Undefined while no response was seen: the operation may or may not have taken effect. */
  readonly output: Output | undefined;
  /** Infinity when no response was seen. */
  readonly respondedAt: number;
}

/** A sequential specification the history is checked against. */
export interface Model<State, Input, Output> {
  initialState(): State;
  /** Applies `input`; `ok` is false if the sequential object could not answer `output`. */
  step(state: State, input: Input, output: Output | undefined): { ok: boolean; state: State };
  /** Canonical text of a state, to recognise configurations already explored. */
  stateKey(state: State): string;
  /**
   * Splits a history into independent sub-histories (P-compositionality, e.g. one per key):
   * a history is linearizable iff each part is.
   */
  partition?(operations: readonly Operation<Input, Output>[]): Operation<Input, Output>[][];
}

/** Records a history from a concurrent run. */
export class HistoryRecorder<Input, Output> {
  private clock = 0;
  private readonly operations: {
    clientId: number;
    input: Input;
    invokedAt: number;
    output: Output | undefined;
    respondedAt: number;
  }[] = [];

  /** Returns a handle to pass to `respond`. */
  invoke(clientId: number, input: Input): number {
    this.operations.push({
      clientId,
      input,
      invokedAt: this.clock++,
      output: undefined,
      respondedAt: Infinity,
    });
    return this.operations.length - 1;
  }

  respond(handle: number, output: Output): void {
    const operation = this.operations[handle];
    operation.output = output;
    operation.respondedAt = this.clock++;
  }

  history(): Operation<Input, Output>[] {
    return this.operations.map((operation) => ({ ...operation }));
  }
}
