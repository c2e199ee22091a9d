import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';
import { OriginColumns } from './origin-columns';

/** A change without a history row (namespaces, kept versions, cleanups), written by apply on every replica. */
@Entity({ name: 'audit_event' })
export class AuditEventRow extends OriginColumns {
  @PrimaryColumn({ type: 'bigint', transformer: bigintToNumber })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  revision!: number;

  @Index('idx_audit_event_created_at')
  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 32 })
  action!: string;

  @Column({ name: 'namespace_id', type: 'bigint', transformer: bigintToNumber, nullable: true })
  namespaceId!: number | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  namespace!: string | null;

  @Column({ name: 'config_key', type: 'varchar', length: 256, nullable: true })
  configKey!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  operator!: string | null;
}
