import { AppConfig } from '../env/app-config';

/**
 * Options of the node's and the read workers' Fastify servers. Node's `requestTimeout` stays 0:
 * it would also cut the Raft stream, one request that lives for days. The body timeout is
 * applied per request instead (edge-guards.ts), and the stream route lifts the idle timeout of
 * its own socket.
 */
export function serverTimeouts(limits: AppConfig['http']) {
  return {
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    /** Socket inactivity, either way: a stalled upload or a reader that stopped reading. */
    connectionTimeout: limits.idleTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // How often Node checks the header timeout (default 30 s, which would triple a 10 s bound).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
  } as const;
}
