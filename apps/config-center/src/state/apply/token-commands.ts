import { Conflict, TokenNotFound } from '@cc/common';
import { CreatedToken, TokenView } from '../command-results';
import { CreateToken, RevokeToken, RotateToken } from '../commands';
import { TokenRecord } from '../records';
import { ApplyContext } from './apply-context';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The API's shape of a token (no secret, no hash). */
export function tokenView(token: TokenRecord): TokenView {
  return {
    id: token.id,
    client_id: token.clientId,
    role: token.role,
    namespaces: token.namespaces,
    expires_at: iso(token.expiresAt),
    revoked_at: iso(token.revokedAt),
    previous_valid_until: iso(token.previousValidUntil),
    created_by: token.createdBy,
    created_at: new Date(token.createdAt).toISOString(),
    revision: token.revision,
  };
}

/** Active at `at`: not revoked and not expired. */
export function isActiveToken(token: TokenRecord, at: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > at);
}

export function createToken(context: ApplyContext, command: CreateToken): CreatedToken {
  const { view } = context;
  if (command.bootstrap) {
    const admin = view
      .tokens()
      .find((token) => token.role === 'admin' && isActiveToken(token, command.at));
    if (admin) return { ...tokenView(admin), created: false };
  }
  // A 256-bit secret never repeats; a repeated hash is a replayed or forged command.
  if (view.tokenByHash(command.secretHash)) throw new Conflict('this token secret is in use');
  const record: TokenRecord = {
    id: context.ids.take('access_token'),
    clientId: command.clientId,
    role: command.role,
    namespaces: command.role === 'admin' ? '*' : command.namespaces,
    secretHash: command.secretHash,
    previousHash: null,
    previousValidUntil: null,
    expiresAt: command.expiresAt,
    revokedAt: null,
    createdBy: command.operator,
    revision: context.index,
    createdAt: command.at,
    updatedAt: command.at,
  };
  save(context, record);
  return { ...tokenView(record), created: true };
}

export function revokeToken(context: ApplyContext, command: RevokeToken): TokenView {
  const token = existing(context, command.id);
  if (token.revokedAt !== null) return tokenView(token);
  const record: TokenRecord = {
    ...token,
    revokedAt: command.at,
    previousHash: null,
    previousValidUntil: null,
    revision: context.index,
    updatedAt: command.at,
  };
  save(context, record);
  return tokenView(record);
}

export function rotateToken(context: ApplyContext, command: RotateToken): TokenView {
  const token = existing(context, command.id);
  if (!isActiveToken(token, command.at))
    throw new Conflict(`token ${command.id} is revoked or expired: create a new one`);
  if (context.view.tokenByHash(command.secretHash))
    throw new Conflict('this token secret is in use');
  const graceful = command.previousValidUntil > command.at;
  const record: TokenRecord = {
    ...token,
    secretHash: command.secretHash,
    previousHash: graceful ? token.secretHash : null,
    previousValidUntil: graceful ? command.previousValidUntil : null,
    revision: context.index,
    updatedAt: command.at,
  };
  save(context, record);
  return tokenView(record);
}

function existing(context: ApplyContext, id: number): TokenRecord {
  const token = context.view.tokenById(id);
  if (!token) throw new TokenNotFound(id);
  return token;
}

function save(context: ApplyContext, record: TokenRecord): void {
  context.view.setToken(record);
  context.mutations.push({ kind: 'saveToken', record });
}
