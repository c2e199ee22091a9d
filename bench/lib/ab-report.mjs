// Summary and table of an A/B run (bench/ab.mjs): each round's figures for A and B, the
// medians, and the B/A ratio of CPU per request with its verdict.

/** Allowed |B/A - 1| of the median CPU per request (the "within 5%"). */
export const CPU_TOLERANCE = 0.05;

/** Median (mean of the middle two for an even count) of the values present, or null. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const ratio = (b, a) => (a && b !== null ? Math.round((b / a) * 1000) / 1000 : null);
const FIGURES = ['rps', 'p50Ms', 'p99Ms', 'cpuUsPerRequest', 'serverCorePct', 'otherCorePct'];

/** Medians per side, B/A ratios, the paired per-round CPU ratios and the verdict. */
export function summarize(runs) {
  const side = (s) => runs.filter((r) => r.side === s);
  const medians = Object.fromEntries(
    ['A', 'B'].map((s) => [
      s,
      Object.fromEntries(FIGURES.map((f) => [f, median(side(s).map((r) => r.figures[f]))])),
    ]),
  );
  const ratios = Object.fromEntries(FIGURES.map((f) => [f, ratio(medians.B[f], medians.A[f])]));
  // A and B of one round ran back to back: their ratio is the least drift-prone figure.
  const rounds = [...new Set(runs.map((r) => r.round))];
  const perRoundCpuRatios = rounds.map((round) => {
    const [a, b] = ['A', 'B'].map(
      (s) => runs.find((r) => r.round === round && r.side === s)?.figures.cpuUsPerRequest ?? null,
    );
    return ratio(b, a);
  });
  // Spread of each side over the rounds: (max - min) / median, the noise floor of the verdict.
  const spread = Object.fromEntries(
    ['A', 'B'].map((s) => {
      const v = side(s)
        .map((r) => r.figures.cpuUsPerRequest)
        .filter((x) => x !== null);
      const m = median(v);
      return [s, m ? Math.round(((Math.max(...v) - Math.min(...v)) / m) * 1000) / 10 : null];
    }),
  );
  // The verdict uses the paired ratios: a drift of the machine between rounds (other work
  // starting or stopping) moves A and B of a round together and cancels in their ratio.
  const cpuRatio = median(perRoundCpuRatios);
  const verdict =
    cpuRatio === null
      ? 'no CPU figure'
      : Math.abs(cpuRatio - 1) <= CPU_TOLERANCE
        ? 'within 5%'
        : cpuRatio > 1
          ? `NOT within 5%: B costs ${pct(cpuRatio - 1)} more CPU per request`
          : `NOT within 5%: B costs ${pct(1 - cpuRatio)} less CPU per request`;
  return {
    medians,
    ratios,
    perRoundCpuRatios,
    cpuSpreadPct: spread,
    cpuRatio,
    withinTolerance: cpuRatio !== null && Math.abs(cpuRatio - 1) <= CPU_TOLERANCE,
    verdict,
  };
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : Number(v).toFixed(digits));

/** Prints one scenario: a row per run, the medians, B/A, and the verdict line. */
export function printScenario(title, runs, summary, write = (s) => process.stdout.write(s)) {
  const header = [
    'round',
    'side',
    'req/s',
    'p50 ms',
    'p99 ms',
    'us cpu/req',
    'server %',
    'other %',
  ];
  const row = (round, sideLabel, f) => [
    String(round),
    sideLabel,
    fmt(f.rps, 0),
    fmt(f.p50Ms, 2),
    fmt(f.p99Ms, 2),
    fmt(f.cpuUsPerRequest, 1),
    fmt(f.serverCorePct, 0),
    fmt(f.otherCorePct, 0),
  ];
  const lines = [
    ...runs.map((r) => row(r.round, r.side, r.figures)),
    row('median', 'A', summary.medians.A),
    row('median', 'B', summary.medians.B),
    [
      'B/A',
      '',
      ...['rps', 'p50Ms', 'p99Ms', 'cpuUsPerRequest'].map((f) => fmt(summary.ratios[f], 3)),
      '',
      '',
    ],
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  write(`\n${title}\n${render(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const line of lines) write(`${render(line)}\n`);
  write(
    `cpu/request B/A ${fmt(summary.cpuRatio, 3)} (median of the rounds' B/A ` +
      `${summary.perRoundCpuRatios.map((x) => fmt(x, 3)).join(' ')}): ${summary.verdict}; ` +
      `ratio of the medians ${fmt(summary.ratios.cpuUsPerRequest, 3)}; ` +
      `spread over rounds A ${fmt(summary.cpuSpreadPct.A)}%, B ${fmt(summary.cpuSpreadPct.B)}%\n`,
  );
  const busiest = Math.max(
    summary.medians.A.otherCorePct ?? 0,
    summary.medians.B.otherCorePct ?? 0,
  );
  if (busiest > BUSY_MACHINE_PCT) {
    write(
      `  note: other processes used a median ${fmt(busiest, 0)}% of a core during the measurements: ` +
        'req/s and latencies are disturbed; CPU per request less so, but compare it with the spread\n',
    );
  }
}

/** "Other processes" above this (% of one core) means the machine was not quiet. */
const BUSY_MACHINE_PCT = 20;
