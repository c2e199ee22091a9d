import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { RetentionScheduler } from './retention.scheduler';
import {
  CleanupVersionsResource,
  ConfigDiffResource,
  ConfigHistoryResource,
  ConfigVersionsResource,
  KeepVersionResource,
  RollbackConfigResource,
} from './version.resources';

const resources = [
  ConfigHistoryResource,
  ConfigVersionsResource,
  ConfigDiffResource,
  RollbackConfigResource,
  KeepVersionResource,
  CleanupVersionsResource,
];

@Module({
  imports: [StateModule],
  providers: [RetentionScheduler, ...resources],
  exports: resources,
})
export class VersionModule {}
