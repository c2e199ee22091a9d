import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { RetentionScheduler } from './retention.scheduler';
import { VersionLookup, VersionQueries } from './version-queries';
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
  providers: [
    VersionQueries,
    { provide: VersionLookup, useExisting: VersionQueries },
    RetentionScheduler,
    ...resources,
  ],
  exports: [VersionQueries, VersionLookup, ...resources],
})
export class VersionModule {}
