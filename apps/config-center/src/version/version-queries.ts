import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { ConfigHistoryRow, ConfigVersionRow } from '../database/entities';
import { CacheMetrics } from '../observability/cache-metrics';

/**
 * Reads of the tables that are too large to keep in memory: versions and history. Each query is
 * counted in `config_center_db_queries_total{query}`, so a cache stampede shows from outside.
 */
@Injectable()
export class VersionQueries {
  private readonly versions: Repository<ConfigVersionRow>;
  private readonly history: Repository<ConfigHistoryRow>;

  constructor(
    dataSource: DataSource,
    private readonly metrics: CacheMetrics,
  ) {
    this.versions = dataSource.getRepository(ConfigVersionRow);
    this.history = dataSource.getRepository(ConfigHistoryRow);
  }

  findVersion(configId: number, version: number): Promise<ConfigVersionRow | null> {
    this.metrics.databaseQuery('version');
    return this.versions.findOneBy({ configId, version });
  }

  listVersions(
    configId: number,
    page: number,
    pageSize: number,
  ): Promise<[ConfigVersionRow[], number]> {
    this.metrics.databaseQuery('version_list');
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
    this.metrics.databaseQuery('history');
    return this.history.findAndCount({
      where: { configId },
      order: { version: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
  }

  /** Stored bytes of each version's value on a page: to bound the answer before reading it. */
  async versionSizes(configId: number, page: number, pageSize: number): Promise<number[]> {
    this.metrics.databaseQuery('version_sizes');
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

  /** Every kept or recent version's number and time (ms): the spec's sorted set of versions. */
  async versionTimes(configId: number): Promise<Array<{ version: number; at: number }>> {
    this.metrics.databaseQuery('version_times');
    const rows = await this.versions.find({
      select: { version: true, createdAt: true },
      where: { configId },
    });
    return rows.map((row) => ({ version: row.version, at: row.createdAt.getTime() }));
  }

  /** Stored bytes of the old and new value of each change on a page. */
  async historySizes(configId: number, page: number, pageSize: number): Promise<number[]> {
    this.metrics.databaseQuery('history_sizes');
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
