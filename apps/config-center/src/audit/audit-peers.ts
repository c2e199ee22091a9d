import http from 'node:http';
import { AuditFilter, AuditSlice } from './audit-filter';

/** The node-to-node route answering a node's local audit rows (behind the cluster secret). */
export const AUDIT_LOCAL_PATH = '/internal/audit/local';

export interface AuditPeer {
  id: string;
  url: string;
}

/**
 * The other members of the cluster, and the headers that prove a request comes from one (the
 * cluster secret). A port: the composition root adapts the Raft log to it; a single node has none.
 */
export abstract class AuditPeers {
  abstract others(): AuditPeer[];
  abstract headers(): Record<string, string>;
}

export class NoAuditPeers extends AuditPeers {
  others(): AuditPeer[] {
    return [];
  }
  headers(): Record<string, string> {
    return {};
  }
}

/** A peer's answer is bounded in time and bytes: one that passes either counts as unreachable. */
export const PEER_AUDIT_TIMEOUT_MS = 2000;
const MAX_PEER_ANSWER_BYTES = 32 * 1024 * 1024;

export function queryOf(filter: AuditFilter, limit: number): URLSearchParams {
  const query = new URLSearchParams({ limit: String(limit) });
  if (filter.clientId !== undefined) query.set('client_id', filter.clientId);
  if (filter.namespace !== undefined) query.set('namespace', filter.namespace);
  if (filter.action !== undefined) query.set('action', filter.action);
  if (filter.outcome !== undefined) query.set('outcome', filter.outcome);
  if (filter.from !== undefined) query.set('from', new Date(filter.from).toISOString());
  if (filter.to !== undefined) query.set('to', new Date(filter.to).toISOString());
  return query;
}

/** One peer's local rows for the filter (GET AUDIT_LOCAL_PATH), or a rejection. */
export function fetchPeerAudit(
  peer: AuditPeer,
  headers: Record<string, string>,
  filter: AuditFilter,
  limit: number,
  timeoutMs = PEER_AUDIT_TIMEOUT_MS,
): Promise<AuditSlice> {
  const url = new URL(`${AUDIT_LOCAL_PATH}?${queryOf(filter, limit).toString()}`, peer.url);
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, timeout: timeoutMs }, (response) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      response.on('data', (part: Buffer) => {
        bytes += part.length;
        if (bytes > MAX_PEER_ANSWER_BYTES) request.destroy(new Error('answer too large'));
        else parts.push(part);
      });
      response.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
            code: number;
            data?: AuditSlice;
          };
          if (response.statusCode !== 200 || body.code !== 0 || !body.data)
            throw new Error(`answered ${response.statusCode} ${body.code}`);
          resolve(body.data);
        } catch (error) {
          reject(error as Error);
        }
      });
      response.on('error', reject);
    });
    // The whole exchange, not only an idle socket, is bounded.
    const timer = setTimeout(() => request.destroy(new Error('no answer in time')), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new Error('no answer in time')));
    request.on('error', reject);
  });
}
