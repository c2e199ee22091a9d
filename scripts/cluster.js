#!/usr/bin/env node
// `npm run cluster`: a local 3-node cluster on loopback, one process per node (HTTP 7001-7003),
// data under ./data/cluster/ (each node's DATA_DIR is data/cluster/node-N). Ctrl-C stops all
// three. Restarting it resumes from the same data.
const { execSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { clusterSecret } = require('./cluster-secret');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/config-center/src/main.js');
const size = Number(process.env.CLUSTER_SIZE ?? 3);
const basePort = Number(process.env.CLUSTER_BASE_PORT ?? 7001);
const dataDir = join(root, 'data/cluster');

if (!existsSync(entry)) execSync('npm run build', { cwd: root, stdio: 'inherit' });
mkdirSync(dataDir, { recursive: true });

const secret = clusterSecret(dataDir, process.env, (line) => process.stdout.write(line));

const nodes = Array.from({ length: size }, (_, i) => ({ id: `node-${i + 1}`, port: basePort + i }));
const peers = nodes.map((node) => `${node.id}=http://127.0.0.1:${node.port}`).join(',');
const children = nodes.map((node) => {
  const env = {
    ...process.env,
    NODE_ID: node.id,
    PORT: String(node.port),
    HOST: process.env.HOST ?? '127.0.0.1',
    RAFT_PEERS: peers,
    CLUSTER_SECRET: secret,
    DATABASE_URL:
      process.env[`DATABASE_URL_${node.id.replace('-', '_').toUpperCase()}`] ??
      `sqlite:${join(dataDir, `${node.id}.sqlite`)}`,
    // Its own DATA_DIR: without ADMIN_TOKEN the first leader writes the admin token there.
    DATA_DIR: join(dataDir, node.id),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  // CLUSTER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", go to every node's node.
  const nodeArgs = (process.env.CLUSTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${node.id}] `;
  child.stdout.on('data', (chunk) =>
    process.stdout.write(prefix + chunk.toString().replace(/\n(?=.)/g, `\n${prefix}`)),
  );
  child.stderr.on('data', (chunk) =>
    process.stderr.write(prefix + chunk.toString().replace(/\n(?=.)/g, `\n${prefix}`)),
  );
  child.on('exit', (code, signal) => process.stdout.write(`${prefix}exited (${signal ?? code})\n`));
  return child;
});
process.stdout.write(
  `cluster: ${nodes.map((n) => `${n.id} http://127.0.0.1:${n.port}`).join(', ')}\n`,
);
announceAdminToken();
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 500);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/**
 * Where the admin token is (DESIGN 21): ADMIN_TOKEN when set (every node gets it), else the
 * file the first leader writes to its DATA_DIR. Only the path is printed, never the secret.
 */
function announceAdminToken() {
  if (process.env.ADMIN_TOKEN) {
    process.stdout.write('cluster: admin token: the ADMIN_TOKEN of this environment\n');
    return;
  }
  const files = nodes.map((node) => join(dataDir, node.id, 'admin-token'));
  const say = (file) =>
    process.stdout.write(
      `cluster: admin token in ${file}; first call:\n` +
        `  curl -H "Authorization: Bearer $(cat ${file})" ` +
        `http://127.0.0.1:${basePort}/api/v1/admin/namespace/list\n`,
    );
  const existing = files.find((file) => existsSync(file));
  if (existing) return say(existing);
  // A fresh cluster: the file appears once a leader is elected and its command applied.
  const started = Date.now();
  const timer = setInterval(() => {
    const written = files.find((file) => existsSync(file));
    if (written) say(written);
    if (written || Date.now() - started > 60_000) clearInterval(timer);
  }, 250);
  timer.unref();
}
