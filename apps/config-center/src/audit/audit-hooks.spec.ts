import { FastifyRequest } from 'fastify';
import { classifyForAudit } from './audit-hooks';

const request = (
  method: string,
  url: string | undefined,
  extra: Partial<FastifyRequest> = {},
): FastifyRequest => ({ method, routeOptions: { url }, ...extra }) as unknown as FastifyRequest;

describe('classifyForAudit', () => {
  it('records refusals for credentials, rights and limits as denied, wherever they happen', () => {
    for (const status of [401, 403, 429])
      expect(
        classifyForAudit(request('GET', '/api/v1/config/get', { reachedHandler: true }), status),
      ).toMatchObject({ outcome: 'denied' });
  });

  it('records any refusal made before a handler ran as denied, with the envelope code', () => {
    const refused = request('POST', '/api/v1/admin/config', { answeredCode: 50301 });
    expect(classifyForAudit(refused, 503)).toEqual({ outcome: 'denied', code: 50301 });
  });

  it('leaves unmatched routes and failed reads out', () => {
    expect(classifyForAudit(request('GET', undefined), 404)).toBeUndefined();
    const read = request('GET', '/api/v1/config/get', { reachedHandler: true });
    expect(classifyForAudit(read, 404)).toBeUndefined();
  });

  it('records a change refused by its handler as failed', () => {
    const write = request('PUT', '/api/v1/admin/config', {
      reachedHandler: true,
      answeredCode: 40901,
    });
    expect(classifyForAudit(write, 409)).toEqual({ outcome: 'failed', code: 40901 });
  });

  it('records a membership change that succeeded (it is no command: only this node knows it)', () => {
    const add = request('POST', '/api/v1/admin/cluster/members', { reachedHandler: true });
    expect(classifyForAudit(add, 200)).toEqual({ outcome: 'success', code: 0 });
    const config = request('POST', '/api/v1/admin/config', { reachedHandler: true });
    expect(classifyForAudit(config, 200)).toBeUndefined();
  });

  it('on a read worker records only what its own guards refused', () => {
    const passedOn = request('PUT', '/api/v1/admin/*', { reachedHandler: true });
    expect(classifyForAudit(passedOn, 403, true)).toBeUndefined();
    expect(classifyForAudit(request('GET', '/api/v1/admin/*'), 401, true)).toMatchObject({
      outcome: 'denied',
    });
  });
});
