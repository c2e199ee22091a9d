import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { RaftInternalController } from './raft-internal.controller';
import { RaftMetrics } from './raft-metrics';

@Module({
  imports: [StateModule],
  controllers: [RaftInternalController, ClusterController],
  providers: [ClusterService, ClusterSecretCheck, RaftMetrics],
  exports: [ClusterSecretCheck],
})
export class RaftModule {}
