#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or older than the sources, then starts one node.
const { execSync, spawn } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/config-center/src/main.js');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync(entry) ||
  Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs'))) >
    statSync(entry).mtimeMs;
if (stale) {
  process.stdout.write('config-center: building (dist/ missing or older than the sources)...\n');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
