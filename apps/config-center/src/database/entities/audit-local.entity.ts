import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { OriginColumns } from './origin-columns';

/**
 * What one node saw or did alone (DESIGN 17): requests it refused (denied) or that failed, and
 * membership changes. Never replicated; each node answers for its own rows.
 */
@Entity({ name: 'audit_local' })
export class AuditLocalRow extends OriginColumns {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Index('idx_audit_local_created_at')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 32, nullable: true })
  action!: string | null;

  /** success | denied | failed */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @Column({ type: 'int' })
  code!: number;

  @Column({ name: 'http_status', type: 'int' })
  httpStatus!: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  namespace!: string | null;

  @Column({ name: 'config_key', type: 'varchar', length: 256, nullable: true })
  configKey!: string | null;
}
