import { MigrationInterface, QueryRunner } from 'typeorm';

/** DESIGN 21: access tokens (the SHA-256 of each secret, never the secret). */
export class AccessTokens1733200000000 implements MigrationInterface {
  name = 'AccessTokens1733200000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    const q = (name: string) => (mysql ? `\`${name}\`` : `"${name}"`);
    const time = mysql ? 'DATETIME(3)' : 'DATETIME';
    await runner.query(`CREATE TABLE ${q('access_token')} (
      ${q('id')} BIGINT NOT NULL PRIMARY KEY,
      ${q('client_id')} VARCHAR(64) NOT NULL,
      ${q('role')} VARCHAR(16) NOT NULL,
      ${q('namespaces')} TEXT NOT NULL,
      ${q('secret_hash')} VARCHAR(64) NOT NULL,
      ${q('previous_hash')} VARCHAR(64) NULL,
      ${q('previous_valid_until')} BIGINT NULL,
      ${q('expires_at')} BIGINT NULL,
      ${q('revoked_at')} BIGINT NULL,
      ${q('created_by')} VARCHAR(64) NOT NULL,
      ${q('revision')} BIGINT NOT NULL DEFAULT 0,
      ${q('created_at')} ${time} NOT NULL,
      ${q('updated_at')} ${time} NOT NULL
    )${mysql ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin' : ''}`);
    await runner.query(
      `CREATE UNIQUE INDEX ${q('uk_access_token_secret')} ON ${q('access_token')} (${q('secret_hash')})`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.options.type === 'mysql';
    await runner.query(mysql ? 'DROP TABLE `access_token`' : 'DROP TABLE "access_token"');
  }
}
