import { MigrationInterface, QueryRunner } from 'typeorm';

/** Origin columns (spec 3.7.2): who asked, from where, through which endpoint, on which node. */
const ORIGIN_COLUMNS: ReadonlyArray<readonly [name: string, width: number]> = [
  ['client_id', 128],
  ['on_behalf_of', 64],
  ['client_ip', 64],
  ['user_agent', 256],
  ['request_id', 200],
  ['endpoint', 160],
  ['node_id', 64],
];

const originColumns = (quote: string): string =>
  ORIGIN_COLUMNS.map(([name, width]) => `${quote}${name}${quote} VARCHAR(${width}) NULL`).join(
    ',\n    ',
  );

/**
 * The audit trail (issue 13, item 3):
 *  - config_history: the origin of each change, on the row the change already writes (nullable:
 *    rows of before have none);
 *  - audit_event: namespace changes, versions kept, cleanups, written by apply (replicated, ids chosen by the proposer);
 *  - audit_local: what one node saw and did alone: denied or failed requests and membership
 *    changes (DESIGN 17); never replicated, so its id is the node's own counter.
 */
export class Audit1733300000000 implements MigrationInterface {
  name = 'Audit1733300000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    const q = mysql ? '`' : '"';
    const time = mysql ? 'DATETIME(3)' : 'DATETIME';
    const tableEnd = mysql ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : '';
    if (mysql) {
      await runner.query(
        `ALTER TABLE \`config_history\` ${ORIGIN_COLUMNS.map(([name, width]) => `ADD COLUMN \`${name}\` VARCHAR(${width}) NULL`).join(', ')}`,
      );
    } else {
      for (const [name, width] of ORIGIN_COLUMNS)
        await runner.query(
          `ALTER TABLE "config_history" ADD COLUMN "${name}" VARCHAR(${width}) NULL`,
        );
    }
    await runner.query(`CREATE TABLE ${q}audit_event${q} (
    ${q}id${q} BIGINT NOT NULL PRIMARY KEY,
    ${q}revision${q} BIGINT NOT NULL,
    ${q}created_at${q} ${time} NOT NULL,
    ${q}action${q} VARCHAR(32) NOT NULL,
    ${q}namespace_id${q} BIGINT NULL,
    ${q}namespace${q} VARCHAR(128) NULL,
    ${q}config_key${q} VARCHAR(256) NULL,
    ${q}operator${q} VARCHAR(64) NULL,
    ${originColumns(q)}
  )${tableEnd}`);
    await runner.query(
      `CREATE INDEX ${q}idx_audit_event_created_at${q} ON ${q}audit_event${q} (${q}created_at${q})`,
    );
    await runner.query(`CREATE TABLE ${q}audit_local${q} (
    ${q}id${q} ${mysql ? 'BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
    ${q}created_at${q} ${time} NOT NULL,
    ${q}action${q} VARCHAR(32) NULL,
    ${q}outcome${q} VARCHAR(16) NOT NULL,
    ${q}code${q} INT NOT NULL,
    ${q}http_status${q} INT NOT NULL,
    ${q}namespace${q} VARCHAR(128) NULL,
    ${q}config_key${q} VARCHAR(256) NULL,
    ${originColumns(q)}
  )${tableEnd}`);
    await runner.query(
      `CREATE INDEX ${q}idx_audit_local_created_at${q} ON ${q}audit_local${q} (${q}created_at${q})`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    const q = mysql ? '`' : '"';
    await runner.query(`DROP TABLE ${q}audit_local${q}`);
    await runner.query(`DROP TABLE ${q}audit_event${q}`);
    for (const [name] of ORIGIN_COLUMNS)
      await runner.query(`ALTER TABLE ${q}config_history${q} DROP COLUMN ${q}${name}${q}`);
  }
}
