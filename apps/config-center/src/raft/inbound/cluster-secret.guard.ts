import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '@cc/common';
import { APP_CONFIG, AppConfig } from '../../env/app-config';
import { CLUSTER_SECRET_HEADER } from '../transport/raft-wire';

/** Node-to-node requests must carry CLUSTER_SECRET; anything else is refused (40101 / 40301). */
@Injectable()
export class ClusterSecretCheck {
  private readonly secret: Buffer | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secret = config.cluster.secret ? Buffer.from(config.cluster.secret) : null;
  }

  verify(request: FastifyRequest): void {
    const presented = request.headers[CLUSTER_SECRET_HEADER];
    if (typeof presented !== 'string')
      throw new Unauthorized(`${CLUSTER_SECRET_HEADER} header required`);
    const bytes = Buffer.from(presented);
    if (
      !this.secret ||
      bytes.length !== this.secret.length ||
      !timingSafeEqual(bytes, this.secret)
    ) {
      throw new Forbidden('cluster secret does not match');
    }
  }
}
