import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNAPSHOT_FORMAT_VERSION, SnapshotFile } from './snapshot-file';

describe('SnapshotFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cc-client-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const configs = [{ namespace: 'b', key: 'k', version: 3, value: { deep: [1] } }];

  it('round-trips a versioned file and leaves no temp file behind', async () => {
    const file = new SnapshotFile(dir, ['b', 'a'], 'db.');
    await Promise.all([file.save(41, []), file.save(42, configs)]);
    expect(readdirSync(dir)).toEqual([file.path.slice(dir.length + 1)]);
    const content = JSON.parse(readFileSync(file.path, 'utf8'));
    expect(content).toMatchObject({
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      namespaces: ['a', 'b'],
      prefix: 'db.',
      revision: 42,
    });
    expect(await new SnapshotFile(dir, ['a', 'b'], 'db.').load()).toEqual({
      revision: 42,
      configs,
    });
  });

  it('keeps one file per namespace set and prefix', async () => {
    await new SnapshotFile(dir, ['a'], '').save(1, configs);
    expect(await new SnapshotFile(dir, ['a'], 'x').load()).toBeUndefined();
    expect(await new SnapshotFile(dir, ['a', 'b'], '').load()).toBeUndefined();
    expect(await new SnapshotFile(dir, ['a'], '').load()).toEqual({ revision: 1, configs });
  });

  it('ignores a corrupt file or one of another format version', async () => {
    const file = new SnapshotFile(dir, ['a'], '');
    writeFileSync(file.path, '{"format":"config-center-client-snap');
    expect(await file.load()).toBeUndefined();
    await file.save(5, configs);
    const content = JSON.parse(readFileSync(file.path, 'utf8'));
    writeFileSync(file.path, JSON.stringify({ ...content, formatVersion: 99 }));
    expect(await file.load()).toBeUndefined();
  });
});
