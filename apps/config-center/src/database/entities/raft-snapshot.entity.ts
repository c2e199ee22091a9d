import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

@Entity({ name: 'raft_snapshot' })
export class RaftSnapshotRow {
  @PrimaryColumn({ name: 'node_id', type: 'varchar', length: 64 })
  nodeId!: string;

  @Column({ name: 'snapshot_index', type: 'bigint', transformer: bigintToNumber })
  snapshotIndex!: number;

  @Column({ name: 'snapshot_term', type: 'bigint', transformer: bigintToNumber })
  snapshotTerm!: number;

  /** JSON array of voter ids. */
  @Column({ type: 'text' })
  voters!: string;

  @Column({ type: 'blob' })
  data!: Buffer;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}
