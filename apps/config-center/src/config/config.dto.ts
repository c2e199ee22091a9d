import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  ConfigKey,
  IsPresent,
  NamespaceName,
  OptionalDescription,
  PageQuery,
  ReadConsistency,
  Version,
} from '../common/validation';
import type { Consistency } from '../state/read-model';

export class GetConfigQuery {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
  @Version('a historical version; latest when absent', false) @IsOptional() version?: number;
  @ReadConsistency() consistency?: Consistency;
}

export class BatchGetBody {
  @NamespaceName() namespace!: string;

  @ApiProperty({ type: [String], example: ['database.mysql', 'redis.cluster'], maxItems: 500 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  keys!: string[];

  @ReadConsistency() consistency?: Consistency;
}

export class NamespaceParam {
  @NamespaceName() namespace!: string;
  @ReadConsistency() consistency?: Consistency;
}

export class CreateConfigBody {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;

  @ApiProperty({ description: 'any JSON value', example: { host: '10.0.0.1', port: 3306 } })
  @IsPresent()
  value!: unknown;

  @OptionalDescription() description?: string;
}

export class UpdateConfigBody extends CreateConfigBody {
  @Version('optimistic concurrency: fail with 40901 unless the current version is this', false)
  @IsOptional()
  expected_version?: number;
}

export class DeleteConfigQuery {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
  @Version('optimistic concurrency: fail with 40901 unless the current version is this', false)
  @IsOptional()
  expected_version?: number;
}

export class ListConfigQuery extends PageQuery {
  @NamespaceName(false) @IsOptional() namespace?: string;

  @ApiPropertyOptional({ description: 'substring of the key (fuzzy search)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  key?: string;
}

export class BatchOperation {
  @ApiProperty({ enum: ['create', 'update', 'upsert', 'delete'] })
  @IsIn(['create', 'update', 'upsert', 'delete'])
  op!: 'create' | 'update' | 'upsert' | 'delete';

  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;

  @ApiPropertyOptional({ description: 'required unless op is delete' })
  @IsOptional()
  value?: unknown;

  @OptionalDescription() description?: string;

  @Version('compare-and-set on this key', false) @IsOptional() expected_version?: number;
}

export class BatchWriteBody {
  @ApiProperty({ type: [BatchOperation], description: 'applied all together or not at all' })
  @IsArray()
  @ArrayMinSize(1)
  @IsObject({ each: true, message: 'each operation must be an object' })
  @ValidateNested({ each: true })
  @Type(() => BatchOperation)
  operations!: BatchOperation[];
}

export class ConfigView {
  @ApiProperty() namespace!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'any JSON value' }) value!: unknown;
  @ApiProperty() version!: number;
  @ApiProperty({ description: 'Raft index of the change that produced this version' })
  revision!: number;
  @ApiProperty() updated_at!: string;
}

export class ConfigWriteResult {
  @ApiProperty() id!: number;
  @ApiProperty() namespace!: string;
  @ApiProperty() key!: string;
  @ApiProperty() version!: number;
  @ApiPropertyOptional({ nullable: true }) old_version!: number | null;
  @ApiProperty() revision!: number;
}
