import { Command, Option, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import {
  commaList,
  isoTime,
  jsonBody,
  nonNegativeInteger,
  oneOf,
  optionParser,
} from '../core/arguments';
import { UsageFailure } from '../core/cli-errors';
import { fields, table } from '../output/table';
import { ApiCommand, CommonOptions, GroupCommand } from './api-command';

const TOKENS = '/api/v1/admin/tokens';
const roleOption = oneOf(['admin', 'writer', 'reader'], '--role');
const SHOWN_ONCE =
  'warning: the token secret is shown only this once; store it now (it cannot be read back)';

type Namespaces = string[] | '*';

interface TokenItem {
  id: string;
  client_id: string;
  role: string;
  namespaces: Namespaces;
  status: 'active' | 'expired' | 'revoked';
  expires_at: string | null;
  created_at: string;
  created_by: string;
}

interface CreateOptions extends CommonOptions {
  clientId?: string;
  role?: string;
  namespaces?: string[];
  allNamespaces?: boolean;
  expiresAt?: string;
}

const namespacesText = (namespaces: Namespaces | undefined): string =>
  namespaces === '*' ? '*' : (namespaces ?? []).join(',');

/** The request body of `auth token create`, checked before anything is sent. */
export function createTokenBody(options: CreateOptions): Record<string, unknown> {
  if (!options.clientId) throw new UsageFailure('--client-id is required');
  if (!options.role) throw new UsageFailure('--role is required (admin, writer or reader)');
  if (options.namespaces && options.allNamespaces)
    throw new UsageFailure('give --namespaces or --all-namespaces, not both');
  let namespaces: Namespaces;
  if (options.allNamespaces || (options.role === 'admin' && !options.namespaces)) namespaces = '*';
  else if (options.namespaces) namespaces = options.namespaces;
  else throw new UsageFailure(`a ${options.role} token needs --namespaces a,b or --all-namespaces`);
  return {
    client_id: options.clientId,
    role: options.role,
    namespaces,
    expires_at: options.expiresAt,
  };
}

@SubCommand({ name: 'create', description: 'issue a token (the secret is printed once)' })
export class TokenCreateCommand extends ApiCommand<CreateOptions> {
  protected async execute(_args: string[], options: CreateOptions, api: ApiClient) {
    const data = await api.send<Record<string, unknown> & { token: string }>(
      'POST',
      TOKENS,
      jsonBody(createTokenBody(options)),
    );
    return {
      data,
      notice: SHOWN_ONCE,
      human: () =>
        fields([
          ['id', data.id],
          ['client_id', data.client_id],
          ['role', data.role],
          ['namespaces', namespacesText(data.namespaces as Namespaces)],
          ['expires_at', data.expires_at ?? 'never'],
          ['created_at', data.created_at],
          ['token', data.token],
        ]),
    };
  }

  @Option({
    flags: '--client-id <id>',
    description: 'who the token is for (recorded on changes)',
    required: true,
  })
  parseClientId(value: string): string {
    return value;
  }

  @Option({ flags: '--role <role>', description: 'admin, writer or reader', required: true })
  parseRole(value: string): string {
    return roleOption(value);
  }

  @Option({ flags: '--namespaces <list>', description: 'comma-separated namespaces' })
  parseNamespaces(value: string): string[] {
    return optionParser((text) => commaList(text, '--namespaces'))(value);
  }

  @Option({ flags: '--all-namespaces', description: 'every namespace (admins always have it)' })
  parseAllNamespaces(): boolean {
    return true;
  }

  @Option({ flags: '--expires-at <time>', description: 'ISO 8601 expiry (default: never)' })
  parseExpiresAt(value: string): string {
    return optionParser((text) => isoTime(text, '--expires-at'))(value);
  }
}

@SubCommand({ name: 'list', description: 'tokens with their role, namespaces and status' })
export class TokenListCommand extends ApiCommand {
  protected async execute(_args: string[], _options: object, api: ApiClient) {
    const data = await api.get<{ list: TokenItem[]; pagination: { total: number } }>(TOKENS);
    return {
      data,
      human: () =>
        table(data.list, [
          { header: 'ID', value: (item) => item.id },
          { header: 'CLIENT', value: (item) => item.client_id },
          { header: 'ROLE', value: (item) => item.role },
          { header: 'NAMESPACES', value: (item) => namespacesText(item.namespaces) },
          { header: 'STATUS', value: (item) => item.status },
          { header: 'EXPIRES', value: (item) => item.expires_at ?? 'never' },
          { header: 'CREATED', value: (item) => item.created_at },
          { header: 'BY', value: (item) => item.created_by },
        ]) + `\n${data.pagination.total} tokens`,
    };
  }
}

@SubCommand({ name: 'revoke', arguments: '<id>', description: 'revoke a token at once' })
export class TokenRevokeCommand extends ApiCommand {
  protected async execute([id]: string[], _options: object, api: ApiClient) {
    const data = await api.delete(`${TOKENS}/${encodeURIComponent(id)}`);
    return { data, human: () => `revoked token ${id}` };
  }
}

@SubCommand({
  name: 'rotate',
  arguments: '<id>',
  description: 'issue a new secret; the old one stays valid for --grace-seconds',
})
export class TokenRotateCommand extends ApiCommand<CommonOptions & { graceSeconds?: number }> {
  protected async execute([id]: string[], options: { graceSeconds?: number }, api: ApiClient) {
    const data = await api.send<{ id: string; token: string; previous_valid_until: string | null }>(
      'POST',
      `${TOKENS}/${encodeURIComponent(id)}/rotate`,
      jsonBody({ grace_seconds: options.graceSeconds }),
    );
    return {
      data,
      notice: SHOWN_ONCE,
      human: () =>
        fields([
          ['id', data.id],
          ['previous_valid_until', data.previous_valid_until ?? 'now'],
          ['token', data.token],
        ]),
    };
  }

  @Option({ flags: '--grace-seconds <n>', description: 'how long the old secret keeps working' })
  parseGraceSeconds(value: string): number {
    return optionParser((text) => nonNegativeInteger(text, '--grace-seconds'))(value);
  }
}

@SubCommand({
  name: 'token',
  description: 'issue, list, revoke and rotate API tokens',
  subCommands: [TokenCreateCommand, TokenListCommand, TokenRevokeCommand, TokenRotateCommand],
})
export class AuthTokenCommand extends GroupCommand {
  protected readonly usage = 'ccctl auth token create|list|revoke|rotate';
}

@Command({ name: 'auth', description: 'tokens and roles', subCommands: [AuthTokenCommand] })
export class AuthCommand extends GroupCommand {
  protected readonly usage = 'ccctl auth token';
}

export const authCommands = [
  AuthCommand,
  AuthTokenCommand,
  TokenCreateCommand,
  TokenListCommand,
  TokenRevokeCommand,
  TokenRotateCommand,
];
