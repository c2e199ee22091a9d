// Table and ratio formatting shared by scenarios.

const fmt = (value, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '-'
    : Number(value).toFixed(digits);

/** Prints rows of load results as an aligned table. */
export function printTable(rows) {
  const header = ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors'];
  const lines = rows.map(({ label, result }) => [
    label,
    Math.round(result.rps).toLocaleString('en-US'),
    fmt(result.latencyMs.p50),
    fmt(result.latencyMs.p90),
    fmt(result.latencyMs.p99),
    fmt(result.latencyMs.max, 1),
    result.responses.toLocaleString('en-US'),
    String(result.failures),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write(`${render(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${render(line)}\n`);
}

/** ours/theirs for throughput and latencies (latency ratio < 1 means ours is faster). */
export function compare(oursLabel, ours, theirsLabel, theirs, targetRpsRatio) {
  const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
  const c = {
    pair: `${oursLabel}/${theirsLabel}`,
    rps: ratio(ours.rps, theirs.rps),
    p50: ratio(ours.latencyMs.p50, theirs.latencyMs.p50),
    p99: ratio(ours.latencyMs.p99, theirs.latencyMs.p99),
    targetRps: targetRpsRatio,
  };
  c.targetMet = targetRpsRatio === undefined ? null : c.rps !== null && c.rps >= targetRpsRatio;
  return c;
}

export function printComparison(c) {
  const target =
    c.targetRps === undefined
      ? ''
      : `   (target >= ${c.targetRps}x: ${c.targetMet ? 'met' : 'MISSED'})`;
  process.stdout.write(
    `${c.pair}: ${fmt(c.rps)}x req/s, p50 ${fmt(c.p50)}x, p99 ${fmt(c.p99)}x latency${target}\n`,
  );
}

/** CPU use during each measurement: what the server burnt per request, and what else ran. */
export function printCpu(rows) {
  process.stdout.write('\ncpu during measurement (% of one core):\n');
  for (const { label, result } of rows) {
    const c = result.cpu;
    if (!c) continue;
    process.stdout.write(
      `  ${label}: server ${fmt(c.serverCorePct, 0)}%, ${c.serverCpuUsPerRequest ?? '-'} us cpu/request; ` +
        `load generator ${fmt(c.loadGeneratorCorePct, 0)}%; other processes ${fmt(c.otherCorePct, 0)}%\n`,
    );
  }
}

/** The round whose req/s is the median (lower median for an even count). */
export function medianRound(results) {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Lower median of the values that are present, or null. */
export function medianOf(values) {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}
