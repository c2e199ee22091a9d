import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** DESIGN 12: the first result of a write carrying a client request id, to answer a retry with it. */
@Entity({ name: 'idempotency_record' })
export class IdempotencyRow {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 128 })
  requestId!: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  revision!: number;

  @Column({ type: 'text' })
  result!: string;

  @Index('idx_idempotency_created_at')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
