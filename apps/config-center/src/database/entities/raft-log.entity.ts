import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** Spec 3.2.1 table 4; `data` is LONGBLOB on MySQL (DESIGN 14). `id` equals `index`. */
@Entity({ name: 'raft_log' })
export class RaftLogRow {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  term!: number;

  @Index('uk_raft_log_index', { unique: true })
  @Column({ type: 'bigint', transformer: bigintToNumber })
  index!: number;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'blob' })
  data!: Buffer;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
