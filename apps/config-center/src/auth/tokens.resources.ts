import { Injectable } from '@nestjs/common';
import { TokenNotFound, ValidationFailed } from '@cc/common';
import { Resource } from '@cc/resource';
import { pagination, PageQuery } from '../common/validation';
import { RequestContext } from '../http/request-context';
import { SettingsRegistry } from '../settings/settings-registry';
import { TokenView } from '../state/command-results';
import { TokenRecord } from '../state/records';
import { StateService } from '../state/state.service';
import { isActiveToken, tokenView } from '../state/apply/token-commands';
import {
  CreateTokenBody,
  namespaceListProblem,
  RotateTokenInput,
  TokenIdParam,
} from './tokens.dto';
import { hashTokenSecret, newTokenSecret } from './token-secret';

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(token: TokenRecord, now: number): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  return isActiveToken(token, now) ? 'active' : 'expired';
}

/** A new secret in the answer, once; null when a retried request answered an earlier create. */
export interface IssuedToken extends TokenView {
  token: string | null;
  status: TokenStatus;
}

@Injectable()
export class CreateTokenResource extends Resource<CreateTokenBody, IssuedToken> {
  protected readonly inputSchema = CreateTokenBody;

  constructor(
    private readonly state: StateService,
    private readonly settings: SettingsRegistry,
  ) {
    super();
  }

  protected async perform(input: CreateTokenBody, context: RequestContext): Promise<IssuedToken> {
    const problem = namespaceListProblem(input.namespaces);
    if (problem) throw new ValidationFailed([{ field: 'namespaces', errors: [problem] }], problem);
    const now = Date.now();
    // Without expires_at: _system auth.default_ttl_seconds (null: the token does not expire).
    const ttl = this.settings.get('auth').default_ttl_seconds;
    const expiresAt =
      input.expires_at !== undefined
        ? Date.parse(input.expires_at)
        : ttl === null
          ? null
          : now + ttl * 1000;
    if (expiresAt !== null && expiresAt <= now)
      throw new ValidationFailed(
        [{ field: 'expires_at', errors: ['expires_at must be in the future'] }],
        'expires_at must be in the future',
      );
    // The secret is made here and only its hash is proposed (DESIGN 21).
    const secret = newTokenSecret();
    const secretHash = hashTokenSecret(secret);
    const { value } = await this.state.write(
      {
        type: 'CreateToken',
        clientId: input.client_id,
        role: input.role,
        namespaces: input.namespaces === '*' ? '*' : [...new Set(input.namespaces)].sort(),
        secretHash,
        expiresAt,
        at: now,
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    const { created: _created, ...view } = value;
    return {
      ...view,
      // A repeat of an earlier request (same Idempotency-Key) gets that token, not this secret.
      token: this.state.reader.tokenById(value.id)?.secretHash === secretHash ? secret : null,
      status: 'active',
    };
  }
}

@Injectable()
export class ListTokensResource extends Resource<PageQuery, unknown> {
  protected readonly inputSchema = PageQuery;

  constructor(private readonly state: StateService) {
    super();
  }

  protected perform(input: PageQuery) {
    const now = Date.now();
    const all = this.state.reader.tokens();
    const size = input.page_size ?? 20;
    const page = input.page ?? 1;
    const list = all
      .slice((page - 1) * size, page * size)
      .map((token) => ({ ...tokenView(token), status: tokenStatus(token, now) }));
    return Promise.resolve({ list, pagination: pagination(page, size, all.length) });
  }
}

@Injectable()
export class RevokeTokenResource extends Resource<
  TokenIdParam,
  TokenView & { status: TokenStatus }
> {
  protected readonly inputSchema = TokenIdParam;

  constructor(private readonly state: StateService) {
    super();
  }

  protected async perform(input: TokenIdParam, context: RequestContext) {
    if (!this.state.reader.tokenById(input.id) && !context.idempotency)
      throw new TokenNotFound(input.id);
    const { value } = await this.state.write(
      {
        type: 'RevokeToken',
        id: input.id,
        at: Date.now(),
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    return { ...value, status: 'revoked' as const };
  }
}

@Injectable()
export class RotateTokenResource extends Resource<RotateTokenInput, IssuedToken> {
  protected readonly inputSchema = RotateTokenInput;

  constructor(
    private readonly state: StateService,
    private readonly settings: SettingsRegistry,
  ) {
    super();
  }

  protected async perform(input: RotateTokenInput, context: RequestContext) {
    if (!this.state.reader.tokenById(input.id) && !context.idempotency)
      throw new TokenNotFound(input.id);
    const secret = newTokenSecret();
    const secretHash = hashTokenSecret(secret);
    const now = Date.now();
    const grace = input.grace_seconds ?? this.settings.get('auth').rotation_grace_seconds;
    const { value } = await this.state.write(
      {
        type: 'RotateToken',
        id: input.id,
        secretHash,
        previousValidUntil: now + grace * 1000,
        at: now,
        operator: context.operator,
        idempotency: context.idempotency,
        origin: context.origin,
      },
      context,
    );
    const stored = this.state.reader.tokenById(value.id);
    return {
      ...value,
      token: stored?.secretHash === secretHash ? secret : null,
      status: stored ? tokenStatus(stored, Date.now()) : ('active' as const),
    };
  }
}
