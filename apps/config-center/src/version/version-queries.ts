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
}
