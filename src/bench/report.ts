// Presentation of a benchmark run: the JSON report (the CLI contract plus extra fields, and the raw sums
// that `bench-merge` combines exactly), the stdout table, and a TTY-aware progress display on stderr.
import { summarize, type BenchSums, type BenchSummary } from './metrics.js';
import { formatTiming } from './timing.js';
import { UserError } from '../types.js';

export const REPORT_VERSION = 1;

export interface RunInfo {
  mode: 'cosplay' | 'static';
  dataset: string;
  model?: string;
  codes?: number | 'all';
  tests?: number | 'all';
  rounds?: number;
  limit?: number;
  /** "I/N" for one shard; the list of merged shards for a merged report. */
  shard?: string;
  shards?: string[];
  sandbox?: string;
  /** Executor cells actually run, and what a naive run would have needed (static mode). */
  cells?: number;
  naiveCells?: number;
  params?: Record<string, unknown>;
  /** Of the cells asked for: executed, served from memory, served from the persistent cache. */
  /** Where the executed cells came from; `handedBack`: chunks that stopped at a timeout and handed their rest back. */
  execCells?: { executed: number; cached: number; stored: number; handedBack?: number };
}

export type BenchReport = BenchSummary & RunInfo & { version: number; sums: BenchSums };

export function buildReport(sums: BenchSums, info: RunInfo): BenchReport {
  return { ...summarize(sums), ...info, version: REPORT_VERSION, sums };
}

const LABELS: Record<string, string> = {
  cosplay: 'CoSPlay (with clustering)',
  cosplayNoCluster: 'CoSPlay (no clustering)',
  passCount: 'pass-count best-of-n',
  passCountCluster: 'pass-count + clustering',
  codet: 'CodeT',
  codetSameSamples: 'CodeT, same samples',
  mbr: 'MBR-exec',
  first: 'first / random (pass@1)',
  'cosplay.passCountRule': "CoSPlay, the paper's BoN rule (max pCode), same run",
  'cosplay.passCountRuleNoCluster': '  the same without clustering',
  'cosplay.dualFinalRule': 'CoSPlay, dual agreement on the final pool, same run',
};

const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '     -' : `${(100 * x).toFixed(1).padStart(5)} %`;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The human-readable table printed on stdout. */
export function formatTable(r: BenchReport): string {
  const lines: string[] = [];
  const head = [
    `dataset ${r.dataset}`,
    r.mode === 'static' ? 'static selection on the recordings' : `model ${r.model ?? '?'}`,
    `codes ${r.codes ?? '?'} x tests ${r.tests ?? '?'}`,
    r.mode === 'cosplay' && r.rounds !== undefined ? `rounds ${r.rounds}` : undefined,
    r.shard ? `shard ${r.shard}` : undefined,
    r.shards ? `merged shards ${r.shards.join(', ')}` : undefined,
  ].filter(Boolean);
  lines.push(head.join(' | '));
  lines.push(`tasks ${r.tasks}${r.failedTasks ? ` (+${r.failedTasks} failed, not scored)` : ''}`);
  lines.push('');
  const paired = r.pairedVsSameSamples;
  const w = paired ? 52 : 28;
  lines.push(
    `${'selector'.padEnd(w + 2)}BoN accuracy${paired ? '   vs CodeT, same samples (paired, +- 1 s.e.)' : ''}`,
  );
  const order = Object.keys(LABELS);
  const keys = [...order, ...Object.keys(r.bon).filter((k) => !order.includes(k))];
  for (const k of keys) {
    const v = r.bon[k];
    if (v === null || v === undefined) continue;
    const d = paired?.[k];
    const vs = d
      ? `   ${(d.mean >= 0 ? '+' : '') + (100 * d.mean).toFixed(1)} +- ${(100 * d.se).toFixed(1)}`
      : '';
    lines.push(`  ${(LABELS[k] ?? k).padEnd(w)}${pct(v)}${vs}`);
  }
  lines.push('');
  lines.push(`  ${'oracle'.padEnd(28)}${pct(r.oracle)}`);
  lines.push(`  ${'code accuracy (pool pass@1)'.padEnd(28)}${pct(r.codeAccuracy)}`);
  if (r.codeAccuracyFinal !== null)
    lines.push(
      `  ${'  after self-play'.padEnd(28)}${pct(r.codeAccuracyFinal)}   (oracle ${pct(r.oracleFinal).trim()})`,
    );
  if (r.mode === 'cosplay')
    lines.push(
      `  ${'UT accuracy'.padEnd(28)}${pct(r.utAccuracyBefore)} -> ${pct(r.utAccuracyAfter).trim()} after self-play` +
        `   (pooled ${pct(r.utAccuracyMicroBefore).trim()} -> ${pct(r.utAccuracyMicroAfter).trim()})`,
    );
  else
    lines.push(
      `  ${'UT accuracy'.padEnd(28)}${pct(r.utAccuracy)}   (pooled ${pct(r.utAccuracyMicroBefore).trim()})`,
    );
  if (r.mode === 'cosplay')
    lines.push(
      `  tokens/task ${Math.round(r.tokensPerTask)}   requests/task ${r.requestsPerTask.toFixed(1)}`,
    );
  if (r.cells !== undefined)
    lines.push(
      `  cells the tasks asked for ${r.cells}${r.naiveCells ? ` (a naive run: ${r.naiveCells}, ${(r.naiveCells / Math.max(1, r.cells)).toFixed(1)}x more)` : ''}`,
    );
  if (r.execCells)
    lines.push(
      `  the executor (every request, UT grading included): ran ${r.execCells.executed} in the sandbox, ` +
        `from memory ${r.execCells.cached}, from the persistent cache ${r.execCells.stored}` +
        (r.execCells.handedBack
          ? `; ${r.execCells.handedBack} chunk(s) stopped at a timeout and handed their tests left to the other workers`
          : ''),
    );
  lines.push(`  wall time ${duration(r.wallMs)}`);
  if (r.timing) lines.push('', ...formatTiming(r.timing, r.wallMs));
  return lines.join('\n') + '\n';
}

