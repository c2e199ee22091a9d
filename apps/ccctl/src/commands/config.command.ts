import { Command, Option, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { jsonBody, optionParser, positiveInteger, RawJson } from '../core/arguments';
import { ApiFailure } from '../core/cli-errors';
import { fields, table } from '../output/table';
import { ApiCommand, CommonOptions, GroupCommand } from './api-command';

const ADMIN_CONFIG = '/api/v1/admin/config';

interface ConfigView {
  namespace: string;
  key: string;
  value: unknown;
  version: number;
  revision: number;
  updated_at: string;
}

interface HistoryItem {
  version: number;
  operation: string;
  operator: string;
  revision: number;
  created_at: string;
  new_value: unknown;
}

interface Page<Item> {
  list: Item[];
  pagination: { page: number; page_size: number; total: number; total_pages: number };
}

const versionOption = optionParser((text) => positiveInteger(text, 'version'));
const pageOption = optionParser((text) => positiveInteger(text, 'page'));

@SubCommand({
  name: 'get',
  arguments: '<namespace> <key>',
  description: 'a config: the latest version, or --version N',
})
export class ConfigGetCommand extends ApiCommand<CommonOptions & { version?: number }> {
  protected async execute(
    [namespace, key]: string[],
    options: { version?: number },
    api: ApiClient,
  ) {
    const data = await api.get<ConfigView>('/api/v1/config/get', {
      namespace,
      key,
      version: options.version,
    });
    return {
      data,
      human: () =>
        fields(
          [
            ['namespace', data.namespace],
            ['key', data.key],
            ['version', data.version],
            ['revision', data.revision],
            ['updated_at', data.updated_at],
            ['value', data.value],
          ],
          true,
        ),
    };
  }

  @Option({ flags: '--version <n>', description: 'a historical version' })
  parseVersion(text: string): number {
    return versionOption(text);
  }
}

/** A batch of one fails as `operation 0 (upsert ns/key): why`; say just why, as a PUT would. */
function asSingleWrite(error: unknown): unknown {
  if (!(error instanceof ApiFailure)) return error;
  const message = error.apiMessage.replace(/^operation 0 \([^)]*\): /, '');
  const details = error.details as { cause?: unknown } | undefined;
  return new ApiFailure(error.code, message, error.requestId, details?.cause);
}

@SubCommand({
  name: 'set',
  arguments: '<namespace> <key> <json-value>',
  description: 'create or update a config (value as JSON: 42, \'"text"\', \'{"a":1}\')',
})
export class ConfigSetCommand extends ApiCommand<CommonOptions & { description?: string }> {
  protected async execute(
    [namespace, key, value]: string[],
    options: { description?: string },
    api: ApiClient,
  ) {
    // One atomic upsert (a batch of one): no window between "is it there?" and the write.
    const operation = {
      op: 'upsert',
      namespace,
      key,
      value: RawJson.parse(value, 'json-value'),
      description: options.description,
    };
    const answer = await api
      .send<{ results: Array<Record<string, unknown>> }>(
        'POST',
        `${ADMIN_CONFIG}/batch`,
        jsonBody({ operations: [operation] }),
      )
      .catch((error: unknown) => {
        throw asSingleWrite(error);
      });
    const data = answer.results[0];
    return {
      data,
      human: () =>
        `${data.old_version === null ? 'created' : 'updated'} ${namespace}/${key}: version ${String(data.version)} (revision ${String(data.revision)})`,
    };
  }

  @Option({ flags: '--description <text>', description: 'a description of the config' })
  parseDescription(text: string): string {
    return text;
  }
}

@SubCommand({
  name: 'history',
  arguments: '<namespace> <key>',
  description: 'every change of a key, newest first',
})
export class ConfigHistoryCommand extends ApiCommand<
  CommonOptions & { page?: number; pageSize?: number }
> {
  protected async execute(
    [namespace, key]: string[],
    options: { page?: number; pageSize?: number },
    api: ApiClient,
  ) {
    const data = await api.get<Page<HistoryItem>>(`${ADMIN_CONFIG}/history`, {
      namespace,
      key,
      page: options.page,
      page_size: options.pageSize,
    });
    const { page, total_pages, total } = data.pagination;
    return {
      data,
      human: () =>
        table(data.list, [
          { header: 'VERSION', value: (item) => item.version },
          { header: 'OPERATION', value: (item) => item.operation },
          { header: 'OPERATOR', value: (item) => item.operator },
          { header: 'TIME', value: (item) => item.created_at },
          { header: 'VALUE', value: (item) => item.new_value },
        ]) + `\npage ${page} of ${total_pages}, ${total} changes`,
    };
  }

  @Option({ flags: '--page <n>', description: 'page number (from 1)' })
  parsePage(text: string): number {
    return pageOption(text);
  }

  @Option({ flags: '--page-size <n>', description: 'changes per page (default 20)' })
  parsePageSize(text: string): number {
    return pageOption(text);
  }
}

@SubCommand({
  name: 'rollback',
  arguments: '<namespace> <key> <version>',
  description: "write a new version equal to <version>'s value",
})
export class ConfigRollbackCommand extends ApiCommand {
  protected async execute([namespace, key, version]: string[], _options: object, api: ApiClient) {
    const target = positiveInteger(version, 'version');
    const data = await api.send<Record<string, unknown>>(
      'POST',
      `${ADMIN_CONFIG}/rollback`,
      jsonBody({ namespace, key, target_version: target }),
    );
    return {
      data,
      human: () =>
        `rolled back ${namespace}/${key} to version ${target}\n${fields(Object.entries(data))}`,
    };
  }
}

@Command({
  name: 'config',
  description: 'read and write configs',
  subCommands: [ConfigGetCommand, ConfigSetCommand, ConfigHistoryCommand, ConfigRollbackCommand],
})
export class ConfigCommand extends GroupCommand {
  protected readonly usage = 'ccctl config get|set|history|rollback';
}

export const configCommands = [
  ConfigCommand,
  ConfigGetCommand,
  ConfigSetCommand,
  ConfigHistoryCommand,
  ConfigRollbackCommand,
];
