import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** scripts/check-structure.mjs run on a tiny tree: folder cycles (relative and aliased), length. */
const script = path.resolve(__dirname, 'check-structure.mjs');

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

function fixture(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-structure-'));
  write(
    root,
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { baseUrl: './', paths: { '@fx/lib': ['libs/lib/src'] } },
    }),
  );
  // a <-> b, and a -> b -> e -> a: two cycles sharing an edge.
  write(root, 'apps/app/src/a/a.ts', "import { b } from '../b/b';\nexport const a = b;\n");
  write(
    root,
    'apps/app/src/b/b.ts',
    "import type { A } from '../a/types';\nimport { e } from '../e/e';\nexport const b = 1;\nexport type B = A | typeof e;\n",
  );
  write(root, 'apps/app/src/a/types.ts', 'export type A = string;\n');
  write(root, 'apps/app/src/e/e.ts', "export { a as e } from '../a/a';\n");
  // c -> libs/lib through the path alias, and back by a relative path.
  write(root, 'apps/app/src/c/c.ts', "import { lib } from '@fx/lib';\nexport const c = lib;\n");
  write(
    root,
    'libs/lib/src/index.ts',
    "import fs from 'node:fs';\nimport type { C } from '../../../apps/app/src/c/types';\nexport const lib: C = fs.sep;\n",
  );
  write(root, 'apps/app/src/c/types.ts', 'export type C = string;\n');
  // Specs and test/ folders are not production code: neither their imports nor their length count.
  write(root, 'apps/app/src/d/d.ts', "import { a } from '../a/a';\nexport const d = a;\n");
  write(root, 'apps/app/src/a/a.spec.ts', "import { d } from '../d/d';\nexport const t = d;\n");
  write(root, 'libs/lib/test/long.ts', 'export {};\n'.repeat(500));
  write(root, 'apps/app/src/main.ts', "import { c } from './c/c';\nexport const main = c;\n");
  write(root, 'apps/app/src/b/long.ts', '// line\n'.repeat(401));
  write(root, 'apps/app/src/b/just-fits.ts', '// line\n'.repeat(400));
  return root;
}

function check(root: string, allowlist?: object): { status: number | null; out: string } {
  const file = path.join(root, 'allowlist.json');
  if (allowlist) fs.writeFileSync(file, JSON.stringify(allowlist));
  const run = spawnSync(process.execPath, [script, '--root', root, '--allowlist', file], {
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const cycleAB = ['apps/app/src/a', 'apps/app/src/b'];
const cycleABE = ['apps/app/src/e', 'apps/app/src/a', 'apps/app/src/b'];
const cycleCLib = ['libs/lib', 'apps/app/src/c'];
const everything = {
  cycles: [cycleAB, cycleABE, cycleCLib].map((folders) => ({ folders, reason: 'known' })),
  longFiles: [{ path: 'apps/app/src/b/long.ts', reason: 'known' }],
};

describe('check-structure', () => {
  let root: string;
  beforeAll(() => {
    root = fixture();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports every folder cycle, through path aliases too, and every file over 400 lines', () => {
    const { status, out } = check(root);
    expect(status).toBe(1);
    const problems = out.split('\n').filter((line) => line.startsWith('PROBLEM'));
    expect(problems).toEqual([
      'PROBLEM  import cycle apps/app/src/a -> apps/app/src/b -> apps/app/src/a',
      'PROBLEM  import cycle apps/app/src/a -> apps/app/src/b -> apps/app/src/e -> apps/app/src/a',
      'PROBLEM  import cycle apps/app/src/c -> libs/lib -> apps/app/src/c',
      'PROBLEM  apps/app/src/b/long.ts: 401 lines (at most 400)',
    ]);
    // Each cycle names the imports that close it.
    expect(out).toContain("apps/app/src/c/c.ts imports libs/lib/src/index.ts ('@fx/lib')");
    expect(out).toContain('apps/app/src/e/e.ts imports apps/app/src/a/a.ts');
    expect(out).not.toContain('apps/app/src/d');
  });

  it('passes when every violation is allowed with a reason', () => {
    const { status, out } = check(root, everything);
    expect(status).toBe(0);
    expect(out).toContain('ok (4 known violation(s) allowed');
  });

  it('fails on a new cycle that is not in the allow-list', () => {
    const { status, out } = check(root, { ...everything, cycles: everything.cycles.slice(0, 2) });
    expect(status).toBe(1);
    expect(out).toContain('PROBLEM  import cycle apps/app/src/c -> libs/lib -> apps/app/src/c');
  });

  it('fails on an allow-list entry that matches nothing any more', () => {
    const stale = {
      cycles: [
        ...everything.cycles,
        { folders: ['apps/app/src/a', 'apps/app/src/d'], reason: 'x' },
      ],
      longFiles: [...everything.longFiles, { path: 'apps/app/src/b/just-fits.ts', reason: 'x' }],
    };
    const { status, out } = check(root, stale);
    expect(status).toBe(1);
    expect(out).toContain('cycle apps/app/src/a <-> apps/app/src/d matches no cycle: remove it');
    expect(out).toContain('apps/app/src/b/just-fits.ts matches no long file: remove it');
  });

  it('refuses an allow-list entry without a reason', () => {
    const { status, out } = check(root, { cycles: [{ folders: cycleAB }], longFiles: [] });
    expect(status).not.toBe(0);
    expect(out).toContain('every entry needs a reason');
  });
});
