import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { NAMESPACE_NAME_PATTERN, PageNumber, PageSize } from '../common/validation';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditOutcome } from './audit-actions';
import { AuditFilter } from './audit-filter';

/** An action name, or an endpoint id: `METHOD /route/template`. */
const ACTION_PATTERN = /^([a-z_]+\.[a-z_]+|[A-Z]+ \/[\x21-\x7e]*)$/;

export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'the authenticated client id', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  @ApiPropertyOptional({ pattern: NAMESPACE_NAME_PATTERN.source, maxLength: 128 })
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE_NAME_PATTERN)
  namespace?: string;

  @ApiPropertyOptional({
    description: `an action (${AUDIT_ACTIONS.join(', ')}) or an endpoint id such as "PUT /api/v1/admin/config"`,
    maxLength: 160,
  })
  @IsOptional()
  @IsString()
  @MaxLength(160)
  @Matches(ACTION_PATTERN, { message: 'action must be an action name or "METHOD /route"' })
  action?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ description: 'ISO 8601 time, inclusive', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditQuery extends AuditFilterQuery {
  @PageNumber() page?: number;

  @PageSize() page_size?: number;
}

/** A node's own rows, asked by a peer: the filters and how many of the newest. */
export class LocalAuditQuery extends AuditFilterQuery {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit!: number;
}

export function filterOf(query: AuditFilterQuery): AuditFilter {
  return {
    clientId: query.client_id,
    namespace: query.namespace,
    action: query.action,
    outcome: query.outcome,
    from: query.from === undefined ? undefined : Date.parse(query.from),
    to: query.to === undefined ? undefined : Date.parse(query.to),
  };
}
