import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CacheMetrics, cacheMetricProviders } from './cache-metrics';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { HttpMetrics, MetricsController, httpMetricProviders } from './http-metrics';
import { StateModule } from '../state/state.module';
import { WritePathHealth } from './write-path-health';

@Global()
@Module({
  imports: [
    // The database component probes the connection that writes use (SqlTransactions).
    StateModule,
    PrometheusModule.register({
      path: '/api/v1/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  controllers: [HealthController],
  providers: [
    HealthRegistry,
    WritePathHealth,
    HttpMetrics,
    ...httpMetricProviders,
    CacheMetrics,
    ...cacheMetricProviders,
  ],
  exports: [HealthRegistry, HttpMetrics, CacheMetrics],
})
export class ObservabilityModule {}
