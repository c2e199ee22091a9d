import { Injectable, Optional } from '@nestjs/common';
import { ConfigNotFound, setOwn } from '@cc/common';
import { Resource } from '@cc/resource';
import { pageAnswerBytes } from '../common/page-bound';
import { isoTime } from '../common/validation';
import { enterIfExpensive, ExpensiveWorkContext } from '../http/expensive-reads';
import { enabledNamespace } from '../namespace/namespace-lookup';
import { PerRevisionCache, SharedJson } from '../http/shared-answer';
import { ReadModel } from '../state/read-model';
import { NamespaceRecord } from '../state/records';
import { StateReader } from '../state/state-view';
import { ReadCounts } from '../cache/read-counts';
import { VersionLookup, versionAt } from '../version/version-reads';
import { BatchGetBody, ConfigView, GetConfigQuery, NamespaceParam } from './config.dto';

/**
 * GET /api/v1/config/get: the latest value from memory (never Redis), or a historical version
 * through the cache (memory -> Redis -> database; a read worker passes those to its node).
 */
@Injectable()
export class GetConfigResource extends Resource<GetConfigQuery, ConfigView> {
  protected readonly inputSchema = GetConfigQuery;

  constructor(
    private readonly state: ReadModel,
    private readonly versions: VersionLookup,
    @Optional() private readonly heat?: ReadCounts,
  ) {
    super();
  }

  protected async perform(input: GetConfigQuery): Promise<ConfigView> {
    await this.state.readBarrier(input.consistency);
    const reader = this.state.reader;
    const namespace = enabledNamespace(reader, input.namespace);
    const config = reader.config(namespace.id, input.key);
    if (!config) throw new ConfigNotFound(input.namespace, input.key, input.version);
    this.heat?.read(namespace.name, config.key);
    if (input.version === undefined || input.version === config.version) {
      if (config.deleted) throw new ConfigNotFound(input.namespace, input.key, input.version);
      return {
        namespace: namespace.name,
        key: config.key,
        value: config.value,
        version: config.version,
        revision: config.revision,
        updated_at: isoTime(config.updatedAt),
      };
    }
    const found = await this.versions.findVersion(
      versionAt(reader.appliedIndex, namespace, config),
      input.version,
    );
    if (!found) throw new ConfigNotFound(input.namespace, input.key, input.version);
    return {
      namespace: namespace.name,
      key: config.key,
      value: found.value,
      version: found.version,
      revision: found.revision,
      updated_at: found.createdAt,
    };
  }
}

/** POST /api/v1/config/batch-get: keys that do not exist are listed in `missing`, not an error. */
@Injectable()
export class BatchGetConfigResource extends Resource<BatchGetBody, unknown> {
  protected readonly inputSchema = BatchGetBody;

  constructor(private readonly state: ReadModel) {
    super();
  }

  protected async perform(input: BatchGetBody, context: ExpensiveWorkContext) {
    await this.state.readBarrier(input.consistency);
    const reader = this.state.reader;
    const namespace = enabledNamespace(reader, input.namespace);
    const configs: Array<{
      key: string;
      value: unknown;
      version: number;
      revision: number;
      updated_at: string;
    }> = [];
    const missing: string[] = [];
    const valueBytes: number[] = [];
    for (const key of new Set(input.keys)) {
      const config = reader.config(namespace.id, key);
      if (!config || config.deleted) missing.push(key);
      else {
        valueBytes.push(Buffer.byteLength(config.valueText));
        configs.push({
          key,
          value: config.value,
          version: config.version,
          revision: config.revision,
          updated_at: isoTime(config.updatedAt),
        });
      }
    }
    // 500 keys of 1 MiB would be a 500 MB answer: bounded like a page, by its found keys.
    enterIfExpensive(context, pageAnswerBytes(valueBytes, 'keys'));
    return { namespace: namespace.name, configs, missing, revision: namespace.revision };
  }
}

/**
 * GET /api/v1/config/namespace/:namespace: every live config; `version` is the namespace revision.
 * The answer's `data` is serialized once per namespace revision and shared by every reader.
 */
@Injectable()
export class NamespaceConfigsResource extends Resource<NamespaceParam, SharedJson> {
  protected readonly inputSchema = NamespaceParam;
  private readonly answers = new PerRevisionCache();

  constructor(private readonly state: ReadModel) {
    super();
  }

  protected async perform(input: NamespaceParam): Promise<SharedJson> {
    await this.state.readBarrier(input.consistency);
    const reader = this.state.reader;
    const namespace = enabledNamespace(reader, input.namespace);
    const data = this.answers.get(namespace.id, namespace.revision, () =>
      Buffer.from(JSON.stringify(namespaceConfigsData(reader, namespace))),
    );
    return new SharedJson([data]);
  }
}

function namespaceConfigsData(reader: StateReader, namespace: NamespaceRecord) {
  const configs: Record<string, unknown> = {};
  const versions: Record<string, number> = {};
  for (const config of reader.liveConfigs(namespace.id)) {
    setOwn(configs, config.key, config.value);
    setOwn(versions, config.key, config.version);
  }
  return {
    namespace: namespace.name,
    configs,
    versions,
    version: namespace.revision,
    revision: namespace.revision,
    updated_at: isoTime(namespace.updatedAt),
  };
}
