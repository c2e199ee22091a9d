import { Command, Option } from 'nest-commander';
import { ApiClient, Query } from '../api/api-client';
import { isoTime, oneOf, optionParser, positiveInteger } from '../core/arguments';
import { table } from '../output/table';
import { ApiCommand, CommonOptions } from './api-command';

interface AuditOptions extends CommonOptions {
  client?: string;
  namespace?: string;
  action?: string;
  outcome?: string;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

interface AuditEvent {
  time: string;
  client_id: string;
  on_behalf_of: string | null;
  action: string;
  endpoint: string;
  namespace: string | null;
  key: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string;
  outcome: string;
  code: number;
  node_id: string;
}

/** The audit query string: the API's names for the CLI's flags. */
export function auditQuery(options: AuditOptions): Query {
  return {
    client_id: options.client,
    namespace: options.namespace,
    action: options.action,
    outcome: options.outcome,
    from: options.from,
    to: options.to,
    page: options.page,
    page_size: options.pageSize,
  };
}

const outcomeOption = oneOf(['success', 'denied', 'failed'], '--outcome');
const integerOption = (what: string) => optionParser((text) => positiveInteger(text, what));
const timeOption = (what: string) => optionParser((text) => isoTime(text, what));

@Command({
  name: 'audit',
  description: 'changes, denials and limits: who, what, when, from where, outcome',
})
export class AuditCommand extends ApiCommand<AuditOptions> {
  protected async execute(_args: string[], options: AuditOptions, api: ApiClient) {
    const data = await api.get<{
      items: AuditEvent[];
      total: number;
      page: number;
      page_size: number;
    }>('/api/v1/admin/audit', auditQuery(options));
    const pages = Math.max(1, Math.ceil(data.total / Math.max(1, data.page_size)));
    return {
      data,
      human: () =>
        table(data.items, [
          { header: 'TIME', value: (event) => event.time },
          { header: 'CLIENT', value: (event) => event.client_id },
          { header: 'ACTION', value: (event) => event.action },
          { header: 'NAMESPACE', value: (event) => event.namespace },
          { header: 'KEY', value: (event) => event.key },
          { header: 'OUTCOME', value: (event) => event.outcome },
          { header: 'CODE', value: (event) => event.code },
          { header: 'IP', value: (event) => event.client_ip },
          { header: 'NODE', value: (event) => event.node_id },
          { header: 'REQUEST', value: (event) => event.request_id },
        ]) + `\npage ${data.page} of ${pages}, ${data.total} events`,
    };
  }

  @Option({ flags: '--client <id>', description: 'only this client id' })
  parseClient(value: string): string {
    return value;
  }

  @Option({ flags: '--namespace <name>', description: 'only this namespace' })
  parseNamespace(value: string): string {
    return value;
  }

  @Option({ flags: '--action <action>', description: 'only this action (endpoint id)' })
  parseAction(value: string): string {
    return value;
  }

  @Option({
    flags: '--outcome <outcome>',
    description: 'success, denied or failed',
  })
  parseOutcome(value: string): string {
    return outcomeOption(value);
  }

  @Option({ flags: '--from <time>', description: 'from this ISO 8601 time' })
  parseFrom(value: string): string {
    return timeOption('--from')(value);
  }

  @Option({ flags: '--to <time>', description: 'up to this ISO 8601 time' })
  parseTo(value: string): string {
    return timeOption('--to')(value);
  }

  @Option({ flags: '--page <n>', description: 'page number (from 1)' })
  parsePage(value: string): number {
    return integerOption('--page')(value);
  }

  @Option({ flags: '--page-size <n>', description: 'events per page' })
  parsePageSize(value: string): number {
    return integerOption('--page-size')(value);
  }
}

export const auditCommands = [AuditCommand];
