import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiOperation, ApiTags } from '@nestjs/swagger';
import { fromQueryString } from '@cc/resource';
import { Ctx, RequestContext } from '../http/request-context';
import { ApiEnvelope, ApiErrors } from '../http/swagger';
import { AuditQuery, LocalAuditQuery } from './audit.dto';
import { AuditListResource, LocalAuditResource } from './audit.resources';

@ApiTags('admin: audit')
@ApiBearerAuth()
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly list: AuditListResource) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail: changes, denied and failed requests, membership changes',
    description:
      'Newest first: `{items: [{time, client_id, on_behalf_of, action, endpoint, namespace, key, client_ip, user_agent, request_id, outcome, code, node_id, revision}], total, page, page_size, unreachable_nodes}`. ' +
      'Changes are replicated (every node answers them); denials, failures and membership changes are kept by the node that saw them, and a cluster node merges every member’s (a member that does not answer within 2 s is listed in `unreachable_nodes`). ' +
      'page * page_size is at most 10000: narrow from/to for older rows.',
  })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301)
  audit(@Query() query: AuditQuery, @Ctx() context: RequestContext) {
    return this.list.request(fromQueryString(query), context);
  }
}

/** Node-to-node: a member's own audit rows (behind the cluster secret: internal-routes.guard). */
@ApiExcludeController()
@Controller('internal/audit')
export class AuditInternalController {
  constructor(private readonly local: LocalAuditResource) {}

  @Get('local')
  localRows(@Query() query: LocalAuditQuery, @Ctx() context: RequestContext) {
    return this.local.request(fromQueryString(query), context);
  }
}
