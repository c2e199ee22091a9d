import { Api, ok } from '../support/api';
import { TestApp, removeSuiteDatabase, startApp, uniqueName } from '../support/app';
import { parseSamples, sampleValue } from '../support/prometheus';

/** Spec 3.8.7 health and metrics, and the Swagger document. */
describe('observability', () => {
  let server: TestApp;
  let api: Api;

  beforeAll(async () => {
    server = await startApp();
    api = server.api;
  });
  afterAll(async () => {
    await server.close();
    removeSuiteDatabase();
  });

  describe('health', () => {
    it('GET /health reports the database component with its latency, uptime and degraded', async () => {
      const data = ok(await api.get('/api/v1/health'));
      expect(data.status).toBe('healthy');
      expect(data.degraded).toBe(false);
      expect(Number.isInteger(data.uptime_seconds)).toBe(true);
      expect(data.uptime_seconds).toBeGreaterThanOrEqual(0);
      expect(data.components.database).toMatchObject({ status: 'healthy' });
      expect(typeof data.components.database.latency_ms).toBe('number');
      expect(data.components.database.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('GET /health/live answers while the process runs', async () => {
      expect(ok(await api.get('/api/v1/health/live'))).toEqual({ status: 'alive' });
    });

    it('GET /health/ready answers ready once the app is initialised', async () => {
      expect(ok(await api.get('/api/v1/health/ready'))).toEqual({ status: 'ready' });
    });
  });

  describe('metrics', () => {
    it('GET /metrics is Prometheus text labelled by route template, never by raw URL', async () => {
      const { name } = await api.createNamespace(uniqueName('metricsraw'));
      ok(await api.createConfig(name, 'k', 1));
      ok(await api.getConfig(name, 'k'));
      ok(await api.getConfig(name, 'k'));
      ok(await api.namespaceConfigs(name));
      await api.getConfig(name, 'missing');
      await api.get(`/api/v1/no-such-route-${name}`);

      const res = await api.get('/api/v1/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      const text = res.text;
      expect(text).toContain('# TYPE config_center_api_requests_total counter');
      expect(text).toContain('# TYPE config_center_api_request_duration_milliseconds histogram');

      const samples = parseSamples(text);
      const requests = (api: string, method: string, status: string) =>
        sampleValue(samples, 'config_center_api_requests_total', { api, method, status });
      expect(requests('/api/v1/config/get', 'GET', '200')).toBeGreaterThanOrEqual(2);
      expect(requests('/api/v1/config/get', 'GET', '404')).toBeGreaterThanOrEqual(1);
      expect(requests('/api/v1/config/namespace/:namespace', 'GET', '200')).toBeGreaterThanOrEqual(
        1,
      );
      expect(requests('/api/v1/admin/config', 'POST', '200')).toBeGreaterThanOrEqual(1);
      const bucket = (le: string) =>
        sampleValue(samples, 'config_center_api_request_duration_milliseconds_bucket', {
          api: '/api/v1/config/get',
          method: 'GET',
          le,
        });
      // The spec's buckets; cumulative counts.
      for (const le of ['1', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000'])
        expect(
          samples.some(
            (s) =>
              s.name === 'config_center_api_request_duration_milliseconds_bucket' &&
              s.labels.le === le,
          ),
        ).toBe(true);
      expect(bucket('+Inf')).toBeGreaterThanOrEqual(3);
      expect(bucket('10')).toBeLessThanOrEqual(bucket('+Inf'));
      // Cardinality: neither the namespace name nor an unknown URL becomes a label value.
      expect(text).not.toContain(name);
      expect(text).not.toContain('no-such-route');
    });
  });

  describe('swagger', () => {
    it('GET /docs-json is an OpenAPI document listing every endpoint', async () => {
      const res = await api.get('/docs-json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\./);
      const expected: Array<[string, string[]]> = [
        ['/api/v1/config/get', ['get']],
        ['/api/v1/config/batch-get', ['post']],
        ['/api/v1/config/namespace/{namespace}', ['get']],
        ['/api/v1/config/versions', ['get']],
        ['/api/v1/config/diff', ['get']],
        ['/api/v1/admin/config', ['post', 'put', 'delete']],
        ['/api/v1/admin/config/list', ['get']],
        ['/api/v1/admin/config/history', ['get']],
        ['/api/v1/admin/config/rollback', ['post']],
        ['/api/v1/admin/config/batch', ['post']],
        ['/api/v1/admin/config/version/keep', ['put']],
        ['/api/v1/admin/config/versions/cleanup', ['post']],
        ['/api/v1/admin/namespace', ['post']],
        ['/api/v1/admin/namespace/{id}', ['put', 'delete']],
        ['/api/v1/admin/namespace/list', ['get']],
        ['/api/v1/admin/namespace/export', ['get']],
        ['/api/v1/admin/namespace/import', ['post']],
        ['/api/v1/health', ['get']],
        ['/api/v1/health/live', ['get']],
        ['/api/v1/health/ready', ['get']],
      ];
      const missing: string[] = [];
      for (const [path, methods] of expected)
        for (const method of methods)
          if (!doc.paths?.[path]?.[method]) missing.push(`${method.toUpperCase()} ${path}`);
      expect(missing).toEqual([]);
    });

    it('GET /docs serves the Swagger UI', async () => {
      const res = await api.get('/docs');
      expect([200, 301, 302]).toContain(res.status);
    });
  });
});
