#!/usr/bin/env node
// `npm run bench:ab -- <refA> <refB>`: A/B of two builds of this repository with one harness.
// Each git ref is built in its own temporary checkout; then AB_ROUNDS interleaved rounds
// (A B, B A, A B...) each measure, for both builds with the same settings:
//   read   read-latest on one node (SQLite, HTTP_WORKERS=AB_HTTP_WORKERS, default 1)
//   write  PUTs to the leader of a 3-node cluster (SQLite, or AB_STORAGE=mariadb)
// and print req/s, p50/p99 and the server CPU per request per round, the medians and the B/A
// ratio of CPU per request ("within 5%" or not). Record: bench/results/ab-<timestamp>.json.
// See bench/README.md, "A/B of two builds".
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AB_DATABASES, measureRead, measureWrite } from './lib/ab-measure.mjs';
import { printScenario, summarize } from './lib/ab-report.mjs';
import { checkoutAndBuild, commitSubject, resolveCommit } from './lib/checkout.mjs';
import { loadSettings } from './lib/load.mjs';
import { MARIADB, ensureMariaDb, mariaDbInfo } from './lib/mariadb.mjs';
import { SetupError, installCleanupHandlers, stopAll } from './lib/processes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;

const SCENARIOS = {
  read: {
    title: 'read-latest: GET /api/v1/config/get, one node, SQLite',
    measure: measureRead,
  },
  write: {
    title: 'write-cluster: PUT /api/v1/admin/config to the leader of 3 nodes',
    measure: measureWrite,
  },
};

function abSettings() {
  // The bench's own parser and defaults, fed from the AB_* names.
  const load = loadSettings({
    BENCH_CONNECTIONS: env.AB_CONNECTIONS,
    BENCH_WARMUP: env.AB_WARMUP,
    BENCH_DURATION: env.AB_DURATION,
    BENCH_ROUNDS: env.AB_ROUNDS ?? '5',
  });
  const scenarios = (env.AB_SCENARIOS || 'read,write').split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !SCENARIOS[s]);
  if (unknown.length > 0)
    throw new SetupError(`AB_SCENARIOS: unknown ${unknown.join(', ')} (known: read, write)`);
  const storage = (env.AB_STORAGE || 'sqlite').toLowerCase();
  if (storage !== 'sqlite' && storage !== 'mariadb')
    throw new SetupError(`AB_STORAGE must be sqlite or mariadb (got "${storage}")`);
  const httpWorkers = env.AB_HTTP_WORKERS || '1';
  if (httpWorkers !== 'default' && !/^[1-9][0-9]*$/.test(httpWorkers))
    throw new SetupError(`AB_HTTP_WORKERS must be a count or "default" (got "${httpWorkers}")`);
  return { load, rounds: load.rounds, scenarios, storage, httpWorkers };
}

function usage() {
  return new SetupError(
    'usage: npm run bench:ab -- <refA> <refB>   (git refs of this repository, e.g. e5b2818 main)',
  );
}

