import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/**
 * DESIGN 12: the first result of a write carrying an Idempotency-Key, to answer a retry with
 * it. Identified by (scope, key): the same key from another caller or to another endpoint is
 * another record. Rows of before scoping have scope '' and no fingerprint.
 */
@Entity({ name: 'idempotency_record' })
export class IdempotencyRow {
  @PrimaryColumn({ type: 'varchar', length: 255, default: '' })
  scope!: string;

  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 128 })
  requestId!: string;

  /** SHA-256 (hex) of the request that first used the key. */
  @Column({ type: 'varchar', length: 64, nullable: true, default: null })
  fingerprint!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  revision!: number;

  @Column({ type: 'text' })
  result!: string;

  @Index('idx_idempotency_created_at')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
