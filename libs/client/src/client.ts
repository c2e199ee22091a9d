import { ClientClosedError } from './errors';
import { BackoffOptions, ServerPool } from './server-pool';
import { Transport } from './transport';
import { BatchGetResult, ConfigItem, JsonValue, NamespaceConfigs } from './types';
import { WatchOptions, Watcher } from './watcher';

export interface ClientOptions {
  /** One or more base addresses, e.g. ['http://10.0.0.1:8080', 'http://10.0.0.2:8080']. */
  servers: string | string[];
  /** A bearer token (a reader token of the namespaces read is enough). */
  token?: string;
  /** Per request and per server; default 5,000 ms. */
  timeoutMs?: number;
  /** Delay between rounds once every server failed in a row. */
  backoff?: BackoffOptions;
}

interface WireConfig {
  namespace?: string;
  key: string;
  value: JsonValue;
  version: number;
  revision: number;
  updated_at: string;
}

/**
 * The config center's client: reads with failover over several servers, and watchers that keep
 * namespaces current (see Watcher).
 */
export class ConfigCenterClient {
  private readonly pool: ServerPool;
  private readonly transport: Transport;
  private readonly closing = new AbortController();
  private readonly watchers = new Set<Watcher>();
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    const servers = (Array.isArray(options.servers) ? options.servers : [options.servers]).map(
      (server) => new URL(server).origin,
    );
    this.pool = new ServerPool(servers, options.backoff);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.transport = new Transport({
      pool: this.pool,
      token: options.token,
      timeoutMs: this.timeoutMs,
      closed: this.closing.signal,
    });
  }

  /** The latest value of a key, or the given historical version. 40403 when absent. */
  async get<T extends JsonValue = JsonValue>(
    namespace: string,
    key: string,
    options: { version?: number } = {},
  ): Promise<ConfigItem<T>> {
    const query = new URLSearchParams({ namespace, key });
    if (options.version !== undefined) query.set('version', String(options.version));
    const data = await this.transport.call<WireConfig>('GET', `/api/v1/config/get?${query}`);
    return toItem<T>(data, namespace);
  }

  /** Several keys of one namespace; absent ones are listed in `missing`. */
  async batchGet(namespace: string, keys: string[]): Promise<BatchGetResult> {
    const data = await this.transport.call<{
      namespace: string;
      configs: WireConfig[];
      missing: string[];
      revision: number;
    }>('POST', '/api/v1/config/batch-get', { namespace, keys });
    return {
      namespace: data.namespace,
      configs: data.configs.map((config) => toItem(config, data.namespace)),
      missing: data.missing,
      revision: data.revision,
    };
  }

  /** Every live config of a namespace. */
  async getNamespace(namespace: string): Promise<NamespaceConfigs> {
    const data = await this.transport.call<{
      namespace: string;
      configs: Record<string, JsonValue>;
      versions: Record<string, number>;
      revision: number;
      updated_at: string;
    }>('GET', `/api/v1/config/namespace/${encodeURIComponent(namespace)}`);
    return {
      namespace: data.namespace,
      configs: data.configs,
      versions: data.versions,
      revision: data.revision,
      updatedAt: data.updated_at,
    };
  }

  /** Starts watching; await `watcher.ready` for the first state. */
  watch(options: WatchOptions): Watcher {
    if (this.closing.signal.aborted) throw new ClientClosedError();
    const watcher = new Watcher(options, {
      pool: new ServerPool(this.pool.servers, this.options.backoff),
      token: this.options.token,
      timeoutMs: this.timeoutMs,
    });
    this.watchers.add(watcher);
    return watcher;
  }

  /** Aborts the calls in flight and closes every watcher. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.watchers].map((watcher) => watcher.close()));
    this.watchers.clear();
  }
}

function toItem<T extends JsonValue>(data: WireConfig, namespace: string): ConfigItem<T> {
  return {
    namespace: data.namespace ?? namespace,
    key: data.key,
    value: data.value as T,
    version: data.version,
    revision: data.revision,
    updatedAt: data.updated_at,
  };
}
