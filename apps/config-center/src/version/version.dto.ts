import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional, ValidateIf } from 'class-validator';
import { ConfigKey, NamespaceName, PageQuery, PageSize, Version } from '../common/validation';

export class ConfigPageQuery extends PageQuery {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
}

export class VersionsQuery extends ConfigPageQuery {
  @PageSize('alias of page_size, as in spec 3.6.2 (same bounds)') limit?: number;
}

export class DiffQuery {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
  @Version('version to compare from (alias: from)', false) @IsOptional() from_version?: number;
  @Version('version to compare to (alias: to)', false) @IsOptional() to_version?: number;
  @Version('alias of from_version', false) @IsOptional() from?: number;
  @Version('alias of to_version', false) @IsOptional() to?: number;
}

export class RollbackBody {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
  @Version('the version whose value becomes the new latest version') target_version!: number;
  @Version('optimistic concurrency: fail with 40901 unless the current version is this', false)
  @IsOptional()
  expected_version?: number;
}

export class KeepVersionBody {
  @NamespaceName() namespace!: string;
  @ConfigKey() key!: string;
  @Version('the version to mark') version!: number;

  @ApiProperty({
    description: 'true: survive retention cleanup; false: normal retention',
    default: true,
  })
  // Absent means true; null is no boolean (IsOptional would let it through as "kept").
  @ValidateIf((body: KeepVersionBody) => body.kept !== undefined)
  @IsBoolean()
  kept?: boolean;
}
