import 'reflect-metadata';
import { ConfigError, loadAppConfig } from './env/app-config';
import { createApp } from './bootstrap';

/** Exit code for a bad configuration (sysexits EX_CONFIG), so supervisors can tell it apart. */
const EXIT_BAD_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`config-center: ${error.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(
    `config-center node ${config.nodeId} listening on http://${config.host}:${config.port} (${config.database.engine})\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `config-center failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
