import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/**
 * Spec 3.2.1 table 2. Additions: `revision` (index of the last change), `create_revision`,
 * and `deleted`: a deleted key keeps its row as a tombstone so that re-creating it continues
 * its version numbers (DESIGN 13).
 */
@Entity({ name: 'config' })
@Index('uk_namespace_key', ['namespaceId', 'key'], { unique: true })
export class ConfigRow {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Index('idx_namespace_id')
  @Column({ name: 'namespace_id', type: 'bigint', transformer: bigintToNumber })
  namespaceId!: number;

  @Index('idx_key')
  @Column({ type: 'varchar', length: 256 })
  key!: string;

  /** JSON text; MEDIUMTEXT on MySQL (DESIGN 14). Empty string on a tombstone. */
  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ type: 'varchar', length: 512, nullable: true })
  description!: string | null;

  @Index('idx_config_status')
  @Column({ type: 'tinyint', default: 1 })
  status!: number;

  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 64, nullable: true })
  updatedBy!: string | null;

  @Column({ type: 'bigint', transformer: bigintToNumber, default: 0 })
  revision!: number;

  @Column({ name: 'create_revision', type: 'bigint', transformer: bigintToNumber, default: 0 })
  createRevision!: number;

  @Column({ type: 'tinyint', default: 0 })
  deleted!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
