import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** Spec 3.2.1 table 1, plus `revision`: the Raft index of the last change in this namespace. */
@Entity({ name: 'namespace' })
export class NamespaceRow {
  /** Chosen by apply from the creating entry's index (DESIGN 11), never AUTO_INCREMENT. */
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Index('uk_namespace_name', { unique: true })
  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  description!: string | null;

  @Index('idx_status')
  @Column({ type: 'tinyint', default: 1 })
  status!: number;

  @Column({ type: 'bigint', transformer: bigintToNumber, default: 0 })
  revision!: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