/** Combines shard reports into one (sums added, figures recomputed). */
export function mergeReports(
  reports: readonly BenchReport[],
  merge: (s: BenchSums[]) => BenchSums,
): BenchReport {
  if (reports.length === 0) throw new UserError('bench-merge needs at least one report');
  for (const r of reports)
    if (!r || typeof r !== 'object' || !r.sums || r.version !== REPORT_VERSION)
      throw new UserError(
        'bench-merge: every file must be a JSON report written by `cosplay bench --json` (with "sums")',
      );
  const first = reports[0];
  for (const r of reports) {
    if (
      r.mode !== first.mode ||
      r.dataset !== first.dataset ||
      r.codes !== first.codes ||
      r.tests !== first.tests
    )
      throw new UserError(
        `bench-merge: reports differ in mode/dataset/codes/tests (${r.mode} ${r.dataset} ${r.codes}x${r.tests} vs ` +
          `${first.mode} ${first.dataset} ${first.codes}x${first.tests}); merge only shards of one benchmark`,
      );
  }
  const shards = reports.flatMap((r) => r.shards ?? (r.shard ? [r.shard] : []));
  const dup = shards.find((s, i) => shards.indexOf(s) !== i);
  if (dup) throw new UserError(`bench-merge: shard ${dup} appears twice`);
  const counts = new Set(shards.map((s) => s.split('/')[1]));
  if (counts.size > 1) throw new UserError(`bench-merge: shards of different N (${[...counts].join(', ')})`);
  const { shard: _s, shards: _ss, sums: _x, version: _v, ...info } = first;
  void _s;
  void _ss;
  void _x;
  void _v;
  const merged = merge(reports.map((r) => r.sums));
  const keep: RunInfo = {
    mode: info.mode,
    dataset: info.dataset,
    model: info.model,
    codes: info.codes,
    tests: info.tests,
    rounds: info.rounds,
    limit: info.limit,
    sandbox: info.sandbox,
    params: info.params,
    shards: shards.length
      ? shards.sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]))
      : undefined,
    cells: reports.every((r) => r.cells !== undefined)
      ? reports.reduce((n, r) => n + (r.cells ?? 0), 0)
      : undefined,
    naiveCells: reports.every((r) => r.naiveCells !== undefined)
      ? reports.reduce((n, r) => n + (r.naiveCells ?? 0), 0)
      : undefined,
  };
  return buildReport(merged, keep);
}

/** Which shards of N are missing from a merged report (empty when complete or unsharded). */
export function missingShards(shards: readonly string[] | undefined): string[] {
  if (!shards || shards.length === 0) return [];
  const n = Number(shards[0].split('/')[1]);
  const have = new Set(shards.map((s) => Number(s.split('/')[0])));
  const out: string[] = [];
  for (let i = 1; i <= n; i++) if (!have.has(i)) out.push(`${i}/${n}`);
  return out;
}

/** Progress on stderr: one rewritten line on a TTY, a line every few percent otherwise. */
export class Progress {
  private readonly started = Date.now();
  private lastLine = 0;
  private lastPct = -1;
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly total: number,
    private readonly label = 'bench',
  ) {}

  update(done: number, id: string, note = ''): void {
    const elapsed = Date.now() - this.started;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const text = `${this.label} [${String(done).padStart(String(this.total).length)}/${this.total}] ${id}${
      note ? `  ${note}` : ''
    }  elapsed ${duration(elapsed)}${done < this.total ? `  eta ${duration(eta)}` : ''}`;
    if (this.stream.isTTY) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r\x1b[K${text.slice(0, width)}`);
      if (done >= this.total) this.stream.write('\n');
      return;
    }
    const p = Math.floor((100 * done) / Math.max(1, this.total));
    const now = Date.now();
    if (done >= this.total || p >= this.lastPct + 5 || now - this.lastLine > 30000) {
      this.stream.write(`${text}\n`);
      this.lastPct = p;
      this.lastLine = now;
    }
  }
}

export function runningNote(sums: BenchSums, keys: readonly string[]): string {
  const s = summarize(sums);
  return keys
    .filter((k) => s.bon[k] !== null && s.bon[k] !== undefined)
    .map((k) => `${k} ${(100 * (s.bon[k] as number)).toFixed(1)}%`)
    .join(' ');
}
