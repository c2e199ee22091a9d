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

  /**
   * DESIGN 16: true once the node has caught up after start, false while it stops (503). It does
   * not follow component health: a node answers reads from memory through an election or a
   * database outage (DESIGN 23), so it stays in the load balancer; /health says what is wrong.
   */
  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: caught up with the cluster after start, not stopping (503 otherwise); ' +
      'unaffected by elections',
  })
  @ApiEnvelope()
  ready() {
    if (!this.registry.isReady) {
      throw new ServiceUnavailable('not ready', {
        ready: false,
        stopping: this.registry.isStopping,
      });
    }
    return { status: 'ready' };
  }
}
