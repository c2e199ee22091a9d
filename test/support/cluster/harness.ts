import { ADMIN_HEADERS, TEST_ADMIN_TOKEN } from '../auth';
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { MAIN_JS, ROOT, ensureBuilt } from '../node-process';
import { LinkProxy } from './link-proxy';

/** Response bodies are JSON of many shapes; tests read them field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** `status` 0 means no HTTP answer at all (refused, reset, timed out); `error` says which. */
export interface Answer {
  status: number;
  body: Json;
  error?: string;
  ms: number;
}

/** data.components.raft of GET /api/v1/health. */
export interface RaftHealth {
  status: string;
  role: 'leader' | 'follower' | 'candidate' | 'pre-candidate';
  term: number;
  leader: string | null;
  commit_index: number;
  applied_index: number;
  last_index: number;
  voters: string[];
}

export interface ClusterOptions {
  /** Temp dir prefix (logs and SQLite files go there). */
  name: string;
  size?: number;
  /**
   * Brand-new members after the `size` voters (node-4, ...): started with RAFT_JOIN=true, in no
   * voter's RAFT_PEERS; they wait until an admin adds them.
   */
  joiners?: number;
  /** Env for every node, over the harness defaults. */
  env?: Record<string, string>;
  /** One DATABASE_URL per node; default: clusterDatabaseUrls(). */
  databaseUrls?: string[];
}

/** Every child this module spawned: killed on process exit whatever happened to the tests. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Progress lines of the cluster tests, on stdout (Jest shows them with the test). */
export const log = (line: string) => process.stdout.write(`[cluster] ${line}\n`);

/** An answer's `data` when its code is 0; otherwise fails with what was asked and the answer. */
export function must(answer: Answer, what: string) {
  if (answer.body?.code !== 0)
    throw new Error(
      `${what}: HTTP ${answer.status} ${JSON.stringify(answer.body ?? answer.error)}`,
    );
  return answer.body.data;
}

/** Polls `condition` every 100 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

export class ClusterNode {
  child?: ChildProcess;
  exited?: Promise<void>;
  starts = 0;

  constructor(
    readonly id: string,
    readonly port: number,
    readonly logFile: string,
    public env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The node's stdout+stderr over all its starts. */
  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}

/**
 * N real node processes (`node dist/apps/config-center/src/main.js`) on loopback, each with its
 * own database, and a TCP proxy on every directed peer link so a test can cut any link.
 * Clients (the tests) talk to each node directly; only node-to-node traffic is proxied.
 */
export class ClusterHarness {
  readonly nodes: ClusterNode[] = [];
  readonly proxies = new Map<string, LinkProxy>();
  readonly dir: string;
  private readonly size: number;
  private readonly joiners: number;

  private constructor(private readonly options: ClusterOptions) {
    this.size = options.size ?? 3;
    this.joiners = options.joiners ?? 0;
    this.dir = mkdtempSync(join(tmpdir(), `cc-cluster-${options.name}-`));
  }

  /** Builds if needed, prepares databases, opens the proxies, spawns every node, waits for a leader. */
  static async start(options: ClusterOptions): Promise<ClusterHarness> {
    ensureBuilt();
    installExitHook();
    const cluster = new ClusterHarness(options);
    try {
      await cluster.init();
      await Promise.all(cluster.nodes.map((node) => cluster.spawnNode(node)));
      await cluster.waitForLeader({ among: cluster.voterIds });
    } catch (error) {
      await cluster.stopAll();
      throw new Error(`${(error as Error).message}\n${cluster.dump()}`);
    }
    return cluster;
  }

  /** The initial voters (not the joiners). */
  get voterIds(): string[] {
    return this.nodes.slice(0, this.size).map((node) => node.id);
  }

