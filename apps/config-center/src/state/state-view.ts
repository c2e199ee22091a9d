import { ConfigRecord, NamespaceRecord, TokenRecord } from './records';

/** Read access shared by the applied view and an uncommitted overlay on top of it. */
export interface StateReader {
  readonly appliedIndex: number;
  namespaceById(id: number): NamespaceRecord | undefined;
  namespaceByName(name: string): NamespaceRecord | undefined;
  /** Includes tombstones; callers check `deleted`. */
  config(namespaceId: number, key: string): ConfigRecord | undefined;
  /** Live (non-deleted) configs of a namespace, in key order. */
  liveConfigs(namespaceId: number): ConfigRecord[];
  namespaces(): NamespaceRecord[];
  tokenById(id: number): TokenRecord | undefined;
  /** The token whose current (or, within its grace period, previous) secret has this hash. */
  tokenByHash(secretHash: string): TokenRecord | undefined;
  /** Every token, revoked ones included, by id. */
  tokens(): TokenRecord[];
}

/**
 * The in-memory image of applied state (DESIGN 5: reads are local). Only the state machine's
 * commit path changes it, after the database transaction that carries the change committed.
 */
export class StateView implements StateReader {
  private readonly listeners: Array<(event: ViewEvent) => void> = [];
  private readonly byId = new Map<number, NamespaceRecord>();
  private readonly byName = new Map<string, NamespaceRecord>();
  private readonly configsByNamespace = new Map<number, Map<string, ConfigRecord>>();
  private readonly tokensById = new Map<number, TokenRecord>();
  private readonly tokensByHash = new Map<string, TokenRecord>();
  private index = 0;

  get appliedIndex(): number {
    return this.index;
  }

  namespaceById(id: number): NamespaceRecord | undefined {
    return this.byId.get(id);
  }

  namespaceByName(name: string): NamespaceRecord | undefined {
    return this.byName.get(name);
  }

  config(namespaceId: number, key: string): ConfigRecord | undefined {
    return this.configsByNamespace.get(namespaceId)?.get(key);
  }

