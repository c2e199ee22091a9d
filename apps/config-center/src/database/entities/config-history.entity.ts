import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';
import { OriginColumns } from './origin-columns';

export type HistoryOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'ROLLBACK';

/** Spec 3.2.1 table 3. `new_value` is nullable: a DELETE has none (DESIGN 13). */
@Entity({ name: 'config_history' })
export class ConfigHistoryRow extends OriginColumns {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Index('idx_config_id')
  @Column({ name: 'config_id', type: 'bigint', transformer: bigintToNumber })
  configId!: number;

  @Index('idx_history_namespace_id')
  @Column({ name: 'namespace_id', type: 'bigint', transformer: bigintToNumber })
  namespaceId!: number;

  @Column({ type: 'varchar', length: 256 })
  key!: string;

  @Column({ name: 'old_value', type: 'text', nullable: true })
  oldValue!: string | null;

  @Column({ name: 'new_value', type: 'text', nullable: true })
  newValue!: string | null;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  operation!: HistoryOperation;

  @Column({ type: 'varchar', length: 64, nullable: true })
  operator!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber, default: 0 })
  revision!: number;

  @Index('idx_created_at')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
