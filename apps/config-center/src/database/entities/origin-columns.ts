import { Column } from 'typeorm';

/**
 * Who made a change or a refused request, and from where (audit, spec 3.7.2): the columns
 * `config_history`, `audit_event` and `audit_local` share. Null on rows written before the audit.
 */
export abstract class OriginColumns {
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
