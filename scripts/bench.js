#!/usr/bin/env node
// `npm run bench`: runs the benchmark scenarios in bench/ one after the other and writes
// bench/results/<scenario>-<timestamp>.json. See bench/README.md.
//
//   npm run bench                       all scenarios
//   npm run bench -- read-latest        only the named ones
//   BENCH_SCENARIOS=write-cluster npm run bench    same, from the environment (comma-separated)
//   BENCH_STORAGE=sqlite npm run bench -- write-cluster   cluster nodes on SQLite, not MariaDB
//   BENCH_DURATION=30 npm run bench     measure 30 s per target (default 10, warm-up BENCH_WARMUP=3)
//   BENCH_CPU_PROF=1 npm run bench      also write a V8 CPU profile of the config-center node
//   BENCH_EXTRA_TARGETS=health-live     also load GET /api/v1/health/live (framework floor)
//
// Exit code: 0 when every scenario measured cleanly (whether or not a target ratio was met),
// 1 when setup failed or any request failed during a measurement.
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
/** Scenario modules in run order. */
const SCENARIOS = ['read-latest', 'write-cluster', 'cache-reads', 'watch-fanout'];

async function main() {
  const lib = (file) => import(pathToFileURL(join(root, 'bench/lib', file)).href);
  const { SetupError, installCleanupHandlers, stopAll } = await lib('processes.mjs');
  const { loadSettings } = await lib('load.mjs');
  const { etcdVersion } = await lib('etcd.mjs');
  const { configCenterVersion } = await lib('config-center.mjs');
  installCleanupHandlers();

  const wanted = process.argv.slice(2);
  if (wanted.length === 0 && process.env.BENCH_SCENARIOS) {
    wanted.push(
      ...process.env.BENCH_SCENARIOS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  const unknown = wanted.filter((n) => !SCENARIOS.includes(n));
  if (unknown.length > 0) {
    throw new SetupError(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`,
    );
  }
  const selected = wanted.length > 0 ? SCENARIOS.filter((n) => wanted.includes(n)) : SCENARIOS;

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(root, 'bench/results');
  const logDir = join(resultsDir, 'logs', stamp);
  mkdirSync(logDir, { recursive: true });
  const cpuProfDir = process.env.BENCH_CPU_PROF ? join(resultsDir, 'profiles', stamp) : null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  const settings = loadSettings();
  const extraTargets = (process.env.BENCH_EXTRA_TARGETS ?? '').split(',').filter(Boolean);
  let allValid = true;

  for (const scenarioName of selected) {
    const scenario = await import(pathToFileURL(join(root, 'bench', `${scenarioName}.mjs`)).href);
    const ctx = { root, logDir, settings, cpuProfDir, extraTargets, versions: {} };
    await scenario.prepare(ctx);
    const cpus = os.cpus();
    const machine = {
      cores: os.availableParallelism ? os.availableParallelism() : cpus.length,
      cpuModel: cpus[0] ? cpus[0].model : 'unknown',
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverage1mBefore: Math.round(os.loadavg()[0] * 100) / 100,
    };
    ctx.versions = {
      node: process.version,
      etcd: ctx.etcdBinary ? etcdVersion(ctx.etcdBinary) : null,
      configCenter: configCenterVersion(root),
    };
    process.stdout.write(
      `\n== ${scenario.name}: ${scenario.description}\n` +
        `node ${ctx.versions.node}, etcd ${ctx.versions.etcd}, config-center ${ctx.versions.configCenter}\n` +
        `${machine.cores} cores (${machine.cpuModel}), load avg ${machine.loadAverage1mBefore}; ` +
        `${settings.connections} connections, pipelining ${settings.pipelining}, ` +
        `warm-up ${settings.warmupSeconds} s, measure ${settings.durationSeconds} s per target\n` +
        `logs: ${logDir}\n\n`,
    );

    const outcome = await scenario.run(ctx);
    allValid = allValid && outcome.valid;
    const record = {
      scenario: scenario.name,
      description: scenario.description,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      versions: ctx.versions,
      machine,
      settings,
      ...outcome,
      cpuProfileDir: cpuProfDir,
    };
    const file = join(resultsDir, `${scenario.name}-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(
      join(resultsDir, `${scenario.name}-latest.json`),
      `${JSON.stringify(record, null, 2)}\n`,
    );
    process.stdout.write(`\nresults: ${file}\n`);
    if (cpuProfDir) process.stdout.write(`cpu profile(s): ${cpuProfDir}\n`);
  }

  await stopAll();
  if (!allValid) {
    process.stderr.write(
      'bench: some requests failed during measurement; the figures above are not valid\n',
    );
    process.exitCode = 1;
  }
}

main().catch(async (error) => {
  process.stderr.write(`bench: FAILED: ${error && error.message ? error.message : error}\n`);
  if (error && error.constructor && error.constructor.name !== 'SetupError' && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  try {
    const { stopAll } = await import(pathToFileURL(join(root, 'bench/lib/processes.mjs')).href);
    await stopAll();
  } finally {
    process.exit(1);
  }
});
