import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** DESIGN 21: access tokens, by the SHA-256 of their secret (the secret is never stored). */
@Entity({ name: 'access_token' })
export class AccessTokenRow {
  /** Chosen by apply from the creating entry's index (DESIGN 11). */
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: string;

  /** JSON: an array of namespace names, or the string "*". */
  @Column({ type: 'text' })
  namespaces!: string;

  @Index('uk_access_token_secret', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ name: 'previous_hash', type: 'varchar', length: 64, nullable: true })
  previousHash!: string | null;

  @Column({
    name: 'previous_valid_until',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  previousValidUntil!: number | null;

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  expiresAt!: number | null;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  revokedAt!: number | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber, default: 0 })
  revision!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
