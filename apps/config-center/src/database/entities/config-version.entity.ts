import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** Spec 3.2.1 table 6, plus `kept` (spec 3.6: versions marked as kept survive cleanup) and `revision`. */
@Entity({ name: 'config_version' })
@Index('uk_config_version', ['configId', 'version'], { unique: true })
@Index('idx_namespace_key_version', ['namespaceId', 'key', 'version'])
export class ConfigVersionRow {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Column({ name: 'config_id', type: 'bigint', transformer: bigintToNumber })
  configId!: number;

  @Column({ name: 'namespace_id', type: 'bigint', transformer: bigintToNumber })
  namespaceId!: number;

  @Column({ type: 'varchar', length: 256 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'tinyint', default: 1 })
  status!: number;

  @Column({ type: 'tinyint', default: 0 })
  kept!: number;

  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true })
  createdBy!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber, default: 0 })
  revision!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
