import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Forbidden, Unauthorized } from '@cc/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';

const ADMIN_PREFIX = '/api/v1/admin/';
/** RFC 6750 section 2.1: the `Bearer` scheme (any case), spaces, the token. Nothing else counts. */
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * When ADMIN_TOKEN is set, /api/v1/admin/* needs `Authorization: Bearer <token>`:
 * none (or another scheme) -> 40101, a wrong one -> 40301. Client reads stay open (they are what services poll).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly token: Buffer | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = config.adminToken ? Buffer.from(config.adminToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The matched route template, not the raw URL: `/api/v1/%61dmin/...` routes to admin too.
    const route = request.routeOptions.url ?? request.url;
    if (!route.startsWith(ADMIN_PREFIX)) return true;
    const bearer = BEARER.exec(request.headers.authorization ?? '');
    if (!bearer)
      throw new Unauthorized('Authorization: Bearer <ADMIN_TOKEN> is required for admin endpoints');
    const presented = Buffer.from(bearer[1]);
    if (presented.length !== this.token.length || !timingSafeEqual(presented, this.token)) {
      throw new Forbidden('the presented token does not grant admin access');
    }
    return true;
  }
}