  liveConfigs(namespaceId: number): ConfigRecord[] {
    const configs = this.configsByNamespace.get(namespaceId);
    if (!configs) return [];
    const live: ConfigRecord[] = [];
    for (const record of configs.values()) if (!record.deleted) live.push(record);
    return live.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  namespaces(): NamespaceRecord[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  tokenById(id: number): TokenRecord | undefined {
    return this.tokensById.get(id);
  }

  tokenByHash(secretHash: string): TokenRecord | undefined {
    return this.tokensByHash.get(secretHash);
  }

  tokens(): TokenRecord[] {
    return [...this.tokensById.values()].sort((a, b) => a.id - b.id);
  }

  /** A namespace's configs, tombstones included (the cache deletes what a delete removed). */
  configsOf(namespaceId: number): ConfigRecord[] {
    return [...(this.configsByNamespace.get(namespaceId)?.values() ?? [])];
  }

  /** Every config, tombstones included (to copy the view into a read worker). */
  allConfigs(): ConfigRecord[] {
    const all: ConfigRecord[] = [];
    for (const configs of this.configsByNamespace.values()) all.push(...configs.values());
    return all;
  }

  /** Observes loads and commits (read workers replicate the view through this). */
  onChange(listener: (event: ViewEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Loads state read from the database at start (or after installing a snapshot). */
  load(
    appliedIndex: number,
    namespaces: NamespaceRecord[],
    configs: ConfigRecord[],
    tokens: readonly TokenRecord[] = [],
  ): void {
    this.byId.clear();
    this.byName.clear();
    this.configsByNamespace.clear();
    this.tokensById.clear();
    this.tokensByHash.clear();
    for (const namespace of namespaces) this.putNamespace(namespace);
    for (const config of configs) this.putConfig(config);
    for (const token of tokens) this.putToken(token);
    this.index = appliedIndex;
    for (const listener of this.listeners) listener({ kind: 'load', appliedIndex });
  }

  /** Publishes a committed overlay. */
  commit(changes: ViewChanges, appliedIndex: number): void {
    for (const [id, namespace] of changes.namespaces) {
      if (namespace) this.putNamespace(namespace);
      else this.removeNamespace(id);
    }
    for (const config of changes.configs.values()) this.putConfig(config);
    for (const token of changes.tokens.values()) this.putToken(token);
    this.index = appliedIndex;
    for (const listener of this.listeners) listener({ kind: 'commit', appliedIndex, changes });
  }

  private putNamespace(namespace: NamespaceRecord): void {
    const previous = this.byId.get(namespace.id);
    if (previous && previous.name !== namespace.name) this.byName.delete(previous.name);
    this.byId.set(namespace.id, namespace);
    this.byName.set(namespace.name, namespace);
  }

  private removeNamespace(id: number): void {
    const previous = this.byId.get(id);
    if (!previous) return;
    this.byId.delete(id);
    this.byName.delete(previous.name);
    this.configsByNamespace.delete(id);
  }

  private putToken(token: TokenRecord): void {
    const previous = this.tokensById.get(token.id);
    if (previous) {
      this.tokensByHash.delete(previous.secretHash);
      if (previous.previousHash) this.tokensByHash.delete(previous.previousHash);
    }
    this.tokensById.set(token.id, token);
    this.tokensByHash.set(token.secretHash, token);
    if (token.previousHash) this.tokensByHash.set(token.previousHash, token);
  }

  private putConfig(config: ConfigRecord): void {
    let configs = this.configsByNamespace.get(config.namespaceId);
    if (!configs) {
      configs = new Map();
      this.configsByNamespace.set(config.namespaceId, configs);
    }
    configs.set(config.key, config);
  }
}

export type ViewEvent =
  | { kind: 'load'; appliedIndex: number }
  | { kind: 'commit'; appliedIndex: number; changes: ViewChanges };

export interface ViewChanges {
  /** `null` marks a deleted namespace (its configs go with it). */
  namespaces: Map<number, NamespaceRecord | null>;
  configs: Map<string, ConfigRecord>;
  tokens: Map<number, TokenRecord>;
}

const configSlot = (namespaceId: number, key: string): string => `${namespaceId}\u0000${key}`;

/**
 * Uncommitted changes on top of a reader: what apply sees while the database transaction is
 * open. `fork()` gives a child for all-or-nothing batches; `mergeInto` publishes it upward.
 */
export class ViewOverlay implements StateReader {
  readonly changes: ViewChanges = { namespaces: new Map(), configs: new Map(), tokens: new Map() };
  private readonly namesChanged = new Map<string, number | null>();

  constructor(private readonly base: StateReader) {}

  get appliedIndex(): number {
    return this.base.appliedIndex;
  }

  fork(): ViewOverlay {
    return new ViewOverlay(this);
  }

  mergeInto(parent: ViewOverlay): void {
    for (const [id, namespace] of this.changes.namespaces) {
      if (namespace) parent.setNamespace(namespace);
      else parent.deleteNamespace(id);
    }
    for (const config of this.changes.configs.values()) parent.setConfig(config);
    for (const token of this.changes.tokens.values()) parent.setToken(token);
  }

  tokenById(id: number): TokenRecord | undefined {
    return this.changes.tokens.get(id) ?? this.base.tokenById(id);
  }

  tokenByHash(secretHash: string): TokenRecord | undefined {
    for (const token of this.changes.tokens.values())
      if (token.secretHash === secretHash || token.previousHash === secretHash) return token;
    const token = this.base.tokenByHash(secretHash);
    if (!token) return undefined;
    // A token changed here answers by its new hashes only.
    const changed = this.changes.tokens.get(token.id);
    return changed ? undefined : token;
  }

  tokens(): TokenRecord[] {
    const byId = new Map<number, TokenRecord>();
    for (const token of this.base.tokens()) byId.set(token.id, token);
    for (const [id, token] of this.changes.tokens) byId.set(id, token);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  setToken(token: TokenRecord): void {
    this.changes.tokens.set(token.id, token);
  }

  namespaceById(id: number): NamespaceRecord | undefined {
    if (this.changes.namespaces.has(id)) return this.changes.namespaces.get(id) ?? undefined;
    return this.base.namespaceById(id);
  }

  namespaceByName(name: string): NamespaceRecord | undefined {
    if (this.namesChanged.has(name)) {
      const id = this.namesChanged.get(name);
      return id === null || id === undefined ? undefined : this.namespaceById(id);
    }
    const namespace = this.base.namespaceByName(name);
    return namespace && this.changes.namespaces.has(namespace.id)
      ? this.namespaceById(namespace.id)
      : namespace;
  }

  config(namespaceId: number, key: string): ConfigRecord | undefined {
    if (this.changes.namespaces.get(namespaceId) === null) return undefined;
    return (
      this.changes.configs.get(configSlot(namespaceId, key)) ?? this.base.config(namespaceId, key)
    );
  }

  liveConfigs(namespaceId: number): ConfigRecord[] {
    if (this.changes.namespaces.get(namespaceId) === null) return [];
    const byKey = new Map<string, ConfigRecord>();
    for (const record of this.base.liveConfigs(namespaceId)) byKey.set(record.key, record);
    for (const record of this.changes.configs.values()) {
      if (record.namespaceId !== namespaceId) continue;
      if (record.deleted) byKey.delete(record.key);
      else byKey.set(record.key, record);
    }
    return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  namespaces(): NamespaceRecord[] {
    const byId = new Map<number, NamespaceRecord>();
    for (const namespace of this.base.namespaces()) byId.set(namespace.id, namespace);
    for (const [id, namespace] of this.changes.namespaces) {
      if (namespace) byId.set(id, namespace);
      else byId.delete(id);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  setNamespace(namespace: NamespaceRecord): void {
    const previous = this.namespaceById(namespace.id);
    if (previous && previous.name !== namespace.name) this.namesChanged.set(previous.name, null);
    this.changes.namespaces.set(namespace.id, namespace);
    this.namesChanged.set(namespace.name, namespace.id);
  }

  deleteNamespace(id: number): void {
    const previous = this.namespaceById(id);
    if (previous) this.namesChanged.set(previous.name, null);
    this.changes.namespaces.set(id, null);
    for (const [slot, config] of this.changes.configs) {
      if (config.namespaceId === id) this.changes.configs.delete(slot);
    }
  }

  setConfig(config: ConfigRecord): void {
    this.changes.configs.set(configSlot(config.namespaceId, config.key), config);
  }
}
