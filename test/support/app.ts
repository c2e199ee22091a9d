import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/config-center/src/bootstrap';
import { loadAppConfig } from '../../apps/config-center/src/env/app-config';
import { Api } from './api';
import { TEST_ADMIN_TOKEN } from './auth';
import { alignCacheRoutes } from './cache-routes';
import { suiteDatabaseUrl } from './database';

export { removeSuiteDatabase, suiteDatabaseUrl } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  api: Api;
  close(): Promise<void>;
}

let openApps = 0;

/**
 * An in-process app on the suite's database, with extra environment (ADMIN_TOKEN, limits...).
 * One node owns its database (DESIGN 19): two live apps on one database would both append to
 * the log and collide, so a suite closes one app before it starts the next.
 */
export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  if (openApps > 0) throw new Error('another app is still open on this database; close it first');
  const config = loadAppConfig({
    ...process.env,
    DATABASE_URL: suiteDatabaseUrl(),
    PORT: '0',
    LOG_LEVEL: 'silent',
    // The scheduled retention job must not race the tests; cleanup is triggered explicitly.
    VERSION_CLEANUP_INTERVAL_SECONDS: '0',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  });
  const app = await createApp(config);
  await app.getHttpAdapter().getInstance().ready();
  openApps++;
  let closed = false;
  // Calls carry the configured ADMIN_TOKEN (Api.with() replaces it; anonymous() drops it).
  const api = new Api(
    app.getHttpServer(),
    config.adminToken ? { authorization: `Bearer ${config.adminToken}` } : {},
  );
  if (config.adminToken) await alignCacheRoutes(app, api, config.redisUrl);
  return {
    app,
    api,
    close: async () => {
      if (closed) return;
      closed = true;
      openApps--;
      await app.close();
    },
  };
}

export { uniqueName } from './names';
