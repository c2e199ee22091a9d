import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** A change without a history row (namespaces, kept versions, cleanups), written by apply on every replica. */
@Entity({ name: 'audit_event' })
export class AuditEventRow {
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

  @Column({ name: 'client_id', type: 'varchar', length: 128, nullable: true })
  clientId!: string | null;

  @Column({ name: 'on_behalf_of', type: 'varchar', length: 64, nullable: true })
  onBehalfOf!: string | null;

  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true })
  clientIp!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 200, nullable: true })
  requestId!: string | null;

  @Column({ type: 'varchar', length: 160, nullable: true })
  endpoint!: string | null;

  @Column({ name: 'node_id', type: 'varchar', length: 64, nullable: true })
  nodeId!: string | null;
}
