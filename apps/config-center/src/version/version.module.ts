import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { RetentionScheduler } from './retention.scheduler';
import { CacheModule } from '../cache/cache.module';
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
  imports: [StateModule, CacheModule],
  providers: [RetentionScheduler, ...resources],
  exports: [CacheModule, ...resources],
})
export class VersionModule {}
