import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, isClusterMode } from '../env/app-config';
import { StateModule } from '../state/state.module';
import { ClusterController } from './operator/cluster.controller';
import { ClusterService } from './operator/cluster.service';
import { RaftInternalController } from './inbound/raft-internal.controller';
import { RaftMetrics } from './operator/raft-metrics';

/** The node-to-node controller (forwarded proposals) is registered only on a cluster node. */
@Module({})
export class RaftModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RaftModule,
      imports: [StateModule],
      controllers: [
        ...(isClusterMode(config.cluster) ? [RaftInternalController] : []),
        ClusterController,
      ],
      providers: [ClusterService, RaftMetrics],
    };
  }
}
