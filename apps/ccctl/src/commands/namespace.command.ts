import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { jsonBody, oneOf } from '../core/arguments';
import { UsageFailure } from '../core/cli-errors';
import { fields } from '../output/table';
import { ApiCommand, CommonOptions, GroupCommand } from './api-command';

const NAMESPACE = '/api/v1/admin/namespace';
const modeOption = oneOf(['merge', 'replace'], '--mode');

interface ExportedConfig {
  key: string;
  value: unknown;
  description?: string | null;
}

interface ExportDocument {
  namespace: string;
  description: string | null;
  revision: number;
  exported_at: string;
  configs: ExportedConfig[];
}

@SubCommand({
  name: 'export',
  arguments: '<namespace>',
  description: 'the live configs of a namespace as JSON (the format import reads)',
})
export class NamespaceExportCommand extends ApiCommand<CommonOptions & { file?: string }> {
  protected async execute([namespace]: string[], options: { file?: string }, api: ApiClient) {
    const document = await api.get<ExportDocument>(`${NAMESPACE}/export`, { namespace });
    const text = JSON.stringify(document, null, 2);
    if (options.file === undefined) return { data: document, human: () => text };
    await writeFile(options.file, `${text}\n`, { mode: 0o600 }).catch((error: Error) => {
      throw new UsageFailure(`cannot write ${options.file}: ${error.message}`);
    });
    const summary = {
      namespace: document.namespace,
      file: options.file,
      configs: document.configs.length,
      revision: document.revision,
    };
    return {
      data: summary,
      human: () =>
        `exported ${summary.configs} configs of ${summary.namespace} (revision ${summary.revision}) to ${summary.file}`,
    };
  }

  @Option({ flags: '--file <path>', description: 'write the export there instead of stdout' })
  parseFile(path: string): string {
    return path;
  }
}

@SubCommand({
  name: 'import',
  arguments: '<namespace> <file>',
  description: 'import an export file into <namespace> atomically (created when missing)',
})
export class NamespaceImportCommand extends ApiCommand<
  CommonOptions & { mode?: 'merge' | 'replace' }
> {
  protected async execute(
    [namespace, file]: string[],
    options: { mode?: 'merge' | 'replace' },
    api: ApiClient,
  ) {
    const document = await readExport(file);
    const data = await api.send<Record<string, unknown>>(
      'POST',
      `${NAMESPACE}/import`,
      jsonBody({
        namespace,
        description: document.description ?? undefined,
        mode: options.mode,
        configs: document.configs.map(({ key, value, description }) => ({
          key,
          value,
          description: description ?? undefined,
        })),
      }),
    );
    return {
      data,
      human: () => `imported ${file} into ${namespace}\n${fields(Object.entries(data))}`,
    };
  }

  @Option({
    flags: '--mode <mode>',
    description: 'merge (default) keeps keys absent from the file; replace deletes them',
  })
  parseMode(mode: string): string {
    return modeOption(mode);
  }
}

/** An export document (or any `{configs: [{key, value, description?}]}`), read from a file. */
async function readExport(file: string): Promise<Pick<ExportDocument, 'description' | 'configs'>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
  const document = parsed as Partial<ExportDocument> | null;
  if (typeof document !== 'object' || document === null || !Array.isArray(document.configs))
    throw new UsageFailure(`${file} is no export: it needs a "configs" array`);
  return { description: document.description ?? null, configs: document.configs };
}

@Command({
  name: 'namespace',
  description: 'export and import namespaces',
  subCommands: [NamespaceExportCommand, NamespaceImportCommand],
})
export class NamespaceCommand extends GroupCommand {
  protected readonly usage = 'ccctl namespace export|import';
}

export const namespaceCommands = [NamespaceCommand, NamespaceExportCommand, NamespaceImportCommand];
