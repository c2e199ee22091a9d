import { Command, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { jsonBody, RawJson } from '../core/arguments';
import { CliFailure, ExitCode } from '../core/cli-errors';
import { fields, table } from '../output/table';
import { ApiCommand, GroupCommand } from './api-command';

const SETTINGS = '/api/v1/admin/settings';
/** Settings are configs of the reserved namespace, written through the ordinary config API. */
const SYSTEM_NAMESPACE = '_system';

interface Setting {
  key: string;
  value: unknown;
  version: number;
  default: unknown;
  schema: unknown;
  updated_at: string | null;
}

async function settingNamed(api: ApiClient, key: string): Promise<Setting> {
  const { list: items } = await api.get<{ list: Setting[] }>(SETTINGS);
  const found = items.find((item) => item.key === key);
  if (!found)
    throw new CliFailure(
      ExitCode.API_ERROR,
      `no setting ${key} (known: ${items.map((item) => item.key).join(', ') || 'none'})`,
    );
  return found;
}

@SubCommand({
  name: 'get',
  arguments: '[key]',
  description: 'the _system settings (or one) with value, version and default',
})
export class SettingsGetCommand extends ApiCommand {
  protected async execute([key]: string[], _options: object, api: ApiClient) {
    if (key !== undefined) {
      const item = await settingNamed(api, key);
      return {
        data: item,
        human: () =>
          fields(
            [
              ['key', item.key],
              ['version', item.version],
              ['updated_at', item.updated_at],
              ['value', item.value],
              ['default', item.default],
            ],
            true,
          ),
      };
    }
    const data = await api.get<{ list: Setting[] }>(SETTINGS);
    return {
      data,
      human: () =>
        table(data.list, [
          { header: 'KEY', value: (item) => item.key },
          { header: 'VERSION', value: (item) => item.version },
          { header: 'VALUE', value: (item) => item.value },
          { header: 'DEFAULT', value: (item) => item.default },
          { header: 'UPDATED', value: (item) => item.updated_at },
        ]),
    };
  }
}

@SubCommand({
  name: 'set',
  arguments: '<key> <json-value>',
  description: 'change a setting (checked against its schema; applies on the next request)',
})
export class SettingsSetCommand extends ApiCommand {
  protected async execute([key, value]: string[], _options: object, api: ApiClient) {
    const data = await api.send<Record<string, unknown>>(
      'PUT',
      '/api/v1/admin/config',
      jsonBody({ namespace: SYSTEM_NAMESPACE, key, value: RawJson.parse(value, 'json-value') }),
    );
    return { data, human: () => `set ${key}: version ${String(data.version)}` };
  }
}

@SubCommand({ name: 'schema', arguments: '<key>', description: "a setting's JSON Schema" })
export class SettingsSchemaCommand extends ApiCommand {
  protected async execute([key]: string[], _options: object, api: ApiClient) {
    const { schema } = await settingNamed(api, key);
    return { data: schema, human: () => JSON.stringify(schema, null, 2) };
  }
}

@Command({
  name: 'settings',
  description: 'the typed _system settings',
  subCommands: [SettingsGetCommand, SettingsSetCommand, SettingsSchemaCommand],
})
export class SettingsCommand extends GroupCommand {
  protected readonly usage = 'ccctl settings get|set|schema';
}

export const settingsCommands = [
  SettingsCommand,
  SettingsGetCommand,
  SettingsSetCommand,
  SettingsSchemaCommand,
];
