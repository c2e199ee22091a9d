import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ServiceUnavailable } from '@cc/common';
import { ApiEnvelope } from '../http/swagger';
import { HealthRegistry } from './health-registry';

@ApiTags('monitoring')
@Controller('api/v1/health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Health of every component (spec 3.8.7); HTTP 503 when unhealthy' })
  @ApiEnvelope()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.registry.report();
    if (report.status === 'unhealthy') void reply.status(503);
    return report;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiEnvelope()
  live() {
    return { status: 'alive' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: state loaded and every critical component healthy (503 otherwise)',
  })
  @ApiEnvelope()
  async ready() {
    const report = await this.registry.report();
    if (!report.ready || report.status === 'unhealthy') {
      throw new ServiceUnavailable('not ready', { ready: report.ready, status: report.status });
    }
    return { status: 'ready' };
  }
}
