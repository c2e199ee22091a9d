import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { CacheNode, CacheRoutesSettings } from '../../settings/cache-routes-setting';
import { cacheKeys } from '../cache-keys';
import { NamespaceMove, RedisShards, ShardRoute } from '../redis-shards';
import { movesBetween, RouteTable, ShardMove } from './route-table';
import { nodeIdentity, redactedUrl, ShardClientFactory } from './shard-clients';
import {
  FENCE_AND_DROP_SCRIPT,
  mutableKeysOf,
  namespaceOfCacheKey,
  SPEC_KEY_PATTERNS,
} from './shard-keys';

/** Where the routes come from: `_system/cache_routes` and its revision, in the applied view. */
export interface RoutesSource {
  current(): { settings: CacheRoutesSettings; epoch: number };
  /** Called after each applied change; answers the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** The namespaces that exist (a hashed namespace moves when the ring changes under it). */
  namespaces(): string[];
  /** The config keys of a namespace, deleted ones too (their spec keys are dropped on a move). */
  keysOf(namespace: string): string[];
}

const SCAN_COUNT = 1_000;
const DELETE_BATCH = 500;
/** A shard that could not be fenced or cleaned during a move is retried this often. */
const RETRY_MS = 1_000;

const always = (namespaces: Iterable<string>): Array<[string, boolean]> =>
  [...namespaces].map((namespace) => [namespace, true]);

/** Cleanup a move left undone on one shard (it was away): retried until it succeeds. */
interface PendingCleanup {
  node: CacheNode;
  namespaces: Set<string>;
  epoch: number;
}

/**
 * RedisShards over `_system/cache_routes` (spec 000 code 2): one client per node, an explicit
 * route first, else the hash ring. A change of the routes is applied on every node, in order:
 * fence the moved namespaces on their old and new shards at the new epoch (the cache's fill
 * refuses an older epoch), delete their keys on the new shard (what an older table left there)
 * and on the old one, switch the table, tell the onMove listeners (the filler refills the new
 * shard), close the clients of removed nodes. Each step only raises a fence or deletes, so
 * nodes doing it concurrently, or late, cannot make a key stale: at worst a miss.
 */
