// Builds when dist/ lacks `entry` or is older than the sources (used by `npm start`, `npm run ccctl`).
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** `entry` relative to the repo; build output goes to stderr so stdout stays the program's. */
function ensureBuilt(entry, label) {
  const path = join(root, entry);
  const stale =
    !existsSync(path) ||
    Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs'))) >
      statSync(path).mtimeMs;
  if (stale) {
    process.stderr.write(`${label}: building (dist/ missing or older than the sources)...\n`);
    execSync('npm run build', { cwd: root, stdio: ['ignore', 2, 2] });
  }
  return path;
}

module.exports = { ensureBuilt, root };
