/*
 * Reads a jest --json --outputFile result and prints "<passed> <failed>" on stdout.
 * Usage: node scripts/summarize-jest.mjs <result.json> <jest exit code>
 *
 * failed = failing tests
 *        + test files that failed without a failing test (compile error, a throw at load time,
 *          an error in afterAll, ...)
 *        + 1 if jest exited non-zero while the file records no failure (crash, timeout, a
 *          globalSetup error), or if the file is missing or unreadable.
 * The names of what failed go to stderr.
 */
import fs from 'node:fs';
import path from 'node:path';

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

const [file, rcArg] = process.argv.slice(2);
const rc = Number(rcArg ?? 0);
const note = (msg) => process.stderr.write(`  ${msg}\n`);

let passed = 0;
let failed = 0;
let result = null;
try {
  result = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  note(`no jest result in ${file} (${e.code ?? e.message}): counted as 1 failure`);
  failed = 1;
}

if (result) {
  for (const suite of result.testResults ?? []) {
    const rel = path.relative(process.cwd(), suite.name);
    const assertions = suite.assertionResults ?? [];
    const bad = assertions.filter((a) => a.status === 'failed');
    passed += assertions.filter((a) => a.status === 'passed').length;
    failed += bad.length;
    for (const a of bad) note(`FAIL ${rel} > ${a.fullName ?? a.title}`);
    if (suite.status === 'failed' && bad.length === 0) {
      failed += 1;
      const first =
        String(suite.message || suite.failureMessage || 'suite failed')
          .replace(ANSI, '')
          .split('\n')
          .map((l) => l.trim())
          .find((l) => l && !l.startsWith('●')) ?? 'suite failed';
      note(`FAIL ${rel} (suite did not run cleanly: ${first})`);
    }
  }
  if (rc !== 0 && failed === 0) {
    note(
      `jest exited ${rc}${rc === 124 ? ' (timed out)' : ''} with no failure recorded: counted as 1 failure`,
    );
    failed = 1;
  }
}

process.stdout.write(`${passed} ${failed}\n`);
