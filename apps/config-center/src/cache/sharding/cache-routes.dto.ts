import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { NamespaceName } from '../../common/validation';

export class CacheRoutesQuery {
  @NamespaceName(false)
  @IsOptional()
  namespace?: string;
}

export class ShardNodeView {
  @ApiProperty({ example: 'redis-a' })
  name!: string;

  @ApiProperty({ description: 'password replaced by ***', example: 'redis://10.0.0.1:6379' })
  url!: string;

  @ApiProperty({ enum: ['healthy', 'unhealthy'] })
  status!: 'healthy' | 'unhealthy';

  @ApiPropertyOptional({ description: 'PING round trip' })
  latency_ms?: number;

  @ApiPropertyOptional()
  error?: string;
}

export class NamespaceRouteView {
  @ApiProperty({ example: 'billing' })
  namespace!: string;

  @ApiPropertyOptional({
    description: 'the node holding its keys; null with no Redis configured',
    nullable: true,
    type: String,
  })
  node!: string | null;

  @ApiProperty({ description: 'the routing epoch every fill of this node carries' })
  epoch!: number;

  @ApiProperty({ description: 'true: an explicit route; false: consistent hashing' })
  explicit!: boolean;
}

export class RedisUrlView {
  @ApiProperty({ example: 'redis://127.0.0.1:6379' })
  redis_url!: string;

  @ApiProperty({ description: 'false: REDIS_URL disagrees with cache_routes (cache_routes wins)' })
  in_cache_routes!: boolean;

  @ApiPropertyOptional()
  note?: string;
}

export class CacheRoutesView {
  @ApiProperty({
    description: 'revision of the `_system/cache_routes` entry this node routes by (0: seed)',
  })
  epoch!: number;

  @ApiProperty({ type: [ShardNodeView] })
  nodes!: ShardNodeView[];

  @ApiProperty({
    description: 'explicit routes, namespace -> node',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { billing: 'redis-b' },
  })
  routes!: Record<string, string>;

  @ApiPropertyOptional({ type: RedisUrlView, nullable: true })
  redis_url!: RedisUrlView | null;

  @ApiPropertyOptional({ type: NamespaceRouteView, description: 'with ?namespace= only' })
  namespace?: NamespaceRouteView;
}
