import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
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
  providers: [HealthRegistry, HttpMetrics, ...httpMetricProviders],
  exports: [HealthRegistry, HttpMetrics],
})
export class ObservabilityModule {}
