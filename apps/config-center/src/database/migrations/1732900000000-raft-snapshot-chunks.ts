import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A snapshot's data in rows of at most 1 MiB. One LONGBLOB row could not hold a snapshot
 * larger than MySQL's max_allowed_packet (16 MiB by default, and half that once escaped as
 * hex): compaction then failed on every node, and a node that cannot persist stops.
 * `raft_snapshot` keeps the metadata; its `data` is empty for a chunked snapshot (older rows
 * that still carry their data are read as they are).
 */
export class RaftSnapshotChunks1732900000000 implements MigrationInterface {
  name = 'RaftSnapshotChunks1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type === 'mysql') {
      await runner.query(`CREATE TABLE \`raft_snapshot_chunk\` (
        \`node_id\` VARCHAR(64) NOT NULL,
        \`seq\` INT NOT NULL,
        \`data\` LONGBLOB NOT NULL,
        PRIMARY KEY (\`node_id\`, \`seq\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='raft snapshot data, in order'`);
    } else {
      await runner.query(`CREATE TABLE "raft_snapshot_chunk" (
        "node_id" VARCHAR(64) NOT NULL,
        "seq" INTEGER NOT NULL,
        "data" BLOB NOT NULL,
        PRIMARY KEY ("node_id", "seq")
      )`);
    }
  }

  /** Puts chunked data back into `raft_snapshot.data` (fails, as before, above max_allowed_packet). */
  async down(runner: QueryRunner): Promise<void> {
    const q = runner.connection.options.type === 'mysql' ? '`' : '"';
    const nodes: Array<{ node_id: string }> = await runner.query(
      `SELECT DISTINCT ${q}node_id${q} FROM ${q}raft_snapshot_chunk${q}`,
    );
    for (const { node_id: nodeId } of nodes) {
      const chunks: Array<{ data: Buffer }> = await runner.query(
        `SELECT ${q}data${q} FROM ${q}raft_snapshot_chunk${q} WHERE ${q}node_id${q} = ? ORDER BY ${q}seq${q}`,
        [nodeId],
      );
      await runner.query(
        `UPDATE ${q}raft_snapshot${q} SET ${q}data${q} = ? WHERE ${q}node_id${q} = ?`,
        [Buffer.concat(chunks.map((chunk) => chunk.data)), nodeId],
      );
    }
    await runner.query('DROP TABLE IF EXISTS raft_snapshot_chunk');
  }
}
