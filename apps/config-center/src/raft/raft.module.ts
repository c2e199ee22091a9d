import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, isClusterMode } from '../env/app-config';
import { CommandLog } from '../state/command-log';
import { SingleNodeCommandLog } from '../state/single-node-log';
import { StateModule } from '../state/state.module';
import { RaftInternalController } from './inbound/raft-internal.controller';
import { RaftCommandLog } from './log/raft-command-log';
import { ClusterController } from './operator/cluster.controller';
import { ClusterService } from './operator/cluster.service';
import { RaftMetrics } from './operator/raft-metrics';
import { DurableRaftStorage } from './storage/durable-raft-storage';
import { RaftLogStore } from './storage/raft-log-store';
import { HttpRaftTransport } from './transport/http-raft-transport';
import { HttpProposalForwarder, ProposalForwarder } from './transport/proposal-forwarder';
import { RaftTransport } from './transport/raft-transport';

/**
 * Provides the CommandLog the write path uses (global: StateService injects it): the Raft log
 * over its ports on a cluster node (RAFT_PEERS or RAFT_JOIN), the single-voter log otherwise.
 * Also the operator API (cluster members, leadership) and, on a cluster node, the node-to-node
 * controller (forwarded proposals).
 */
@Module({})
export class RaftModule {
  static forRoot(config: AppConfig): DynamicModule {
    const cluster = isClusterMode(config.cluster);
    return {
      module: RaftModule,
      global: true,
      imports: [StateModule],
      controllers: [...(cluster ? [RaftInternalController] : []), ClusterController],
      providers: [
        ...(cluster ? raftLogProviders(config) : singleNodeLogProviders()),
        ClusterService,
        RaftMetrics,
      ],
      exports: [CommandLog],
    };
  }
}

function singleNodeLogProviders(): Provider[] {
  return [{ provide: CommandLog, useClass: SingleNodeCommandLog }];
}

function raftLogProviders(config: AppConfig): Provider[] {
  const cluster = config.cluster;
  return [
    {
      provide: RaftLogStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new DurableRaftStorage(dataSource, config.nodeId),
    },
    {
      provide: RaftTransport,
      useFactory: () =>
        new HttpRaftTransport(
          config.nodeId,
          cluster.secret ?? '',
          cluster.peers,
          cluster.advertiseUrl,
          cluster.snapshotChunkBytes,
        ),
    },
    { provide: ProposalForwarder, useClass: HttpProposalForwarder },
    { provide: CommandLog, useClass: RaftCommandLog },
  ];
}