export class RoutedRedisShards extends RedisShards implements OnApplicationShutdown {
  private readonly logger = new Logger('CacheShards');
  private readonly clients = new Map<string, Redis>();
  private readonly listeners: Array<(moves: NamespaceMove[]) => void> = [];
  private readonly pending = new Map<string, PendingCleanup>();
  private active: RouteTable;
  private transition: Promise<void> = Promise.resolve();
  private queued = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly source: RoutesSource,
    private readonly createClient: ShardClientFactory,
  ) {
    super();
    const { settings, epoch } = source.current();
    this.active = new RouteTable(settings, epoch);
    for (const node of settings.nodes) this.clientOf(node);
    this.unsubscribe = source.onChange(() => this.scheduleTransition());
  }

  route(namespace: string): ShardRoute | null {
    const found = this.active.lookup(namespace);
    if (!found) return null;
    return { node: found.node.name, client: this.clientOf(found.node), epoch: this.active.epoch };
  }

  all(): ShardRoute[] {
    return this.active.nodes.map((node) => ({
      node: node.name,
      client: this.clientOf(node),
      epoch: this.active.epoch,
    }));
  }

  onMove(listener: (moves: NamespaceMove[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** The applied table (the admin endpoint and health read it). */
  get table(): RouteTable {
    return this.active;
  }

  /** The client of a node of the applied table. */
  client(node: CacheNode): Redis {
    return this.clientOf(node);
  }

  /** Resolves once every change seen so far is applied (tests; a graceful stop). */
  settled(): Promise<void> {
    return this.transition;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.retryTimer);
    await this.transition.catch(() => undefined);
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
  }

  private clientOf(node: CacheNode): Redis {
    const identity = nodeIdentity(node);
    let client = this.clients.get(identity);
    if (!client) {
      client = this.createClient(node);
      this.clients.set(identity, client);
    }
    return client;
  }

  /** Changes that arrive during a transition are coalesced into one more, to the latest table. */
  private scheduleTransition(): void {
    if (this.queued || this.closed) return;
    this.queued = true;
    this.transition = this.transition.then(async () => {
      this.queued = false;
      if (this.closed) return;
      const { settings, epoch } = this.source.current();
      if (epoch === this.active.epoch) return;
      try {
        await this.switchTo(new RouteTable(settings, epoch));
      } catch (error) {
        this.logger.error(`cache route change failed: ${(error as Error).message}`);
      }
    });
  }

  private async switchTo(next: RouteTable): Promise<void> {
    // Epoch 0 is the REDIS_URL seed this node routed by until its view was loaded: adopting the
    // applied table is no move (the nodes that applied each change moved what it moved).
    const moves =
      this.active.epoch === 0 ? [] : movesBetween(this.active, next, this.source.namespaces());
    for (const node of next.nodes) this.clientOf(node);
    const firstHere = await this.raiseFences(moves, next.epoch);
    // A move's new shard may hold keys from before (a fill from a node on an older table): the
    // node that raised its fence first empties it before anyone routes there.
    await this.cleanAll(moves, 'to', next.epoch, (move) =>
      firstHere.has(`${nodeIdentity(move.to!)}\n${move.namespace}`),
    );
    // The old shard is emptied before the switch, not after: once a write's fill lands on the
    // new shard, no older value of it is left on the old one (the fence refuses fills there).
    await this.cleanAll(moves, 'from', next.epoch, () => true);
    this.active = next;
    this.logger.log(
      `cache routes at epoch ${next.epoch}: ${next.nodes.map((node) => `${node.name}=${redactedUrl(node.url)}`).join(', ') || 'no Redis'}; ${moves.length} namespace(s) moved`,
    );
    this.closeRemoved(next);
    const notice: NamespaceMove[] = moves.map((move) => ({
      namespace: move.namespace,
      from: move.from?.name ?? null,
      to: move.to?.name ?? null,
    }));
    if (notice.length > 0)
      for (const listener of [...this.listeners]) {
        try {
          listener(notice);
        } catch (error) {
          this.logger.error(`onMove listener failed: ${(error as Error).message}`);
        }
      }
  }

  /** Deletes the moved namespaces' keys on one end of their moves, one SCAN pass per shard. */
  private async cleanAll(
    moves: ShardMove[],
    end: 'from' | 'to',
    epoch: number,
    wanted: (move: ShardMove) => boolean,
  ): Promise<void> {
    const byShard = new Map<string, PendingCleanup>();
    for (const move of moves) {
      const node = move[end];
      if (!node || !wanted(move)) continue;
      const entry = byShard.get(nodeIdentity(node)) ?? {
        node,
        namespaces: new Set<string>(),
        epoch,
      };
      entry.namespaces.add(move.namespace);
      byShard.set(nodeIdentity(node), entry);
    }
    await Promise.all([...byShard.values()].map((cleanup) => this.cleanOrKeep(cleanup)));
  }

  /**
   * Both ends of every move, pipelined per shard, each fence raised together with the drop of
   * the namespace's mutable keys (always on the old shard; on the new one by the node that
   * raised the fence first). A shard that is away is fenced and emptied later. Answers
   * `{shard identity}\n{namespace}` for each fence this node raised.
   */
  private async raiseFences(moves: ShardMove[], epoch: number): Promise<Set<string>> {
    const byShard = new Map<string, { node: CacheNode; ends: Array<[string, boolean]> }>();
    for (const move of moves)
      for (const [node, always] of [
        [move.from, true],
        [move.to, false],
      ] as const) {
        if (!node) continue;
        const entry = byShard.get(nodeIdentity(node)) ?? { node, ends: [] };
        entry.ends.push([move.namespace, always]);
        byShard.set(nodeIdentity(node), entry);
      }
    const raised = new Set<string>();
    await Promise.all(
      [...byShard.values()].map(async ({ node, ends }) => {
        try {
          const previous = await this.fence(this.clientOf(node), ends, epoch);
          ends.forEach(([namespace], index) => {
            if (previous[index] < epoch) raised.add(`${nodeIdentity(node)}\n${namespace}`);
          });
        } catch (error) {
          this.logger.warn(
            `cache shard ${node.name} not fenced at epoch ${epoch} (${(error as Error).message}); retrying`,
          );
          const namespaces = new Set(ends.map(([namespace]) => namespace));
          this.keepPending({ node, namespaces, epoch });
        }
      }),
    );
    return raised;
  }

  /**
   * Raises each namespace's fence to `epoch` and drops its mutable keys (always, or only where
   * this call raised the fence); answers the fences' previous values.
   */
  private async fence(
    client: Redis,
    ends: Iterable<readonly [string, boolean]>,
    epoch: number,
  ): Promise<number[]> {
    const pipeline = client.pipeline();
    for (const [namespace, always] of ends) {
      const keys = [
        cacheKeys.epochFence(namespace),
        ...mutableKeysOf(namespace, this.source.keysOf(namespace)),
      ];
      pipeline.eval(FENCE_AND_DROP_SCRIPT, keys.length, ...keys, String(epoch), always ? '1' : '0');
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    return results.map(([, previous]) => Number(previous));
  }

  private async cleanOrKeep(cleanup: PendingCleanup): Promise<void> {
    try {
      const client = this.clientOf(cleanup.node);
      await this.fence(client, always(cleanup.namespaces), cleanup.epoch);
      await this.deleteSpecKeys(client, cleanup.namespaces);
    } catch (error) {
      this.logger.warn(
        `cache shard ${cleanup.node.name}: old keys of ${cleanup.namespaces.size} moved namespace(s) not deleted yet (${(error as Error).message}); retrying`,
      );
      this.keepPending(cleanup);
    }
  }

  /** One SCAN pass over the spec keys; the namespace is read from each key, never globbed. */
  private async deleteSpecKeys(client: Redis, namespaces: Set<string>): Promise<number> {
    let deleted = 0;
    for (const pattern of SPEC_KEY_PATTERNS) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        const doomed = keys.filter((key) => {
          const namespace = namespaceOfCacheKey(key);
          return namespace !== undefined && namespaces.has(namespace);
        });
        for (let start = 0; start < doomed.length; start += DELETE_BATCH) {
          deleted += await client.unlink(...doomed.slice(start, start + DELETE_BATCH));
        }
      } while (cursor !== '0');
    }
    return deleted;
  }

  /** Retried until done, even if the node left the table meanwhile. */
  private keepPending(cleanup: PendingCleanup): void {
    const identity = nodeIdentity(cleanup.node);
    const entry = this.pending.get(identity);
    if (entry) {
      for (const namespace of cleanup.namespaces) entry.namespaces.add(namespace);
      entry.epoch = Math.max(entry.epoch, cleanup.epoch);
    } else this.pending.set(identity, { ...cleanup, namespaces: new Set(cleanup.namespaces) });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.transition = this.transition.then(() => this.retryPending());
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private async retryPending(): Promise<void> {
    for (const [identity, cleanup] of [...this.pending]) {
      if (this.closed) return;
      try {
        const client = this.clientOf(cleanup.node);
        await this.fence(client, always(cleanup.namespaces), cleanup.epoch);
        // Even a namespace that moved back here since loses its keys: they may predate the
        // move, and a delete only costs a miss.
        await this.deleteSpecKeys(client, cleanup.namespaces);
        this.pending.delete(identity);
        this.logger.log(`cache shard ${cleanup.node.name}: deferred move cleanup done`);
      } catch {
        // still away: next round
      }
    }
    this.closeRemoved(this.active);
    if (this.pending.size > 0) this.scheduleRetry();
  }

  /** Clients of nodes the table no longer lists, once nothing pending needs them. */
  private closeRemoved(table: RouteTable): void {
    const wanted = new Set(table.nodes.map(nodeIdentity));
    for (const cleanup of this.pending.values()) wanted.add(nodeIdentity(cleanup.node));
    for (const [identity, client] of this.clients)
      if (!wanted.has(identity)) {
        client.disconnect();
        this.clients.delete(identity);
      }
  }
}
