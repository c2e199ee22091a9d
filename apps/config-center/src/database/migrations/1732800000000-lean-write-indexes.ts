import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops four secondary indexes of the spec's DDL that every write pays for on every replica
 * (one B-tree insert each) and no query uses:
 *  - raft_log `idx_index` repeats the UNIQUE index on `index`; `idx_term`: nothing looks a
 *    term up (the log is read by index);
 *  - config_version `idx_version_config_id` is the prefix of UNIQUE (config_id, version);
 *    `idx_version_status` indexes a two-valued column no query filters on.
 * raft_log went from 4 B-trees per row to 2 and config_version from 5 to 3.
 */
export class LeanWriteIndexes1732800000000 implements MigrationInterface {
  name = 'LeanWriteIndexes1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    for (const [table, index] of DROPPED) {
      if (mysql) await runner.query(`ALTER TABLE \`${table}\` DROP INDEX \`${index}\``);
      else await runner.query(`DROP INDEX IF EXISTS "${index}"`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    for (const [table, index, column] of DROPPED) {
      if (!mysql && index === 'idx_index') continue; // only the MySQL schema had it
      await runner.query(
        mysql
          ? `CREATE INDEX \`${index}\` ON \`${table}\` (\`${column}\`)`
          : `CREATE INDEX "${index}" ON "${table}" ("${column}")`,
      );
    }
  }
}

const DROPPED: ReadonlyArray<readonly [table: string, index: string, column: string]> = [
  ['raft_log', 'idx_index', 'index'],
  ['raft_log', 'idx_term', 'term'],
  ['config_version', 'idx_version_config_id', 'config_id'],
  ['config_version', 'idx_version_status', 'status'],
];
