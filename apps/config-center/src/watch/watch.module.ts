import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { NodeWatchHub } from './node-watch-hub';
import { WatchController } from './watch.controller';
import { WatchMetrics, watchMetricProviders } from './watch-metrics';

@Module({
  imports: [StateModule],
  controllers: [WatchController],
  providers: [NodeWatchHub, WatchMetrics, ...watchMetricProviders],
  exports: [NodeWatchHub, WatchMetrics],
})
export class WatchModule {}
