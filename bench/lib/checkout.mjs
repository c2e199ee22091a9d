// A git ref built in its own temporary checkout, for comparing two builds with the same
// harness: `git worktree add --detach` in a temp dir, node_modules symlinked to this repo's
// (one install, the same versions on both sides), `npm run build` there. The worktree is
// removed by `remove()` or, if the run dies first (error, Ctrl-C), by the exit hook.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY } from './config-center.mjs';
import { SetupError, capture, onCleanup, runVisible } from './processes.mjs';

/** The full commit a ref names in `root`'s repository, or a SetupError. */
export function resolveCommit(root, ref) {
  const sha = capture('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: root,
  });
  if (!sha) throw new SetupError(`"${ref}" is not a commit in ${root}`);
  return sha;
}

/** `git log -1` subject of a commit, for the report. */
export function commitSubject(root, sha) {
  return capture('git', ['log', '-1', '--format=%s', sha], { cwd: root }) ?? '';
}

function removeWorktree(root, dir) {
  // --force: the checkout has an untracked node_modules link and a dist/ it built.
  spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
}

/**
 * Checks `sha` out into a new temp dir and builds it. Returns { dir, sha, remove() }; `dir` is
 * what the bench helpers take as `root` (they start `<root>/dist/apps/config-center/src/main.js`).
 */
export function checkoutAndBuild(root, sha, label) {
  const parent = mkdtempSync(join(tmpdir(), `cc-ab-${label}-`));
  const dir = join(parent, 'checkout');
  const cleanup = () => {
    removeWorktree(root, dir);
    rmSync(parent, { recursive: true, force: true });
  };
  const unregister = onCleanup(cleanup);
  const remove = () => {
    unregister();
    cleanup();
  };
  try {
    runVisible('git', ['worktree', 'add', '--detach', dir, sha], { cwd: root });
    const modules = join(root, 'node_modules');
    if (!existsSync(modules))
      throw new SetupError(`${modules} is missing: run npm ci in ${root} first`);
    symlinkSync(realpathSync(modules), join(dir, 'node_modules'), 'dir');
    runVisible('npm', ['run', 'build'], { cwd: dir });
    if (!existsSync(join(dir, ENTRY)))
      throw new SetupError(`npm run build of ${sha} did not produce ${ENTRY}`);
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, sha, remove };
}
