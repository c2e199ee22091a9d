#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from BENCH_CPU_PROF=1): self time by package / app file and the
// top functions, plus inclusive time of selected frames. No dependencies.
//   node bench/tools/cpuprofile-summary.mjs <file.cpuprofile> [topN]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpuprofile-summary.mjs <file.cpuprofile> [topN]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from samples and timeDeltas (µs). Idle time and start-up (module loading
// under the entry script) are left out, so percentages are of the time spent serving.
const startupIds = new Set();
for (const n of profile.nodes) {
  const f = n.callFrame;
  if (
    f.functionName === 'executeUserEntryPoint' ||
    f.functionName === '(idle)' ||
    f.functionName === '(program)'
  ) {
    const stack = [n.id];
    while (stack.length) {
      const id = stack.pop();
      startupIds.add(id);
      for (const c of nodes.get(id).children ?? []) stack.push(c);
    }
  }
}
const self = new Map();
let skipped = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  const us = profile.timeDeltas[i] ?? 0;
  if (startupIds.has(id)) {
    skipped += us;
    continue;
  }
  self.set(id, (self.get(id) ?? 0) + us);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function groupOf(frame) {
  const url = frame.url ?? '';
  if (!url) {
    const name = frame.functionName;
    if (name === '(garbage collector)') return '(gc)';
    if (name === '(idle)' || name === '(program)') return name;
    return '(native/V8)';
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? `app:${url.slice(dist + 6)}` : url;
}

const byGroup = new Map();
const byFunction = new Map();
for (const [id, us] of self) {
  const frame = nodes.get(id).callFrame;
  const g = groupOf(frame);
  byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  const key = `${frame.functionName || '(anonymous)'} ${g}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(
  `profile ${file}\ncounted ${(total / 1e6).toFixed(2)} s of serving; left out ${(skipped / 1e6).toFixed(2)} s (idle, start-up)\n\nself time by package/file:\n`,
);
for (const [g, us] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(us)}  ${g}\n`);
}
process.stdout.write('\ntop functions (self):\n');
for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(us)}  ${k}\n`);
}

// Inclusive time: a sample counts for a group when any frame on its stack is in that group
// (once per sample), so e.g. "nestjs-pino" shows everything done under the logger.
const inclusive = new Map();
const inclusiveFn = new Map();
for (const [id, us] of self) {
  const seenGroups = new Set();
  const seenFns = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = nodes.get(cur).callFrame;
    seenGroups.add(groupOf(frame));
    if (frame.functionName) seenFns.add(`${frame.functionName} ${groupOf(frame)}`);
  }
  for (const g of seenGroups) inclusive.set(g, (inclusive.get(g) ?? 0) + us);
  for (const f of seenFns) inclusiveFn.set(f, (inclusiveFn.get(f) ?? 0) + us);
}
process.stdout.write('\ninclusive time by package/file (stack contains it):\n');
for (const [g, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(us)}  ${g}\n`);
}
process.stdout.write('\ninclusive time by function:\n');
for (const [f, us] of [...inclusiveFn].sort((a, b) => b[1] - a[1]).slice(0, top * 2)) {
  process.stdout.write(`  ${pct(us)}  ${f}\n`);
}
