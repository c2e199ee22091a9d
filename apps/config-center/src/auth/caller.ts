import { TokenRecord, TokenRole } from '../state/records';
import { SYSTEM_NAMESPACE } from '../state/system-namespace';

const RANK: Record<TokenRole, number> = { reader: 1, writer: 2, admin: 3 };

/** Who is calling, once a token was verified at the edge (DESIGN 21). */
export interface Caller {
  clientId: string;
  role: TokenRole;
  /** '*' or the names this caller may use. */
  namespaces: ReadonlySet<string> | '*';
  /** Null for the ADMIN_TOKEN of the environment, which is not a stored token. */
  tokenId: number | null;
}

export function callerOf(token: TokenRecord): Caller {
  return {
    clientId: token.clientId,
    role: token.role,
    namespaces:
      token.role === 'admin' || token.namespaces === '*' ? '*' : new Set(token.namespaces),
    tokenId: token.id,
  };
}

/** Roles nest: admin ⊇ writer ⊇ reader. */
export function hasRole(caller: Caller, required: TokenRole): boolean {
  return RANK[caller.role] >= RANK[required];
}

export function mayUseNamespace(caller: Caller, namespace: string): boolean {
  if (caller.role === 'admin') return true;
  if (namespace === SYSTEM_NAMESPACE) return false;
  return caller.namespaces === '*' || caller.namespaces.has(namespace);
}