  private async init(): Promise<void> {
    const total = this.size + this.joiners;
    const ids = Array.from({ length: total }, (_, i) => `node-${i + 1}`);
    const urls = this.options.databaseUrls ?? (await clusterDatabaseUrls(this.dir, total));
    const ports: number[] = [];
    for (let i = 0; i < ids.length; i++) ports.push(await reservePort());
    for (const [i, from] of ids.entries()) {
      for (const [j, to] of ids.entries()) {
        if (i === j) continue;
        const proxy = new LinkProxy(from, to, ports[j]);
        await proxy.listen(await reservePort());
        this.proxies.set(`${from}->${to}`, proxy);
      }
    }
    for (const [i, id] of ids.entries()) {
      const joiner = i >= this.size;
      const peers = ids
        .map((other, j) =>
          other === id
            ? `${other}=http://127.0.0.1:${ports[j]}`
            : `${other}=${this.proxy(id, other).url}`,
        )
        // A voter knows only the voters; a joiner knows everyone and waits to be added.
        .filter((_, j) => joiner || j < this.size)
        .join(',');
      const env: Record<string, string> = {
        NODE_ID: id,
        PORT: String(ports[i]),
        HOST: '127.0.0.1',
        RAFT_PEERS: peers,
        CLUSTER_SECRET: 'cluster-test-secret',
        DATABASE_URL: urls[i],
        LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL || 'warn',
        RAFT_TICK_MS: '100',
        PROPOSAL_TIMEOUT_MS: '2000',
        VERSION_CLEANUP_INTERVAL_SECONDS: '0',
        // One HTTP process per node, as before the default became one per core; a test that
        // wants read workers says so (raft-streams.test.ts).
        HTTP_WORKERS: '1',
        // Raft is what these tests exercise: no shared Redis (L2) in between, no admin token.
        REDIS_URL: '',
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        // Each node's own files (the admin token it may generate), as `npm run cluster` does.
        DATA_DIR: join(this.dir, id),
        ...(joiner ? { RAFT_JOIN: 'true' } : {}),
        ...this.options.env,
      };
      this.nodes.push(new ClusterNode(id, ports[i], join(this.dir, `${id}.log`), env));
    }
  }

