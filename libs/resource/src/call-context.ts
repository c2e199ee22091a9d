import { BadParameter } from '@cc/common';

/** One hop of a nested API call: the ApiResource that made the call and the node it ran on. */
export interface CallChainEntry {
  resource: string;
  node: string;
}

/** What a Resource knows about the request it serves: who asked, where, and through whom. */
export interface CallContext {
  requestId: string;
  nodeId: string;
  /** ApiResource hops that led to this request, oldest first; empty for a client's own call. */
  chain: CallChainEntry[];
}

export const CALL_CHAIN_HEADER = 'x-call-chain';
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A chain longer than this is refused on arrival whatever the caller's maxDepth: it can only come
 * from a broken or hostile client, and decoding it should stay cheap.
 */
export const MAX_DECODED_CHAIN = 64;

/**
 * Wire format: `resource@node` entries separated by commas, each part URI-encoded, e.g.
 * `GetConfig@node-1,SyncNamespace@node-2`. Readable in logs, ASCII-only (safe in any header),
 * and `@`/`,` inside names are escaped by encodeURIComponent.
 */
export function encodeCallChain(chain: readonly CallChainEntry[]): string {
  return chain
    .map((entry) => `${encodeURIComponent(entry.resource)}@${encodeURIComponent(entry.node)}`)
    .join(',');
}

export function decodeCallChain(headerValue: string | string[] | undefined): CallChainEntry[] {
  if (headerValue === undefined) return [];
  // Several x-call-chain headers are read as one chain in arrival order, as HTTP joins them.
  const joined = Array.isArray(headerValue) ? headerValue.join(',') : headerValue;
  if (joined.trim() === '') return [];
  const parts = joined.split(',');
  if (parts.length > MAX_DECODED_CHAIN) {
    throw chainError(`has ${parts.length} entries, more than ${MAX_DECODED_CHAIN}`);
  }
  return parts.map((part, index) => decodeEntry(part.trim(), index));
}

function decodeEntry(part: string, index: number): CallChainEntry {
  const at = part.indexOf('@');
  if (at <= 0 || at === part.length - 1 || part.indexOf('@', at + 1) !== -1) {
    throw chainError(`entry ${index} "${part.slice(0, 80)}" is not resource@node`);
  }
  try {
    return {
      resource: decodeURIComponent(part.slice(0, at)),
      node: decodeURIComponent(part.slice(at + 1)),
    };
  } catch {
    throw chainError(`entry ${index} "${part.slice(0, 80)}" is not valid percent-encoding`);
  }
}

function chainError(problem: string): BadParameter {
  const message = `${CALL_CHAIN_HEADER} header ${problem}`;
  return new BadParameter([{ field: CALL_CHAIN_HEADER, errors: [message] }], message);
}

/**
 * Builds the context of an incoming request from its headers (Node's IncomingHttpHeaders and
 * Fastify's both fit). The request id is the caller's choice: an interceptor usually takes the
 * incoming x-request-id or makes one.
 */
export function callContextFrom(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  requestId: string,
  nodeId: string,
): CallContext {
  return { requestId, nodeId, chain: decodeCallChain(headers[CALL_CHAIN_HEADER]) };
}
