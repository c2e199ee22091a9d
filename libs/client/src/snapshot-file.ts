import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotConfig } from './types';

/** Bumped whenever the file's shape changes; a file of another version is ignored. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** What a watcher keeps on disk so that it can start with every server down. */
export interface SnapshotFileContent {
  format: 'config-center-client-snapshot';
  formatVersion: number;
  savedAt: string;
  namespaces: string[];
  prefix: string;
  revision: number;
  configs: SnapshotConfig[];
}

/** One file per watched set: the sorted namespaces and the prefix name it. */
export function snapshotFileName(namespaces: readonly string[], prefix: string): string {
  const identity = JSON.stringify([[...namespaces].sort(), prefix]);
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  const readable = [...namespaces]
    .sort()
    .join('+')
    .replace(/[^A-Za-z0-9._+-]/g, '_')
    .slice(0, 80);
  return `config-center-${readable}-${digest}.json`;
}

export class SnapshotFile {
  readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly directory: string,
    private readonly namespaces: readonly string[],
    private readonly prefix: string,
  ) {
    this.path = join(directory, snapshotFileName(namespaces, prefix));
  }

  /** The saved state, or undefined when there is none usable (absent, corrupt, other set). */
  async load(): Promise<{ revision: number; configs: SnapshotConfig[] } | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const content = JSON.parse(text) as Partial<SnapshotFileContent>;
      if (
        content.format !== 'config-center-client-snapshot' ||
        content.formatVersion !== SNAPSHOT_FORMAT_VERSION ||
        JSON.stringify(content.namespaces) !== JSON.stringify([...this.namespaces].sort()) ||
        content.prefix !== this.prefix ||
        typeof content.revision !== 'number' ||
        !Array.isArray(content.configs)
      ) {
        return undefined;
      }
      return { revision: content.revision, configs: content.configs.filter(isSnapshotConfig) };
    } catch {
      return undefined;
    }
  }

  /**
   * Writes atomically: a temp file in the same directory, then rename over the old one, so a
   * crash leaves either the old or the new file, never half of one. Writes run one at a time.
   */
  save(revision: number, configs: SnapshotConfig[]): Promise<void> {
    const content: SnapshotFileContent = {
      format: 'config-center-client-snapshot',
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      savedAt: new Date().toISOString(),
      namespaces: [...this.namespaces].sort(),
      prefix: this.prefix,
      revision,
      configs,
    };
    const text = JSON.stringify(content);
    const next = this.writing.then(() => this.writeAtomically(text));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeAtomically(text: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text, { encoding: 'utf8', flush: true });
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

function isSnapshotConfig(value: unknown): value is SnapshotConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as { namespace?: unknown; key?: unknown; version?: unknown };
  return (
    typeof config.namespace === 'string' &&
    typeof config.key === 'string' &&
    typeof config.version === 'number' &&
    'value' in config
  );
}
