import { AppError, ErrorCode, ErrorCodeValue } from '@cc/common';
import { CallChainEntry, encodeCallChain } from './call-context';

export type NestedCallReason = 're-entry' | 'depth';

/**
 * The recursion guard's refusal (spec 000 代码三, nested_api): the same resource is already on
 * the call chain, or the chain would pass maxDepth. Refusing before the call turns an endless
 * A -> B -> A loop into one bounded error travelling back to the first caller.
 */
export class NestedCallRefused extends AppError {
  constructor(
    readonly resource: string,
    readonly chain: readonly CallChainEntry[],
    readonly reason: NestedCallReason,
    readonly maxDepth: number,
  ) {
    const path = chain.length === 0 ? '(empty)' : chain.map(formatEntry).join(' -> ');
    super(
      ErrorCode.UNAVAILABLE,
      reason === 're-entry'
        ? `nested call refused: resource ${resource} re-entered via call chain ${path}`
        : `nested call refused: resource ${resource} would deepen call chain ${path} past maxDepth ${maxDepth}`,
      { resource, chain, reason, maxDepth },
    );
  }
}

/** An error envelope returned by another node or service, rethrown with its own code. */
export class RemoteError extends AppError {
  constructor(
    code: ErrorCodeValue,
    message: string,
    details: unknown,
    extra: Record<string, unknown> | undefined,
    /** The HTTP status the upstream answered with. */
    readonly upstreamStatus: number,
    /** `METHOD url` of the call, for logs. */
    readonly target: string,
  ) {
    super(code, message, details, extra);
  }
}

function formatEntry(entry: CallChainEntry): string {
  return encodeCallChain([entry]);
}
