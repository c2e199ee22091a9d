import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The six tables of spec 3.2.1 plus `idempotency_record`, on MySQL/MariaDB and SQLite.
 * Differences from the spec's DDL, each for a reason written in DESIGN.md:
 * - ids are chosen by apply (decision 11), so no AUTO_INCREMENT;
 * - values are MEDIUMTEXT and raft_log.data LONGBLOB (decision 14: 1 MiB values);
 * - config_history.new_value is nullable (a DELETE row has none, decision 13);
 * - revision columns (decision 3), config.deleted tombstones (13), config_version.kept (spec 3.6);
 * - DATETIME(3) so history keeps millisecond order.
 */
export class InitialSchema1732600000000 implements MigrationInterface {
  name = 'InitialSchema1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = runner.connection.options.type === 'mysql' ? MYSQL : SQLITE;
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_record',
      'config_version',
      'raft_state',
      'raft_log',
      'config_history',
      'config',
      'namespace',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

const MYSQL = [
  `CREATE TABLE \`namespace\` (
    \`id\` BIGINT NOT NULL PRIMARY KEY,
    \`name\` VARCHAR(128) NOT NULL,
    \`description\` VARCHAR(512) NULL,
    \`status\` TINYINT NOT NULL DEFAULT 1,
    \`revision\` BIGINT NOT NULL DEFAULT 0,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`updated_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY \`uk_namespace_name\` (\`name\`),
    INDEX \`idx_name\` (\`name\`),
    INDEX \`idx_status\` (\`status\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='namespaces'`,
  `CREATE TABLE \`config\` (
    \`id\` BIGINT NOT NULL PRIMARY KEY,
    \`namespace_id\` BIGINT NOT NULL,
    \`key\` VARCHAR(256) NOT NULL,
    \`value\` MEDIUMTEXT NOT NULL,
    \`version\` INT NOT NULL DEFAULT 1,
    \`description\` VARCHAR(512) NULL,
    \`status\` TINYINT NOT NULL DEFAULT 1,
    \`created_by\` VARCHAR(64) NULL,
    \`updated_by\` VARCHAR(64) NULL,
    \`revision\` BIGINT NOT NULL DEFAULT 0,
    \`create_revision\` BIGINT NOT NULL DEFAULT 0,
    \`deleted\` TINYINT NOT NULL DEFAULT 0,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`updated_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY \`uk_namespace_key\` (\`namespace_id\`, \`key\`),
    INDEX \`idx_namespace_id\` (\`namespace_id\`),
    INDEX \`idx_key\` (\`key\`),
    INDEX \`idx_config_status\` (\`status\`),
    CONSTRAINT \`fk_config_namespace\` FOREIGN KEY (\`namespace_id\`) REFERENCES \`namespace\` (\`id\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='configs'`,
  `CREATE TABLE \`config_history\` (
    \`id\` BIGINT NOT NULL PRIMARY KEY,
    \`config_id\` BIGINT NOT NULL,
    \`namespace_id\` BIGINT NOT NULL,
    \`key\` VARCHAR(256) NOT NULL,
    \`old_value\` MEDIUMTEXT NULL,
    \`new_value\` MEDIUMTEXT NULL,
    \`version\` INT NOT NULL,
    \`operation\` VARCHAR(32) NOT NULL,
    \`operator\` VARCHAR(64) NULL,
    \`revision\` BIGINT NOT NULL DEFAULT 0,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    INDEX \`idx_config_id\` (\`config_id\`),
    INDEX \`idx_history_namespace_id\` (\`namespace_id\`),
    INDEX \`idx_created_at\` (\`created_at\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='config change history'`,
  `CREATE TABLE \`raft_log\` (
    \`id\` BIGINT NOT NULL PRIMARY KEY,
    \`term\` BIGINT NOT NULL,
    \`index\` BIGINT NOT NULL,
    \`type\` VARCHAR(32) NOT NULL,
    \`data\` LONGBLOB NOT NULL,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY \`uk_raft_log_index\` (\`index\`),
    INDEX \`idx_term\` (\`term\`),
    INDEX \`idx_index\` (\`index\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='raft log'`,
  `CREATE TABLE \`raft_state\` (
    \`node_id\` VARCHAR(64) NOT NULL PRIMARY KEY,
    \`current_term\` BIGINT NOT NULL DEFAULT 0,
    \`voted_for\` VARCHAR(64) NULL,
    \`role\` VARCHAR(32) NOT NULL DEFAULT 'FOLLOWER',
    \`commit_index\` BIGINT NOT NULL DEFAULT 0,
    \`last_applied\` BIGINT NOT NULL DEFAULT 0,
    \`updated_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='raft state'`,
  `CREATE TABLE \`config_version\` (
    \`id\` BIGINT NOT NULL PRIMARY KEY,
    \`config_id\` BIGINT NOT NULL,
    \`namespace_id\` BIGINT NOT NULL,
    \`key\` VARCHAR(256) NOT NULL,
    \`value\` MEDIUMTEXT NOT NULL,
    \`version\` INT NOT NULL,
    \`status\` TINYINT NOT NULL DEFAULT 1,
    \`kept\` TINYINT NOT NULL DEFAULT 0,
    \`created_by\` VARCHAR(64) NULL,
    \`revision\` BIGINT NOT NULL DEFAULT 0,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY \`uk_config_version\` (\`config_id\`, \`version\`),
    INDEX \`idx_version_config_id\` (\`config_id\`),
    INDEX \`idx_namespace_key_version\` (\`namespace_id\`, \`key\`, \`version\`),
    INDEX \`idx_version_status\` (\`status\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='all kept versions of every config'`,
  `CREATE TABLE \`idempotency_record\` (
    \`request_id\` VARCHAR(128) NOT NULL PRIMARY KEY,
    \`revision\` BIGINT NOT NULL,
    \`result\` MEDIUMTEXT NOT NULL,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    INDEX \`idx_idempotency_created_at\` (\`created_at\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='results of idempotent writes'`,
];

const SQLITE = [
  `CREATE TABLE "namespace" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "description" VARCHAR(512),
    "status" TINYINT NOT NULL DEFAULT 1,
    "revision" BIGINT NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "updated_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE UNIQUE INDEX "uk_namespace_name" ON "namespace" ("name")`,
  `CREATE INDEX "idx_status" ON "namespace" ("status")`,
  `CREATE TABLE "config" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "namespace_id" BIGINT NOT NULL REFERENCES "namespace" ("id"),
    "key" VARCHAR(256) NOT NULL,
    "value" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "description" VARCHAR(512),
    "status" TINYINT NOT NULL DEFAULT 1,
    "created_by" VARCHAR(64),
    "updated_by" VARCHAR(64),
    "revision" BIGINT NOT NULL DEFAULT 0,
    "create_revision" BIGINT NOT NULL DEFAULT 0,
    "deleted" TINYINT NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "updated_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE UNIQUE INDEX "uk_namespace_key" ON "config" ("namespace_id", "key")`,
  `CREATE INDEX "idx_namespace_id" ON "config" ("namespace_id")`,
  `CREATE INDEX "idx_key" ON "config" ("key")`,
  `CREATE INDEX "idx_config_status" ON "config" ("status")`,
  `CREATE TABLE "config_history" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "config_id" BIGINT NOT NULL,
    "namespace_id" BIGINT NOT NULL,
    "key" VARCHAR(256) NOT NULL,
    "old_value" TEXT,
    "new_value" TEXT,
    "version" INTEGER NOT NULL,
    "operation" VARCHAR(32) NOT NULL,
    "operator" VARCHAR(64),
    "revision" BIGINT NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE INDEX "idx_config_id" ON "config_history" ("config_id")`,
  `CREATE INDEX "idx_history_namespace_id" ON "config_history" ("namespace_id")`,
  `CREATE INDEX "idx_created_at" ON "config_history" ("created_at")`,
  `CREATE TABLE "raft_log" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "term" BIGINT NOT NULL,
    "index" BIGINT NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "data" BLOB NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE UNIQUE INDEX "uk_raft_log_index" ON "raft_log" ("index")`,
  `CREATE INDEX "idx_term" ON "raft_log" ("term")`,
  `CREATE TABLE "raft_state" (
    "node_id" VARCHAR(64) PRIMARY KEY NOT NULL,
    "current_term" BIGINT NOT NULL DEFAULT 0,
    "voted_for" VARCHAR(64),
    "role" VARCHAR(32) NOT NULL DEFAULT 'FOLLOWER',
    "commit_index" BIGINT NOT NULL DEFAULT 0,
    "last_applied" BIGINT NOT NULL DEFAULT 0,
    "updated_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE TABLE "config_version" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "config_id" BIGINT NOT NULL,
    "namespace_id" BIGINT NOT NULL,
    "key" VARCHAR(256) NOT NULL,
    "value" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TINYINT NOT NULL DEFAULT 1,
    "kept" TINYINT NOT NULL DEFAULT 0,
    "created_by" VARCHAR(64),
    "revision" BIGINT NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE UNIQUE INDEX "uk_config_version" ON "config_version" ("config_id", "version")`,
  `CREATE INDEX "idx_version_config_id" ON "config_version" ("config_id")`,
  `CREATE INDEX "idx_namespace_key_version" ON "config_version" ("namespace_id", "key", "version")`,
  `CREATE INDEX "idx_version_status" ON "config_version" ("status")`,
  `CREATE TABLE "idempotency_record" (
    "request_id" VARCHAR(128) PRIMARY KEY NOT NULL,
    "revision" BIGINT NOT NULL,
    "result" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
  )`,
  `CREATE INDEX "idx_idempotency_created_at" ON "idempotency_record" ("created_at")`,
];
