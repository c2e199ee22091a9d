import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What one node saw or did alone (DESIGN 17): requests it refused (denied) or that failed, and
 * membership changes. Never replicated; each node answers for its own rows.
 */
@Entity({ name: 'audit_local' })
export class AuditLocalRow {
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
