import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-types';

/** Spec 3.2.1 table 5. `last_applied` moves in the same transaction as the applied change (DESIGN 2). */
@Entity({ name: 'raft_state' })
export class RaftStateRow {
  @PrimaryColumn({ name: 'node_id', type: 'varchar', length: 64 })
  nodeId!: string;

  @Column({ name: 'current_term', type: 'bigint', transformer: bigintToNumber, default: 0 })
  currentTerm!: number;

  @Column({ name: 'voted_for', type: 'varchar', length: 64, nullable: true })
  votedFor!: string | null;

  @Column({ type: 'varchar', length: 32, default: 'FOLLOWER' })
  role!: string;

  @Column({ name: 'commit_index', type: 'bigint', transformer: bigintToNumber, default: 0 })
  commitIndex!: number;

  @Column({ name: 'last_applied', type: 'bigint', transformer: bigintToNumber, default: 0 })
  lastApplied!: number;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
