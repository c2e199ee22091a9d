import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext } from '../../http/request-context';
import { ApiEnvelope, ApiErrors } from '../../http/swagger';
import { CacheRoutesQuery, CacheRoutesView } from './cache-routes.dto';
import { CacheRoutesResource } from './cache-routes.resource';

/**
 * The Redis shards as this node routes them. Change them through `_system/cache_routes` (the
 * config API, or `ccctl cacherouter`): the change is replicated and applied on every node.
 */
@ApiTags('admin: cache')
@ApiBearerAuth()
@Controller('api/v1/admin/cache')
export class CacheRoutesController {
  constructor(private readonly routes: CacheRoutesResource) {}

  @Get('routes')
  @ApiOperation({
    summary:
      'Redis nodes with their health, explicit routes, the routing epoch; ?namespace= its route',
    description:
      'Routes live in `_system/cache_routes` ({nodes: [{name, url}], routes: {namespace: node}}); ' +
      'a namespace without an explicit route goes to a node by consistent hashing.',
  })
  @ApiEnvelope(CacheRoutesView)
  @ApiErrors(40002, 40101, 40301)
  list(@Query() query: CacheRoutesQuery, @Ctx() context: RequestContext) {
    return this.routes.request(query, context);
  }
}
