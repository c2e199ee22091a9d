import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Raft snapshots (paper section 7): the state machine's tables at `snapshot_index`, plus the voters then.
 * One row per node (each node has its own database, DESIGN 19); `data` is gzip'd JSON.
 */
export class RaftSnapshot1732700000000 implements MigrationInterface {
  name = 'RaftSnapshot1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type === 'mysql') {
      await runner.query(`CREATE TABLE \`raft_snapshot\` (
        \`node_id\` VARCHAR(64) NOT NULL PRIMARY KEY,
        \`snapshot_index\` BIGINT NOT NULL,
        \`snapshot_term\` BIGINT NOT NULL,
        \`voters\` TEXT NOT NULL,
        \`data\` LONGBLOB NOT NULL,
        \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='raft snapshot'`);
    } else {
      await runner.query(`CREATE TABLE "raft_snapshot" (
        "node_id" VARCHAR(64) PRIMARY KEY NOT NULL,
        "snapshot_index" BIGINT NOT NULL,
        "snapshot_term" BIGINT NOT NULL,
        "voters" TEXT NOT NULL,
        "data" BLOB NOT NULL,
        "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
      )`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS raft_snapshot');
  }
}
