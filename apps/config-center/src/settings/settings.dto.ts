import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** GET /api/v1/admin/settings takes no parameters. */
export class SettingsQuery {}

export class SettingView {
  @ApiProperty({ example: 'audit' })
  key!: string;

  @ApiProperty({ example: 'audit trail retention: ...' })
  description!: string;

  @ApiProperty({
    description: 'the JSON Schema every value must match (ajv, draft-07)',
    type: 'object',
    additionalProperties: true,
  })
  schema!: object;

  @ApiProperty({ description: 'what the bootstrap wrote', example: { retention_days: 90 } })
  default!: unknown;

  @ApiProperty({
    description: 'the applied value (the default while `_system` does not hold a valid one)',
    example: { retention_days: 30, max_denials_kept: 100000 },
  })
  value!: unknown;

  @ApiPropertyOptional({
    description: 'version of the key in `_system`; null before bootstrap',
    nullable: true,
    type: Number,
  })
  version!: number | null;

  @ApiPropertyOptional({
    description: 'revision (log index) of the last change',
    nullable: true,
    type: Number,
  })
  revision!: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2026-12-01T10:00:00.000Z' })
  updated_at!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'admin' })
  updated_by!: string | null;
}

export class SettingsView {
  @ApiProperty({ example: '_system' })
  namespace!: string;

  @ApiProperty({ type: [SettingView] })
  list!: SettingView[];
}