async function main() {
  installCleanupHandlers();
  const refs = process.argv.slice(2);
  if (refs.length !== 2) throw usage();
  const settings = abSettings();
  const shas = { A: resolveCommit(root, refs[0]), B: resolveCommit(root, refs[1]) };
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(root, 'bench/results');
  const logDir = join(resultsDir, 'logs', `ab-${stamp}`);
  mkdirSync(logDir, { recursive: true });

  let mariadb = null;
  if (settings.storage === 'mariadb' && settings.scenarios.includes('write')) {
    await ensureMariaDb(root);
    mariadb = await mariaDbInfo();
  }
  const { load } = settings;
  const perRunSeconds = load.warmupSeconds + load.durationSeconds + 8;
  process.stdout.write(
    `bench:ab A = ${refs[0]} (${shas.A.slice(0, 8)} ${commitSubject(root, shas.A).slice(0, 60)})\n` +
      `bench:ab B = ${refs[1]} (${shas.B.slice(0, 8)} ${commitSubject(root, shas.B).slice(0, 60)})\n` +
      `${settings.rounds} rounds x ${settings.scenarios.join('+')} x 2 builds; ${load.connections} connections, ` +
      `warm-up ${load.warmupSeconds} s, measure ${load.durationSeconds} s; HTTP_WORKERS ${settings.httpWorkers}; ` +
      `cluster storage ${settings.storage}; about ${Math.ceil((settings.rounds * settings.scenarios.length * 2 * perRunSeconds) / 60)} min after the builds\n` +
      `logs: ${logDir}\n`,
  );

  const builds = {};
  const runs = Object.fromEntries(settings.scenarios.map((s) => [s, []]));
  try {
    builds.A = checkoutAndBuild(root, shas.A, 'A');
    // The same commit on both sides (an A/A noise check): one build serves both.
    builds.B = shas.B === shas.A ? builds.A : checkoutAndBuild(root, shas.B, 'B');
    for (let round = 1; round <= settings.rounds; round += 1) {
      const order = round % 2 === 1 ? ['A', 'B'] : ['B', 'A'];
      for (const scenario of settings.scenarios) {
        for (const side of order) {
          const runName = `r${round}-${scenario}-${side}`;
          const figures = await SCENARIOS[scenario].measure({
            root: builds[side].dir,
            logDir,
            runName,
            settings: load,
            httpWorkers: settings.httpWorkers,
            mariadb,
          });
          runs[scenario].push({ round, side, figures });
          process.stdout.write(
            `bench:ab round ${round}/${settings.rounds} ${scenario} ${side}: ${Math.round(figures.rps)} req/s, ` +
              `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ${figures.cpuUsPerRequest} us cpu/request ` +
              `(server ${figures.serverCorePct}% of a core, other processes ${figures.otherCorePct}%)` +
              `${figures.mariadbUsPerRequest ? `, mariadbd ${figures.mariadbUsPerRequest} us/request` : ''}` +
              `${figures.failures > 0 ? `, ${figures.failures} FAILED requests` : ''}\n`,
          );
        }
      }
    }
  } finally {
    for (const build of new Set(Object.values(builds))) build.remove();
  }

  const summaries = {};
  for (const scenario of settings.scenarios) {
    summaries[scenario] = summarize(runs[scenario]);
    const title =
      `${SCENARIOS[scenario].title}${scenario === 'write' ? ` (${settings.storage})` : ''}` +
      `, HTTP_WORKERS ${settings.httpWorkers}`;
    printScenario(title, runs[scenario], summaries[scenario]);
  }
  const failed = Object.values(runs)
    .flat()
    .filter((r) => r.figures.failures > 0);
  const record = {
    kind: 'ab',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    refs: { A: refs[0], B: refs[1] },
    commits: shas,
    node: process.version,
    machine: {
      cores: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage1mAtEnd: Math.round(loadavg()[0] * 100) / 100,
    },
    settings: {
      ...settings,
      databases: settings.storage === 'mariadb' ? AB_DATABASES : null,
      mariadb: mariadb ? { ...mariadb, host: MARIADB.host, port: MARIADB.port } : null,
    },
    summaries,
    runs,
    valid: failed.length === 0,
  };
  const json = `${JSON.stringify(record, null, 2)}\n`;
  const file = join(resultsDir, `ab-${stamp}.json`);
  writeFileSync(file, json);
  writeFileSync(join(resultsDir, 'ab-latest.json'), json);
  process.stdout.write(`\nresults: ${file}\n`);
  await stopAll();
  if (failed.length > 0) {
    process.stderr.write(
      `bench:ab: ${failed.length} run(s) had failed requests; their figures are not valid\n`,
    );
    process.exitCode = 1;
  }
}

main().catch(async (error) => {
  process.stderr.write(`bench:ab: FAILED: ${error?.message ?? error}\n`);
  if (!(error instanceof SetupError) && error?.stack) process.stderr.write(`${error.stack}\n`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
