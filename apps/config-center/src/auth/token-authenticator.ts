import { timingSafeEqual } from 'node:crypto';
import { Forbidden, Unauthorized } from '@cc/common';
import { TokenRecord, TokenRole } from '../state/records';
import { Caller, callerOf, hasRole, mayUseNamespace } from './caller';
import { hashTokenSecret } from './token-secret';

/** Where tokens are looked up: the applied view on the node, its replica in a read worker. */
export interface TokenDirectory {
  tokenByHash(secretHash: string): TokenRecord | undefined;
}

/** The client id of the ADMIN_TOKEN given in the environment (not a stored token). */
export const ENVIRONMENT_ADMIN = 'admin';

/**
 * `Authorization: Bearer <token>` and nothing else (RFC 6750: the scheme is case-insensitive,
 * the token follows one or more spaces). A header without the scheme is no credential.
 */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}

const HOW = 'send Authorization: Bearer <token>';

/**
 * Turns a bearer header into a Caller (DESIGN 21), or refuses: 40101 for a missing, unknown,
 * expired or revoked token (one message for all, so a probe learns nothing), 40301 for a valid
 * one outside its role or namespaces.
 */
/** Secrets whose hash is remembered (the hash is the read path's largest cost after a read). */
const HASH_CACHE_ENTRIES = 10_000;

export class TokenAuthenticator {
  private readonly environmentAdmin: Buffer | null;
  /** secret -> SHA-256; cleared when full (a flood of random tokens cannot grow it). */
  private readonly hashes = new Map<string, string>();
  /** One Caller per token record: a change (revoke, rotate) is a new record, so a new Caller. */
  private readonly callers = new WeakMap<TokenRecord, Caller>();

  constructor(
    private readonly directory: TokenDirectory,
    environmentAdminToken: string | null,
    private readonly now: () => number = Date.now,
  ) {
    this.environmentAdmin = environmentAdminToken ? Buffer.from(environmentAdminToken) : null;
  }

  authenticate(authorization: string | undefined): Caller {
    const presented = bearerTokenOf(authorization);
    if (presented === undefined) throw new Unauthorized(undefined, `a token is required: ${HOW}`);
    if (this.isEnvironmentAdmin(presented))
      return { clientId: ENVIRONMENT_ADMIN, role: 'admin', namespaces: '*', tokenId: null };
    const hash = this.hashOf(presented);
    const token = this.directory.tokenByHash(hash);
    if (!token || !this.accepts(token, hash))
      throw new Unauthorized(undefined, 'the token is unknown, expired or revoked');
    let caller = this.callers.get(token);
    if (!caller) {
      caller = callerOf(token);
      this.callers.set(token, caller);
    }
    return caller;
  }

  private hashOf(secret: string): string {
    let hash = this.hashes.get(secret);
    if (hash === undefined) {
      hash = hashTokenSecret(secret);
      // Only secrets of known tokens are remembered: unknown ones are refused at the cost of a hash.
      if (this.directory.tokenByHash(hash)) {
        if (this.hashes.size >= HASH_CACHE_ENTRIES) this.hashes.clear();
        this.hashes.set(secret, hash);
      }
    }
    return hash;
  }

  /** 40301 unless the caller's role reaches `role`. */
  requireRole(caller: Caller, role: TokenRole): void {
    if (!hasRole(caller, role))
      throw new Forbidden(
        { client_id: caller.clientId, role: caller.role, required: role },
        `this token's role (${caller.role}) does not allow this endpoint (needs ${role})`,
      );
  }

  /** 40301 for the first namespace the caller may not use. */
  requireNamespaces(caller: Caller, namespaces: readonly string[]): void {
    for (const namespace of namespaces)
      if (!mayUseNamespace(caller, namespace))
        throw new Forbidden(
          { client_id: caller.clientId, namespace },
          `this token does not grant access to namespace ${namespace}`,
        );
  }

  private accepts(token: TokenRecord, hash: string): boolean {
    const now = this.now();
    if (token.revokedAt !== null) return false;
    if (token.expiresAt !== null && token.expiresAt <= now) return false;
    if (token.secretHash === hash) return true;
    return token.previousValidUntil !== null && token.previousValidUntil > now;
  }

  private isEnvironmentAdmin(presented: string): boolean {
    if (!this.environmentAdmin) return false;
    const bytes = Buffer.from(presented);
    return (
      bytes.length === this.environmentAdmin.length && timingSafeEqual(bytes, this.environmentAdmin)
    );
  }
}
