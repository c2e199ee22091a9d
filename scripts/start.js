#!/usr/bin/env node
// `npm start`: builds when dist/ is missing or older than the sources, then starts one node.
const { spawn } = require('node:child_process');
const { ensureBuilt } = require('./ensure-build');

const entry = ensureBuilt('dist/apps/config-center/src/main.js', 'config-center');
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
