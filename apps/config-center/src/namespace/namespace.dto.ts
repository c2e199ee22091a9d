import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ConfigKey,
  IsPresent,
  NamespaceName,
  OptionalDescription,
  PageQuery,
} from '../common/validation';
import { MAX_OPERATIONS_PER_ENTRY } from '../state/state-machine';

export class CreateNamespaceBody {
  @NamespaceName() name!: string;
  @OptionalDescription() description?: string;
}

export class NamespaceIdParam {
  @ApiProperty({ description: 'namespace id' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  id!: number;
}

export class UpdateNamespaceBody extends NamespaceIdParam {
  @OptionalDescription() description?: string;

  @ApiPropertyOptional({
    enum: [0, 1],
    description: '1 enabled, 0 disabled (reads and writes refused)',
  })
  @IsOptional()
  @IsIn([0, 1])
  status?: number;
}

export class ListNamespaceQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'substring of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({ enum: [0, 1] })
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1])
  status?: number;
}

export class ExportQuery {
  @NamespaceName() namespace!: string;
}

export class ImportedConfig {
  @ConfigKey() key!: string;

  @ApiProperty({ description: 'any JSON value' })
  @IsPresent()
  value!: unknown;

  @OptionalDescription() description?: string;
}

export class ImportBody {
  @NamespaceName() namespace!: string;
  @OptionalDescription() description?: string;

  @ApiProperty({ type: [ImportedConfig] })
  @IsArray()
  @ArrayMaxSize(MAX_OPERATIONS_PER_ENTRY)
  @IsObject({ each: true, message: 'each config must be an object' })
  @ValidateNested({ each: true })
  @Type(() => ImportedConfig)
  configs!: ImportedConfig[];

  @ApiPropertyOptional({
    enum: ['merge', 'replace'],
    default: 'merge',
    description: 'replace also deletes keys absent from the file',
  })
  @IsOptional()
  @IsIn(['merge', 'replace'])
  mode?: 'merge' | 'replace';
}

export class NamespaceView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true }) description!: string | null;
  @ApiProperty({ enum: [0, 1] }) status!: number;
  @ApiProperty() revision!: number;
  @ApiProperty() config_count!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}
