import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clusterSecret } = require('../../scripts/cluster-secret.js') as {
  clusterSecret: (dataDir: string, env: Record<string, string | undefined>) => string;
};

/** `npm run cluster` has no published secret: one per data directory, kept there (ISSUE 11 item 7). */
describe('npm run cluster: the cluster secret', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is generated on the first start, 0600, and reused afterwards', () => {
    const dir = dataDir();
    const first = clusterSecret(dir, {});
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    const file = join(dir, 'cluster-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(clusterSecret(dir, {})).toBe(first);
    expect(clusterSecret(dataDir(), {})).not.toBe(first);
  });

  it('takes CLUSTER_SECRET from the environment first, and writes nothing then', () => {
    const dir = dataDir();
    expect(clusterSecret(dir, { CLUSTER_SECRET: 'from-the-env' })).toBe('from-the-env');
    expect(() => statSync(join(dir, 'cluster-secret'))).toThrow();
  });
});
