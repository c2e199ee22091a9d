import 'reflect-metadata';
import cluster from 'node:cluster';
import { AddressInfo } from 'node:net';
import { createApp } from './bootstrap';
import { DataInUse, NodeDataLock } from './database/data-lock/data-lock';
import { lockNodeData } from './database/data-lock/node-data-lock';
import { SqlTransactions } from './database/sql-writer';
import { AppConfig, ConfigError, loadAppConfig } from './env/app-config';
import { runReadWorker } from './workers/read-worker';
import { stopOnSignals } from './lifecycle/graceful-stop';
import { ReadWorkers, superviseReadWorkers } from './workers/worker-supervisor';

/** Exit code for a bad configuration (sysexits EX_CONFIG), so supervisors can tell it apart. */
const EXIT_BAD_CONFIG = 78;
/** Another process runs on this node's data (README "One process per node"). */
const EXIT_DATA_IN_USE = 73;

function configOrExit(): AppConfig {
  try {
    return loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`config-center: ${error.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
}

/** Before migrations and before the port: a second process on the same data stops here. */
async function lockDataOrExit(config: AppConfig): Promise<NodeDataLock> {
  try {
    // Lost later (MySQL only: the session dropped and another process took the lock): stop now.
    return await lockNodeData(config.database, {
      onTakenOver: () => process.exit(EXIT_DATA_IN_USE),
    });
  } catch (error) {
    if (error instanceof DataInUse) {
      process.stderr.write(`config-center: ${error.message}; not starting\n`);
      process.exit(EXIT_DATA_IN_USE);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  if (config.httpWorkers > 1 && cluster.isWorker) {
    await runReadWorker(config, process.env.CC_CORE_URL ?? '');
    return;
  }
  const lock = await lockDataOrExit(config);
  const app = await createApp(config);
  app.get(SqlTransactions).requireLock(() => lock.held);
  let workers: ReadWorkers | undefined;
  if (config.httpWorkers > 1) {
    // The node itself listens on loopback only; its read workers share the public port.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    workers = await superviseReadWorkers(app, config, `http://127.0.0.1:${port}`);
  } else {
    await app.listen({ port: config.port, host: config.host });
  }
  stopOnSignals(app, config, workers, (line) =>
    process.stdout.write(`config-center node ${config.nodeId}: ${line}\n`),
  );
  process.stdout.write(
    `config-center node ${config.nodeId} listening on http://${config.host}:${config.port} ` +
      `(${config.database.engine}, ${config.httpWorkers} HTTP process(es))\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `config-center failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
