import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CacheMetrics, cacheMetricProviders } from './cache-metrics';
import { DatabaseHealth } from './database-health';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { HttpMetrics, MetricsController, httpMetricProviders } from './http-metrics';

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/api/v1/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  controllers: [HealthController],
  providers: [
    HealthRegistry,
    DatabaseHealth,
    HttpMetrics,
    ...httpMetricProviders,
    CacheMetrics,
    ...cacheMetricProviders,
  ],
  exports: [HealthRegistry, HttpMetrics, CacheMetrics],
})
export class ObservabilityModule {}
