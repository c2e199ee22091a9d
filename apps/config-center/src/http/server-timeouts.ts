/**
 * Timeouts of the node's and the read workers' HTTP servers. No request or socket timeout: a
 * Raft stream is one request that may live for days (a dead one is noticed by its sender, which
 * misses the acknowledgements). Fastify hands 0 to Node's `server.requestTimeout` and
 * `server.setTimeout`; Node's `headersTimeout` only runs until the headers are in.
 */
export const SERVER_TIMEOUTS = {
  keepAliveTimeout: 65_000,
  requestTimeout: 0,
  connectionTimeout: 0,
} as const;
