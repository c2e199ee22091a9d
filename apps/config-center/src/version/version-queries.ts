import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { ConfigHistoryRow, ConfigVersionRow } from '../database/entities';

/** A historical version of one config (port: the database, or nothing on a read worker). */
export abstract class VersionLookup {
  abstract findVersion(configId: number, version: number): Promise<ConfigVersionRow | null>;
}

/** Reads of the tables that are too large to keep in memory: versions and history. */
@Injectable()
export class VersionQueries extends VersionLookup {
  private readonly versions: Repository<ConfigVersionRow>;
  private readonly history: Repository<ConfigHistoryRow>;

  constructor(dataSource: DataSource) {
    super();
    this.versions = dataSource.getRepository(ConfigVersionRow);
    this.history = dataSource.getRepository(ConfigHistoryRow);
  }

  findVersion(configId: number, version: number): Promise<ConfigVersionRow | null> {
    return this.versions.findOneBy({ configId, version });
  }

  listVersions(
    configId: number,
    page: number,
    pageSize: number,
  ): Promise<[ConfigVersionRow[], number]> {
    return this.versions.findAndCount({
      where: { configId },
      order: { version: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
  }

  listHistory(
    configId: number,
    page: number,
    pageSize: number,
  ): Promise<[ConfigHistoryRow[], number]> {
    return this.history.findAndCount({
      where: { configId },
      order: { version: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
  }

  /** Stored bytes of each version's value on a page: to bound the answer before reading it. */
  async versionSizes(configId: number, page: number, pageSize: number): Promise<number[]> {
    const rows = await this.versions
      .createQueryBuilder('v')
      .select('OCTET_LENGTH(v.value)', 'bytes')
      .where('v.configId = :configId', { configId })
      .orderBy('v.version', 'DESC')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawMany<{ bytes: number | string }>();
    return rows.map((row) => Number(row.bytes));
  }

  /** Stored bytes of the old and new value of each change on a page. */
  async historySizes(configId: number, page: number, pageSize: number): Promise<number[]> {
    const rows = await this.history
      .createQueryBuilder('h')
      .select(
        'COALESCE(OCTET_LENGTH(h.oldValue), 4) + COALESCE(OCTET_LENGTH(h.newValue), 4)',
        'bytes',
      )
      .where('h.configId = :configId', { configId })
      .orderBy('h.version', 'DESC')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawMany<{ bytes: number | string }>();
    return rows.map((row) => Number(row.bytes));
  }
}
