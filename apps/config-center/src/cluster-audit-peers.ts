import { Inject, Injectable } from '@nestjs/common';
import { AuditPeer, AuditPeers } from './audit/audit-peers';
import { APP_CONFIG, AppConfig } from './env/app-config';
import { RaftCommandLog } from './raft/log/raft-command-log';
import { CLUSTER_SECRET_HEADER } from './raft/transport/raft-wire';
import { CommandLog } from './state/command-log';

/**
 * The audit's view of the cluster (audit/ knows nothing of Raft): the current voters but this
 * node, at the addresses the Raft transport uses, and the cluster secret that opens their
 * internal routes. A voter whose address is unknown here is asked at none and reported unreachable.
 */
@Injectable()
export class ClusterAuditPeers extends AuditPeers {
  constructor(
    private readonly log: CommandLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  others(): AuditPeer[] {
    const raft = this.log;
    if (!(raft instanceof RaftCommandLog)) return [];
    const urls = new Map(raft.peers.map((peer) => [peer.id, peer.url]));
    return raft
      .status()
      .voters.filter((id) => id !== this.config.nodeId)
      .map((id) => ({ id, url: urls.get(id) ?? '' }));
  }

  headers(): Record<string, string> {
    return { [CLUSTER_SECRET_HEADER]: this.config.cluster.secret ?? '' };
  }
}
