import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DESIGN 12 corrected: an idempotency record is identified by (scope, request_id), where the
 * scope is the caller and the endpoint, and carries the request's fingerprint. Rows of before
 * keep their bare key under scope '' and no fingerprint: entries of an older log that are
 * replayed still find them, and no new request (always scoped) ever does.
 */
export class ScopedIdempotency1733100000000 implements MigrationInterface {
  name = 'ScopedIdempotency1733100000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type === 'mysql') {
      await runner.query(`ALTER TABLE \`idempotency_record\`
        ADD COLUMN \`scope\` VARCHAR(255) NOT NULL DEFAULT '' FIRST,
        ADD COLUMN \`fingerprint\` CHAR(64) NULL AFTER \`request_id\`,
        DROP PRIMARY KEY,
        ADD PRIMARY KEY (\`scope\`, \`request_id\`)`);
      return;
    }
    // SQLite cannot change a primary key in place: the table is rebuilt, rows copied.
    for (const statement of [
      `CREATE TABLE "idempotency_record_scoped" (
        "scope" VARCHAR(255) NOT NULL DEFAULT '',
        "request_id" VARCHAR(128) NOT NULL,
        "fingerprint" VARCHAR(64) NULL,
        "revision" BIGINT NOT NULL,
        "result" TEXT NOT NULL,
        "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
        PRIMARY KEY ("scope", "request_id")
      )`,
      `INSERT INTO "idempotency_record_scoped" ("scope", "request_id", "revision", "result", "created_at")
        SELECT '', "request_id", "revision", "result", "created_at" FROM "idempotency_record"`,
      `DROP TABLE "idempotency_record"`,
      `ALTER TABLE "idempotency_record_scoped" RENAME TO "idempotency_record"`,
      `CREATE INDEX "idx_idempotency_created_at" ON "idempotency_record" ("created_at")`,
    ])
      await runner.query(statement);
  }

  /** Keeps the legacy rows only: a bare key cannot hold two scopes. */
  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type === 'mysql') {
      await runner.query(`DELETE FROM \`idempotency_record\` WHERE \`scope\` <> ''`);
      await runner.query(`ALTER TABLE \`idempotency_record\`
        DROP PRIMARY KEY,
        ADD PRIMARY KEY (\`request_id\`),
        DROP COLUMN \`fingerprint\`,
        DROP COLUMN \`scope\``);
      return;
    }
    for (const statement of [
      `CREATE TABLE "idempotency_record_bare" (
        "request_id" VARCHAR(128) PRIMARY KEY NOT NULL,
        "revision" BIGINT NOT NULL,
        "result" TEXT NOT NULL,
        "created_at" DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))
      )`,
      `INSERT INTO "idempotency_record_bare" ("request_id", "revision", "result", "created_at")
        SELECT "request_id", "revision", "result", "created_at" FROM "idempotency_record" WHERE "scope" = ''`,
      `DROP TABLE "idempotency_record"`,
      `ALTER TABLE "idempotency_record_bare" RENAME TO "idempotency_record"`,
      `CREATE INDEX "idx_idempotency_created_at" ON "idempotency_record" ("created_at")`,
    ])
      await runner.query(statement);
  }
}
