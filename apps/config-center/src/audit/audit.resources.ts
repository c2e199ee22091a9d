import { Injectable } from '@nestjs/common';
import { Resource } from '@cc/resource';
import { AuditQuery, filterOf, LocalAuditQuery } from './audit.dto';
import { AuditPage, AuditQueryService } from './audit-query.service';
import { AuditSlice } from './audit-filter';

/** GET /api/v1/admin/audit. */
@Injectable()
export class AuditListResource extends Resource<AuditQuery, AuditPage> {
  protected readonly inputSchema = AuditQuery;

  constructor(private readonly audit: AuditQueryService) {
    super();
  }

  protected perform(input: AuditQuery): Promise<AuditPage> {
    return this.audit.page(filterOf(input), input.page ?? 1, input.page_size ?? 20);
  }
}

/** GET /internal/audit/local: this node's own rows, for the node merging a cluster's audit. */
@Injectable()
export class LocalAuditResource extends Resource<LocalAuditQuery, AuditSlice> {
  protected readonly inputSchema = LocalAuditQuery;

  constructor(private readonly audit: AuditQueryService) {
    super();
  }

  protected perform(input: LocalAuditQuery): Promise<AuditSlice> {
    return this.audit.localRows(filterOf(input), input.limit);
  }
}
