import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { ConfigHistoryRow, ConfigVersionRow } from '../database/entities';

/** Reads of the tables that are too large to keep in memory: versions and history. */
@Injectable()
export class VersionQueries {
  private readonly versions: Repository<ConfigVersionRow>;
  private readonly history: Repository<ConfigHistoryRow>;

  constructor(dataSource: DataSource) {
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
}
