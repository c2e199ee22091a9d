import { FastifyRequest } from 'fastify';
import { ORIGIN_LIMITS } from '../state/commands';
import { originOf } from './request-origin';

const request = (
  headers: Record<string, string>,
  extra: Partial<FastifyRequest> = {},
): FastifyRequest =>
  ({
    headers,
    ip: '127.0.0.1',
    id: 'req-1',
    nodeId: 'node-1',
    method: 'PUT',
    routeOptions: { url: '/api/v1/admin/config' },
    behindReadWorkers: false,
    ...extra,
  }) as unknown as FastifyRequest;

describe('originOf', () => {
  it('names the authenticated caller, the endpoint template and the node; never a header it was not asked for', () => {
    const origin = originOf(
      request({ authorization: 'Bearer secret', 'user-agent': 'curl/8' }, { callerId: 'ci-bot' }),
    );
    expect(origin).toEqual({
      clientId: 'ci-bot',
      onBehalfOf: null,
      clientIp: '127.0.0.1',
      userAgent: 'curl/8',
      requestId: 'req-1',
      endpoint: 'PUT /api/v1/admin/config',
      nodeId: 'node-1',
    });
    expect(JSON.stringify(origin)).not.toContain('secret');
  });

  it('reads X-Operator as UTF-8 and cuts a long user agent to its column', () => {
    const utf8AsLatin1 = Buffer.from('José', 'utf8').toString('latin1');
    const origin = originOf(
      request({ 'x-operator': utf8AsLatin1, 'user-agent': `a\u0001${'b'.repeat(400)}` }),
    );
    expect(origin.onBehalfOf).toBe('José');
    expect(origin.userAgent).toHaveLength(ORIGIN_LIMITS.userAgent);
    expect(origin.userAgent).toMatch(/^ab+$/);
  });

  it('trusts X-Forwarded-For only from a read worker over loopback', () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.9' };
    expect(originOf(request(forwarded)).clientIp).toBe('127.0.0.1');
    expect(originOf(request(forwarded, { behindReadWorkers: true })).clientIp).toBe('203.0.113.9');
    expect(
      originOf(request(forwarded, { behindReadWorkers: true, ip: '198.51.100.1' })).clientIp,
    ).toBe('198.51.100.1');
  });
});
