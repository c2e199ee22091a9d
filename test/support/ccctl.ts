import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './node-process';

export const CCCTL_JS = join(ROOT, 'dist', 'apps', 'ccctl', 'src', 'main.js');

export interface CcctlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function ensureCcctlBuilt(): void {
  ensureBuilt();
  if (!existsSync(CCCTL_JS)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** The built `ccctl` as a child process; its exit code, stdout and stderr. */
export function runCcctl(args: string[], env: Record<string, string>): Promise<CcctlRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CCCTL_JS, ...args],
      // Only what the CLI reads: a CCCTL_* of the caller's shell must not leak in.
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
