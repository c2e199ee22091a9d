import { Controller, Get, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  InjectMetric,
  PrometheusController,
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { FastifyReply } from 'fastify';
import { Counter, Histogram } from 'prom-client';

export const API_REQUESTS = 'config_center_api_requests_total';
export const API_DURATION = 'config_center_api_request_duration_milliseconds';

/** Spec 3.7.4's histogram buckets, in milliseconds. */
export const DURATION_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** Spec 3.7.4 names, labels and buckets (DESIGN 20). */
export const httpMetricProviders = [
  makeCounterProvider({
    name: API_REQUESTS,
    help: 'Total number of API requests',
    labelNames: ['api', 'method', 'status'],
  }),
  makeHistogramProvider({
    name: API_DURATION,
    help: 'API request duration in milliseconds',
    labelNames: ['api', 'method'],
    buckets: DURATION_BUCKETS,
  }),
];

@Injectable()
export class HttpMetrics {
  constructor(
    @InjectMetric(API_REQUESTS) private readonly requests: Counter<'api' | 'method' | 'status'>,
    @InjectMetric(API_DURATION) private readonly duration: Histogram<'api' | 'method'>,
  ) {}

  /** `api` is the route template (`/api/v1/config/namespace/:namespace`), never the raw URL. */
  record(api: string, method: string, status: number, milliseconds: number): void {
    this.requests.inc({ api, method, status: String(status) });
    this.duration.observe({ api, method }, milliseconds);
  }
}

/** GET /api/v1/metrics in Prometheus text format, outside the JSON envelope. */
@ApiExcludeController()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    return super.index(response);
  }
}
