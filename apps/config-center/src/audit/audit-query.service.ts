import { Injectable, Logger } from '@nestjs/common';
import { ValidationFailed } from '@cc/common';
import { AuditChangeQueries } from './audit-changes.queries';
import { AuditFilter, AuditItem, AuditSlice, newestFirst } from './audit-filter';
import { AuditLocalStore } from './audit-local.store';
import { AuditPeers, fetchPeerAudit } from './audit-peers';
import { LocalAuditRecorder } from './local-audit.recorder';

/**
 * The deepest row a page may reach (page * page_size): every source is read newest first up to
 * it and merged, so deeper pages cost more; past it, narrow the time range (from/to).
 */
export const MAX_AUDIT_DEPTH = 10_000;

export interface AuditPage {
  items: AuditItem[];
  total: number;
  page: number;
  page_size: number;
  /** Members whose local rows (denials, membership changes) are missing from this answer. */
  unreachable_nodes: string[];
}

/** GET /api/v1/admin/audit: the replicated changes, this node's local rows, and its peers'. */
@Injectable()
export class AuditQueryService {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly changes: AuditChangeQueries,
    private readonly local: AuditLocalStore,
    private readonly recorder: LocalAuditRecorder,
    private readonly peers: AuditPeers,
  ) {}

  /** This node's own rows (what a peer asks for over AUDIT_LOCAL_PATH). */
  async localRows(filter: AuditFilter, limit: number): Promise<AuditSlice> {
    await this.recorder.flush();
    return this.local.query(filter, Math.min(limit, MAX_AUDIT_DEPTH));
  }

  async page(filter: AuditFilter, page: number, pageSize: number): Promise<AuditPage> {
    const depth = page * pageSize;
    if (depth > MAX_AUDIT_DEPTH) {
      const message = `page * page_size may be at most ${MAX_AUDIT_DEPTH}: narrow the time range (from, to) to see older rows`;
      throw new ValidationFailed([{ field: 'page', errors: [message] }], message);
    }
    const unreachable: string[] = [];
    const headers = this.peers.headers();
    const [changes, own, ...remote] = await Promise.all([
      this.changes.query(filter, depth),
      this.localRows(filter, depth),
      ...this.peers.others().map((peer) =>
        fetchPeerAudit(peer, headers, filter, depth).catch((error: unknown) => {
          this.logger.warn({ peer: peer.id, err: error }, 'audit: a peer did not answer');
          unreachable.push(peer.id);
          return { items: [], total: 0 } as AuditSlice;
        }),
      ),
    ]);
    const slices = [...changes, own, ...remote];
    const merged = slices.flatMap((slice) => slice.items).sort(newestFirst);
    return {
      items: merged.slice(depth - pageSize, depth),
      total: slices.reduce((sum, slice) => sum + slice.total, 0),
      page,
      page_size: pageSize,
      unreachable_nodes: unreachable.sort(),
    };
  }
}
