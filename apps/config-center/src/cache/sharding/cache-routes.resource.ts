import { Injectable } from '@nestjs/common';
import { Resource } from '@cc/resource';
import { CacheRoutesQuery, CacheRoutesView } from './cache-routes.dto';
import { RoutedRedisShards } from './routed-redis-shards';
import { ShardHealth } from './shard-health';

/** GET /api/v1/admin/cache/routes: the nodes with their health, the routes, one namespace's. */
@Injectable()
export class CacheRoutesResource extends Resource<CacheRoutesQuery, CacheRoutesView> {
  protected readonly inputSchema = CacheRoutesQuery;

  constructor(
    private readonly shards: RoutedRedisShards,
    private readonly health: ShardHealth,
  ) {
    super();
  }

  protected async perform(input: CacheRoutesQuery): Promise<CacheRoutesView> {
    const table = this.shards.table;
    const view: CacheRoutesView = {
      epoch: table.epoch,
      nodes: await this.health.nodes(),
      routes: table.settings.routes,
      redis_url: this.health.agreement(),
    };
    if (input.namespace !== undefined) {
      const route = table.lookup(input.namespace);
      view.namespace = {
        namespace: input.namespace,
        node: route?.node.name ?? null,
        epoch: table.epoch,
        explicit: route?.explicit ?? false,
      };
    }
    return view;
  }
}
