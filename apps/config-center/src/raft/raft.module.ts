import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { ClusterController } from './cluster.controller';
import { ClusterService } from './cluster.service';
import { RaftInternalController } from './raft-internal.controller';

@Module({
  imports: [StateModule],
  controllers: [RaftInternalController, ClusterController],
  providers: [ClusterService, ClusterSecretCheck],
  exports: [ClusterSecretCheck],
})
export class RaftModule {}
