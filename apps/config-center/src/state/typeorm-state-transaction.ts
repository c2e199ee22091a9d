import { EntityManager } from 'typeorm';
import {
  ConfigHistoryRow,
  ConfigRow,
  ConfigVersionRow,
  IdempotencyRow,
  NamespaceRow,
  RaftStateRow,
} from '../database/entities';
import { CommandOutcome } from './commands';
import { Mutation, StateTransaction } from './mutations';
import { ConfigRecord, NamespaceRecord } from './records';

const INSERT_CHUNK = 200;

export function namespaceRow(record: NamespaceRecord): NamespaceRow {
  return Object.assign(new NamespaceRow(), {
    id: record.id,
    name: record.name,
    description: record.description,
    status: record.status,
    revision: record.revision,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  });
}

export function configRow(record: ConfigRecord): ConfigRow {
  return Object.assign(new ConfigRow(), {
    id: record.id,
    namespaceId: record.namespaceId,
    key: record.key,
    value: record.valueText,
    version: record.version,
    description: record.description,
    status: record.status,
    createdBy: record.createdBy,
    updatedBy: record.updatedBy,
    revision: record.revision,
    createRevision: record.createRevision,
    deleted: record.deleted ? 1 : 0,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  });
}

/** StateTransaction on a TypeORM transaction: the same code on MySQL and SQLite. */
export class TypeOrmStateTransaction extends StateTransaction {
  constructor(
    private readonly manager: EntityManager,
    private readonly nodeId: string,
  ) {
    super();
  }

  async execute(mutations: Mutation[]): Promise<number[]> {
    const touched: number[] = new Array<number>(mutations.length).fill(0);
    // A batch saves its namespace and keys many times: write each row once, last state wins.
    const namespaces = new Map<number, { record: NamespaceRecord; isNew: boolean }>();
    const configs = new Map<number, { record: ConfigRecord; isNew: boolean }>();
    const histories: ConfigHistoryRow[] = [];
    const versions: ConfigVersionRow[] = [];
    const rest: Array<{ mutation: Mutation; position: number }> = [];
    mutations.forEach((mutation, position) => {
      switch (mutation.kind) {
        case 'saveNamespace': {
          const previous = namespaces.get(mutation.record.id);
          namespaces.set(mutation.record.id, {
            record: mutation.record,
            isNew: previous?.isNew ?? mutation.isNew,
          });
          break;
        }
        case 'saveConfig': {
          const previous = configs.get(mutation.record.id);
          configs.set(mutation.record.id, {
            record: mutation.record,
            isNew: previous?.isNew ?? mutation.isNew,
          });
          break;
        }
        case 'insertHistory':
          histories.push(
            Object.assign(new ConfigHistoryRow(), {
              ...mutation.record,
              createdAt: new Date(mutation.record.createdAt),
            }),
          );
          break;
        case 'insertVersion':
          versions.push(
            Object.assign(new ConfigVersionRow(), {
              ...mutation.record,
              status: 1,
              kept: 0,
              createdAt: new Date(mutation.record.createdAt),
            }),
          );
          break;
        default:
          rest.push({ mutation, position });
      }
    });

    for (const { record, isNew } of namespaces.values()) {
      if (isNew) await this.manager.insert(NamespaceRow, namespaceRow(record));
      else {
        const { id, ...fields } = namespaceRow(record);
        await this.manager.update(NamespaceRow, { id }, fields);
      }
    }
    const newConfigs = [...configs.values()].filter((c) => c.isNew).map((c) => configRow(c.record));
    await this.insertChunked(ConfigRow, newConfigs);
    for (const { record, isNew } of configs.values()) {
      if (isNew) continue;
      const { id, ...fields } = configRow(record);
      await this.manager.update(ConfigRow, { id }, fields);
    }
    await this.insertChunked(ConfigHistoryRow, histories);
    await this.insertChunked(ConfigVersionRow, versions);

    for (const { mutation, position } of rest) touched[position] = await this.executeOne(mutation);
    return touched;
  }

  private async insertChunked<T extends object>(entity: new () => T, rows: T[]): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await this.manager.insert(entity, rows.slice(start, start + INSERT_CHUNK) as never);
    }
  }

  private async executeOne(mutation: Mutation): Promise<number> {
    switch (mutation.kind) {
      case 'deleteNamespace': {
        await this.manager.delete(ConfigVersionRow, { namespaceId: mutation.id });
        await this.manager.delete(ConfigRow, { namespaceId: mutation.id });
        const result = await this.manager.delete(NamespaceRow, { id: mutation.id });
        return result.affected ?? 0;
      }
      case 'setVersionKept': {
        const result = await this.manager.update(
          ConfigVersionRow,
          { configId: mutation.configId, version: mutation.version },
          { kept: mutation.kept ? 1 : 0 },
        );
        return result.affected ?? 0;
      }
      case 'pruneVersions':
        return this.pruneVersions(mutation.keepLatest, mutation.olderThan);
      case 'pruneIdempotency': {
        const result = await this.manager
          .createQueryBuilder()
          .delete()
          .from(IdempotencyRow)
          .where('created_at < :cutoff', { cutoff: new Date(mutation.olderThan) })
          .execute();
        return result.affected ?? 0;
      }
      default:
        throw new Error(`mutation ${mutation.kind} is executed in bulk`);
    }
  }

  /**
   * Spec 3.6: a version survives when it is among the latest N of its key, OR younger than the
   * age cutoff, OR marked as kept. The current version is always among the latest N (N >= 1).
   */
  private async pruneVersions(keepLatest: number, olderThan: number): Promise<number> {
    const query = this.manager
      .createQueryBuilder()
      .delete()
      .from(ConfigVersionRow)
      .where('kept = 0')
      .andWhere(
        `version <= (SELECT c.version FROM config c WHERE c.id = config_version.config_id) - :keepLatest`,
        { keepLatest },
      );
    if (olderThan > 0) query.andWhere('created_at < :cutoff', { cutoff: new Date(olderThan) });
    const result = await query.execute();
    return result.affected ?? 0;
  }

  async findOutcome(idempotencyKey: string): Promise<CommandOutcome | undefined> {
    const row = await this.manager.findOneBy(IdempotencyRow, { requestId: idempotencyKey });
    return row ? (JSON.parse(row.result) as CommandOutcome) : undefined;
  }

  async rememberOutcome(
    idempotencyKey: string,
    outcome: CommandOutcome,
    at: number,
  ): Promise<void> {
    await this.manager.insert(IdempotencyRow, {
      requestId: idempotencyKey,
      revision: outcome.revision,
      result: JSON.stringify(outcome),
      createdAt: new Date(at),
    });
  }

  /** DESIGN 2: `last_applied` moves in the transaction that applied the entries. */
  async setApplied(index: number, term?: number): Promise<void> {
    const fields =
      term === undefined
        ? { lastApplied: index }
        : { lastApplied: index, commitIndex: index, currentTerm: term };
    const result = await this.manager.update(
      RaftStateRow,
      { nodeId: this.nodeId },
      { ...fields, updatedAt: new Date() },
    );
    if (!result.affected) {
      await this.manager.insert(RaftStateRow, {
        nodeId: this.nodeId,
        role: 'FOLLOWER',
        commitIndex: index,
        currentTerm: term ?? 0,
        ...fields,
        updatedAt: new Date(),
      });
    }
  }
}
