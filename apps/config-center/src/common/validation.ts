import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { isWellFormed } from './unicode';

/** Namespace names: letters, digits, `.`, `_`, `-`; a leading `_` is reserved for the system. */
export const NAMESPACE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/**
 * Keys (DESIGN 25): dotted paths like `database.mysql.host` or `app.名字`, in letters and digits
 * of any script (`\p{L}`, `\p{N}`), the combining marks many scripts need to spell a word
 * (`\p{M}`: Devanagari vowel signs, Thai tone marks, a decomposed accent), and `. _ : / -`.
 * The first character is a letter, a digit or `_` (never a mark, which would combine with what
 * came before). Never whitespace, control or format characters (zero-width, bidi controls).
 * Keys are compared code point by code point, never normalized: `café` written precomposed (NFC)
 * and decomposed (NFD) are two keys, as in etcd and on a Linux file system.
 */
export const CONFIG_KEY_PATTERN = /^[\p{L}\p{N}_][\p{L}\p{M}\p{N}._:/-]*$/u;
export const RESERVED_NAMESPACE_PREFIX = '_';

export const NamespaceName = (required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: 'user-service',
      pattern: NAMESPACE_NAME_PATTERN.source,
      maxLength: 128,
    }),
    IsString(),
    MaxLength(128),
    Matches(NAMESPACE_NAME_PATTERN, {
      message:
        'namespace must be 1-128 characters of [A-Za-z0-9._-], starting with a letter, digit or _',
    }),
  );

export const ConfigKey = (required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: 'database.mysql.host',
      pattern: CONFIG_KEY_PATTERN.source,
      description: 'Letters, digits and marks of any script, and `._:/-`; compared exactly.',
      maxLength: 256,
    }),
    IsString(),
    MaxLength(256),
    Matches(CONFIG_KEY_PATTERN, {
      message:
        'key must be 1-256 letters, digits or marks of any script or [._:/-], starting with a letter, digit or _',
    }),
  );

export const Version = (description: string, required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ description, minimum: 1, type: Number }),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(2_147_483_647),
  );

export const OptionalDescription = () =>
  applyDecorators(
    ApiPropertyOptional({ maxLength: 512, nullable: true }),
    IsOptional(),
    IsString(),
    MaxLength(512),
    IsWellFormedText(),
  );

/**
 * Text that is valid Unicode: no lone surrogate (a JSON body may spell one as `\ud800`). The
 * database cannot store one (DESIGN 27: the write path refuses it rather than let the driver
 * put U+FFFD in its place), so a free-text field holding one is refused here, before the log.
 */
export const IsWellFormedText = () =>
  ValidateBy({
    name: 'isWellFormedText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isWellFormed(value),
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be valid Unicode text (it holds a lone surrogate)`,
    },
  });

/** The most rows a page may ask for (`page_size`, or its alias `limit`). */
export const MAX_PAGE_SIZE = 500;

/** Rows per page: 1-500, the same rules for `page_size` and every alias of it. */
export const PageSize = (description = 'rows per page') =>
  applyDecorators(
    ApiPropertyOptional({ description, default: 20, minimum: 1, maximum: MAX_PAGE_SIZE }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_SIZE),
  );

/** The page number: 1-1,000,000 (a deeper page is a scan nobody needs). */
export const PageNumber = () =>
  applyDecorators(
    ApiPropertyOptional({ default: 1, minimum: 1, maximum: 1_000_000 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(1_000_000),
  );

export class PageQuery {
  @PageNumber() page?: number;

  @PageSize() page_size?: number;
}

export interface Pagination {
  page: number;
  page_size: number;
  total: number;
  total_pages: number;
}

export function pagination(
  page: number | undefined,
  pageSize: number | undefined,
  total: number,
): Pagination {
  const size = pageSize ?? 20;
  return { page: page ?? 1, page_size: size, total, total_pages: Math.ceil(total / size) };
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `consistency=linearizable` reads through ReadIndex on the leader (DESIGN 5); default serializable. */
export const ReadConsistency = () =>
  applyDecorators(
    ApiPropertyOptional({
      enum: ['serializable', 'linearizable'],
      default: 'serializable',
      description: 'linearizable: confirmed with a quorum first (slower, never stale)',
    }),
    IsOptional(),
    IsIn(['serializable', 'linearizable']),
  );

/** Required, but any JSON value, `null` included (class-validator's IsDefined refuses null). */
export const IsPresent = () =>
  ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown) => value !== undefined,
      defaultMessage: (args) => `${args?.property ?? 'value'} is required`,
    },
  });
