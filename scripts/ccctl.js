#!/usr/bin/env node
// `npm run ccctl -- <command>`: builds when dist/ is missing or stale, then runs the CLI.
// `npm run -s ccctl -- ... --json` keeps npm's banner off stdout.
const { spawn } = require('node:child_process');
const { ensureBuilt } = require('./ensure-build');

const entry = ensureBuilt('dist/apps/ccctl/src/main.js', 'ccctl');
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
