/*
 * The shape of the tree, checked in the test command (STYLE "Shape of the tree", issue 12):
 *   - no import cycle between folders: the top-level folders of each app's src/
 *     (apps/<app>/src/<folder>; the files directly in src/ are one more node, the composition
 *     root) and each library (libs/<lib>);
 *   - no source file over MAX_LINES lines.
 * Only production sources count: *.ts under apps/ and libs/, not *.spec.ts, *.d.ts or anything
 * under a test/ folder. Imports are resolved by the TypeScript compiler with the project's
 * tsconfig.json, so the @cc/* path aliases count like relative imports; `import type` counts
 * too (a folder that names another's types depends on it).
 *
 * Known violations are listed with a reason in scripts/structure-allowlist.json. An entry that
 * no longer matches anything fails the check too: remove it once its violation is gone.
 *
 * Usage: node scripts/check-structure.mjs [--root DIR] [--allowlist FILE]
 * Exit code 0 when nothing outside the allow-list is found, 1 otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 400;
const MAX_CYCLES_LISTED = 200;

const here = path.dirname(fileURLToPath(import.meta.url));
const argValue = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : fallback;
};
const root = argValue('--root', path.resolve(here, '..'));
const allowlistFile = argValue('--allowlist', path.join(root, 'scripts/structure-allowlist.json'));
// The project's own TypeScript (the fixture of the spec has no node_modules of its own).
const ts = createRequire(path.resolve(here, '..', 'package.json'))('typescript');

const posix = (file) => path.relative(root, file).split(path.sep).join('/');

/** Production sources: *.ts under apps/ and libs/, without specs, declarations and test/ folders. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test' && entry.name !== 'node_modules') walk(full);
      } else if (
        entry.name.endsWith('.ts') &&
        !entry.name.endsWith('.spec.ts') &&
        !entry.name.endsWith('.d.ts')
      ) {
        files.push(full);
      }
    }
  };
  for (const top of ['apps', 'libs'])
    if (fs.existsSync(path.join(root, top))) walk(path.join(root, top));
  return files.sort();
}

/** The graph node a file belongs to, or undefined for files outside the checked layout. */
export function folderOf(relativePath) {
  const parts = relativePath.split('/');
  if (parts[0] === 'libs' && parts.length > 2) return `libs/${parts[1]}`;
  if (parts[0] === 'apps' && parts[2] === 'src' && parts.length > 3) {
    return parts.length === 4 ? `apps/${parts[1]}/src` : `apps/${parts[1]}/src/${parts[3]}`;
  }
  return undefined;
}

function compilerOptions() {
  const configFile = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
}

/** Folder -> folder edges, each with the first import that made it (for the report). */
function folderGraph(files) {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const edges = new Map(); // from -> Map(to -> "file imports target")
  for (const file of files) {
    const from = folderOf(posix(file));
    if (!from) continue;
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      const resolved = ts.resolveModuleName(specifier, file, options, host).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = posix(path.resolve(resolved.resolvedFileName));
      const to = folderOf(target);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const targets = edges.get(from);
      if (!targets.has(to)) targets.set(to, `${posix(file)} imports ${target} ('${specifier}')`);
    }
  }
  return edges;
}

/**
 * Every elementary cycle of a directed graph (adjacency: Map node -> iterable of nodes), each
 * as its nodes in order, starting at its smallest node. Small graphs only (one node per folder).
 */
export function findCycles(adjacency, limit = Infinity) {
  const nodes = [
    ...new Set([...adjacency.keys(), ...[...adjacency.values()].flatMap((t) => [...t])]),
  ].sort();
  const next = (node) => [...(adjacency.get(node) ?? [])].sort();
  const cycles = [];
  for (const start of nodes) {
    // Cycles through `start` whose other nodes all sort after it: each cycle is found once.
    const pathNodes = [start];
    const onPath = new Set([start]);
    const visit = (node) => {
      for (const to of next(node)) {
        if (cycles.length >= limit) return;
        if (to === start) cycles.push([...pathNodes]);
        else if (to > start && !onPath.has(to)) {
          pathNodes.push(to);
          onPath.add(to);
          visit(to);
          onPath.delete(to);
          pathNodes.pop();
        }
      }
    };
    visit(start);
  }
  return cycles;
}

const cycleKey = (folders) => [...folders].sort().join(' <-> ');

function countLines(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (text.length === 0) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function readAllowlist() {
  if (!fs.existsSync(allowlistFile)) return { cycles: [], longFiles: [] };
  const list = JSON.parse(fs.readFileSync(allowlistFile, 'utf8'));
  for (const entry of [...(list.cycles ?? []), ...(list.longFiles ?? [])]) {
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '')
      throw new Error(
        `${posix(allowlistFile)}: every entry needs a reason: ${JSON.stringify(entry)}`,
      );
  }
  return { cycles: list.cycles ?? [], longFiles: list.longFiles ?? [] };
}

function main() {
  const files = sourceFiles();
  const allowlist = readAllowlist();
  const allowedCycles = new Map(allowlist.cycles.map((entry) => [cycleKey(entry.folders), entry]));
  const allowedLong = new Map(allowlist.longFiles.map((entry) => [entry.path, entry]));
  const problems = [];
  const allowed = [];

  const edges = folderGraph(files);
  const adjacency = new Map([...edges].map(([from, targets]) => [from, [...targets.keys()]]));
  const cycles = findCycles(adjacency, MAX_CYCLES_LISTED);
  const seenCycles = new Set();
  for (const cycle of cycles) {
    const key = cycleKey(cycle);
    seenCycles.add(key);
    const text = `import cycle ${[...cycle, cycle[0]].join(' -> ')}`;
    const entry = allowedCycles.get(key);
    if (entry) allowed.push(`${text} (${entry.reason})`);
    else {
      const next = (i) => cycle[(i + 1) % cycle.length];
      const steps = cycle.map((from, i) => `    ${edges.get(from).get(next(i))}`);
      problems.push(`${text}\n${steps.join('\n')}`);
    }
  }
  if (cycles.length >= MAX_CYCLES_LISTED)
    problems.push(`(stopped after ${MAX_CYCLES_LISTED} cycles)`);

  const seenLong = new Set();
  for (const file of files) {
    const lines = countLines(file);
    if (lines <= MAX_LINES) continue;
    const relative = posix(file);
    seenLong.add(relative);
    const text = `${relative}: ${lines} lines (at most ${MAX_LINES})`;
    const entry = allowedLong.get(relative);
    if (entry) allowed.push(`${text} (${entry.reason})`);
    else problems.push(text);
  }

  for (const key of allowedCycles.keys())
    if (!seenCycles.has(key))
      problems.push(`allow-list entry for cycle ${key} matches no cycle: remove it`);
  for (const file of allowedLong.keys())
    if (!seenLong.has(file))
      problems.push(`allow-list entry for ${file} matches no long file: remove it`);

  const nodes = new Set([...files.map((file) => folderOf(posix(file))).filter(Boolean)]);
  console.log(`check-structure: ${files.length} source files in ${nodes.size} folders`);
  for (const text of allowed) console.log(`allowed  ${text}`);
  for (const text of problems) console.log(`PROBLEM  ${text}`);
  console.log(
    problems.length === 0
      ? `ok (${allowed.length} known violation(s) allowed by ${posix(allowlistFile)})`
      : `${problems.length} problem(s); known ones belong in ${posix(allowlistFile)} with a reason`,
  );
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main();
