import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { NAMESPACE_NAME_PATTERN } from '../common/validation';
import { TOKEN_ROLES, TokenRole } from '../state/records';

/** Printable ASCII without spaces: a client id is shown in logs, audit rows and metrics. */
export const CLIENT_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;
/** How many namespaces one token may name (a token for more uses `*`). */
export const MAX_TOKEN_NAMESPACES = 1000;

export class CreateTokenBody {
  @ApiProperty({ example: 'billing-service', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(CLIENT_ID_PATTERN, { message: 'client_id must be 1-64 visible ASCII characters' })
  client_id!: string;

  @ApiProperty({ enum: TOKEN_ROLES })
  @IsIn(TOKEN_ROLES)
  role!: TokenRole;

  @ApiProperty({
    description: 'namespace names, or "*" for all (an admin token always has all)',
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'string', enum: ['*'] },
    ],
    example: ['billing'],
  })
  // Checked by namespaceListProblem; without a decorator the whitelist would strip it.
  @Allow()
  namespaces!: string[] | '*';

  @ApiPropertyOptional({ description: 'ISO 8601 time after which the token is refused' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class TokenIdParam {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id!: number;
}

export class RotateTokenBody {
  @ApiPropertyOptional({
    description:
      'seconds the previous secret stays valid (default: _system auth.rotation_grace_seconds, else 3600)',
    minimum: 0,
    maximum: 30 * 24 * 3600,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  grace_seconds?: number;
}

/** Checks `namespaces` (class-validator cannot say "array of names or the string *"). */
export function namespaceListProblem(namespaces: unknown): string | undefined {
  if (namespaces === '*') return undefined;
  if (!Array.isArray(namespaces)) return 'namespaces must be a list of namespace names or "*"';
  if (namespaces.length > MAX_TOKEN_NAMESPACES)
    return `namespaces may name at most ${MAX_TOKEN_NAMESPACES} namespaces (use "*")`;
  for (const name of namespaces)
    if (typeof name !== 'string' || name.length > 128 || !NAMESPACE_NAME_PATTERN.test(name))
      return `namespaces: ${JSON.stringify(name)} is not a namespace name`;
  return undefined;
}

export class RotateTokenInput extends RotateTokenBody {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id!: number;
}