  node(id: string): ClusterNode {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  proxy(from: string, to: string): LinkProxy {
    const proxy = this.proxies.get(`${from}->${to}`);
    if (!proxy) throw new Error(`no link ${from}->${to}`);
    return proxy;
  }

  get live(): ClusterNode[] {
    return this.nodes.filter((node) => node.alive);
  }

  // --- processes ---------------------------------------------------------------------------

  private async spawnNode(node: ClusterNode, timeoutMs = 60_000): Promise<void> {
    if (node.alive) throw new Error(`${node.id} is already running`);
    node.starts += 1;
    appendFileSync(
      node.logFile,
      `\n===== start #${node.starts} of ${node.id} at ${new Date().toISOString()} (LOG_LEVEL=${node.env.LOG_LEVEL})\n`,
    );
    const fd = openSync(node.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [MAIN_JS], {
        cwd: ROOT,
        env: { ...process.env, ...node.env },
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    liveChildren.add(child);
    node.child = child;
    node.exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        liveChildren.delete(child);
        resolve();
      }),
    );
    // Listening is enough: readiness needs a leader, which needs the other nodes.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!node.alive)
        throw new Error(`${node.id} exited (${child.exitCode ?? child.signalCode}) while starting`);
      const live = await this.http(node.id, 'GET', '/api/v1/health/live', undefined, 1000);
      if (live.status === 200) return;
      if (Date.now() > deadline) {
        await this.kill(node.id);
        throw new Error(`${node.id} not listening after ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  /** kill -9: no shutdown hook, no flush. Returns the time of the kill. */
  async kill(id: string): Promise<number> {
    const node = this.node(id);
    const at = Date.now();
    if (node.alive) {
      node.child!.kill('SIGKILL');
      await node.exited;
    }
    appendFileSync(node.logFile, `===== SIGKILL at ${new Date(at).toISOString()}\n`);
    return at;
  }

  /** SIGTERM (a planned stop); resolves with the ms from the signal to the exit. */
  async terminate(id: string): Promise<number> {
    const node = this.node(id);
    const at = Date.now();
    appendFileSync(node.logFile, `===== SIGTERM at ${new Date(at).toISOString()}\n`);
    if (!node.alive) return 0;
    node.child!.kill('SIGTERM');
    await node.exited;
    return Date.now() - at;
  }

  /** SIGSTOP: the process keeps its sockets (the kernel still accepts and buffers) but runs nothing. */
  pause(id: string): void {
    this.node(id).child!.kill('SIGSTOP');
    appendFileSync(this.node(id).logFile, `===== SIGSTOP at ${new Date().toISOString()}\n`);
  }

  resume(id: string): void {
    this.node(id).child!.kill('SIGCONT');
    appendFileSync(this.node(id).logFile, `===== SIGCONT at ${new Date().toISOString()}\n`);
  }

  /** Starts the node again with the same command and env (plus `envOverride`, kept for later). */
  async restart(id: string, envOverride: Record<string, string> = {}): Promise<void> {
    const node = this.node(id);
    if (node.alive) await this.kill(id);
    node.env = { ...node.env, ...envOverride };
    await this.spawnNode(node);
  }

  /** Kills every node (SIGKILL) and closes the proxies. Safe to call twice. */
  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => n.alive).map((n) => this.kill(n.id)));
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
  }

  /** stopAll, then removes the temp dir unless KEEP_CLUSTER_LOGS=1 or `keep`. */
  async destroy(keep = false): Promise<void> {
    await this.stopAll();
    if (keep || process.env.KEEP_CLUSTER_LOGS === '1')
      process.stdout.write(`cluster logs kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last `chars` of every node's output, for failure messages. */
  dump(chars = 3000): string {
    return this.nodes
      .map((node) => `----- ${node.id} (${node.logFile})\n${node.output().slice(-chars)}`)
      .join('\n');
  }

  // --- partitions --------------------------------------------------------------------------

  block(from: string, to: string): void {
    this.proxy(from, to).block();
  }

  heal(from: string, to: string): void {
    this.proxy(from, to).heal();
  }

  /** Cuts every link from and to `id`, both directions. */
  isolate(id: string): void {
    for (const proxy of this.proxies.values())
      if (proxy.from === id || proxy.to === id) proxy.block();
  }

  healAll(): void {
    for (const proxy of this.proxies.values()) proxy.heal();
  }

  // --- HTTP --------------------------------------------------------------------------------

  async http(
    id: string,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 10_000,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const started = Date.now();
    try {
      const res = await fetch(`${this.node(id).baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...ADMIN_HEADERS,
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: Json = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, ms: Date.now() - started };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string } };
      return {
        status: 0,
        body: undefined,
        error: err.cause?.code ?? err.name ?? err.message,
        ms: Date.now() - started,
      };
    }
  }

  /** GET /api/v1/metrics as `name{labels}` -> value. */
  async metrics(id: string): Promise<Map<string, number>> {
    const answer = await this.http(id, 'GET', '/api/v1/metrics');
    const out = new Map<string, number>();
    for (const line of String(answer.body ?? '').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      out.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return out;
  }

  async health(id: string, timeoutMs = 2000): Promise<RaftHealth | undefined> {
    if (!this.node(id).alive) return undefined;
    const answer = await this.http(id, 'GET', '/api/v1/health', undefined, timeoutMs);
    return answer.body?.data?.components?.raft as RaftHealth | undefined;
  }

  async healths(ids = this.live.map((n) => n.id)): Promise<Map<string, RaftHealth>> {
    const out = new Map<string, RaftHealth>();
    await Promise.all(
      ids.map(async (id) => {
        const h = await this.health(id);
        if (h) out.set(id, h);
      }),
    );
    return out;
  }

  /**
   * Waits until a node among `among` (default: the live nodes) is leader and a majority of the
   * voters in `among` follow it in its term. Returns its id.
   */
  async waitForLeader(
    options: {
      among?: string[];
      exclude?: string;
      timeoutMs?: number;
      /** Every node in `among` (not just a majority) follows the leader in its term. */
      all?: boolean;
    } = {},
  ): Promise<string> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let last = new Map<string, RaftHealth>();
    for (;;) {
      const among = (options.among ?? this.live.map((n) => n.id)).filter(
        (id) => id !== options.exclude,
      );
      last = await this.healths(among);
      for (const [id, h] of last) {
        if (h.role !== 'leader') continue;
        const followers = [...last.values()].filter(
          (o) => o.term === h.term && o.leader === id,
        ).length;
        if (
          options.all
            ? followers === among.length && last.size === among.length
            : followers > h.voters.length / 2
        )
          return id;
      }
      if (Date.now() > deadline)
        throw new Error(
          `no leader within ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(last))}`,
        );
      await sleep(100);
    }
  }

  /** Waits until every node in `ids` has applied at least `index` (default: the max commit index seen). */
  async waitForApplied(
    ids: string[],
    index?: number,
    timeoutMs = 30_000,
  ): Promise<Map<string, RaftHealth>> {
    const deadline = Date.now() + timeoutMs;
    let target = index ?? 0;
    for (;;) {
      const hs = await this.healths(ids);
      if (index === undefined)
        for (const h of hs.values()) target = Math.max(target, h.commit_index);
      if (hs.size === ids.length && [...hs.values()].every((h) => h.applied_index >= target))
        return hs;
      if (Date.now() > deadline)
        throw new Error(
          `applied_index ${target} not reached by ${ids.join(',')} within ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(hs))}`,
        );
      await sleep(100);
    }
  }

  // --- domain helpers ----------------------------------------------------------------------

  createNamespace(id: string, name: string, timeoutMs = 10_000): Promise<Answer> {
    return this.http(id, 'POST', '/api/v1/admin/namespace', { name }, timeoutMs);
  }

  createConfig(
    id: string,
    namespace: string,
    key: string,
    value: unknown,
    timeoutMs = 10_000,
  ): Promise<Answer> {
    return this.http(id, 'POST', '/api/v1/admin/config', { namespace, key, value }, timeoutMs);
  }

  updateConfig(
    id: string,
    namespace: string,
    key: string,
    value: unknown,
    extra: object = {},
    timeoutMs = 10_000,
  ): Promise<Answer> {
    return this.http(
      id,
      'PUT',
      '/api/v1/admin/config',
      { namespace, key, value, ...extra },
      timeoutMs,
    );
  }

  getConfig(
    id: string,
    namespace: string,
    key: string,
    consistency?: 'linearizable' | 'serializable',
    timeoutMs = 10_000,
  ): Promise<Answer> {
    const q = new URLSearchParams({ namespace, key });
    if (consistency) q.set('consistency', consistency);
    return this.http(id, 'GET', `/api/v1/config/get?${q}`, undefined, timeoutMs);
  }

  /** Every config of a namespace on one node (serializable): key -> value. */
  async namespaceValues(id: string, namespace: string): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const answer = await this.http(
      id,
      'GET',
      `/api/v1/config/namespace/${encodeURIComponent(namespace)}`,
    );
    if (answer.body?.code !== 0)
      throw new Error(
        `list ${namespace} on ${id}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    const configs: Record<string, unknown> = answer.body.data.configs ?? {};
    for (const [key, value] of Object.entries(configs)) out.set(key, value);
    return out;
  }
}

/**
 * A port below the kernel's ephemeral range (32768+ on Linux), free right now and not handed out
 * before by this process: a killed node restarts on its port later, and an outgoing connection
 * must not have taken that port as its local port meanwhile.
 */
const reserved = new Set<number>();
export async function reservePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (reserved.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      reserved.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 20000-31999');
}

/**
 * One database per node (DESIGN 19). With DATABASE_URL=mysql://.../db: `db`, `db_2`, `db_3`
 * (CC_CLUSTER_DATABASES=a,b,c overrides the names), dropped and created again here. Otherwise
 * fresh SQLite files in `dir`.
 */
export async function clusterDatabaseUrls(dir: string, size: number): Promise<string[]> {
  const fromEnv = process.env.DATABASE_URL ?? '';
  if (!fromEnv.startsWith('mysql')) {
    return Array.from({ length: size }, (_, i) => `sqlite:${join(dir, `node-${i + 1}.sqlite`)}`);
  }
  const url = new URL(fromEnv);
  const base = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'config_center_test';
  const names = process.env.CC_CLUSTER_DATABASES
    ? process.env.CC_CLUSTER_DATABASES.split(',').map((s) => s.trim())
    : Array.from({ length: size }, (_, i) => (i === 0 ? base : `${base}_${i + 1}`));
  if (names.length < size) throw new Error(`CC_CLUSTER_DATABASES needs ${size} names`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const admin = new URL(fromEnv);
  admin.pathname = '/';
  const connection = await mysql.createConnection(admin.toString());
  try {
    for (const name of names.slice(0, size)) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.query(
        `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    }
  } finally {
    await connection.end();
  }
  return names.slice(0, size).map((name) => {
    const u = new URL(fromEnv);
    u.pathname = `/${name}`;
    return u.toString();
  });
}
