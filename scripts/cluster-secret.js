// The secret the nodes of `npm run cluster` share (required by every /internal route).
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * CLUSTER_SECRET if set, else the one kept in `dataDir/cluster-secret`, generated on the first
 * start of that data directory (32 random bytes, base64url), readable by its owner only: restarts
 * reuse it, and no two local clusters share a published one.
 */
function clusterSecret(dataDir, env = process.env, say = () => undefined) {
  if (env.CLUSTER_SECRET) return env.CLUSTER_SECRET;
  const file = join(dataDir, 'cluster-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  say(`cluster: generated a cluster secret in ${file}\n`);
  return secret;
}

module.exports = { clusterSecret };
