// `cosplay bench`: option handling, the two modes (CoSPlay beside the baselines through an LLM; the static
// selection check on the recordings), progress, trace, table and JSON. The executor, the LLM and the engine
// come in through `BenchDeps`, so this file is tested with fakes and wired to the real modules in
// src/bench/wiring.ts.
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { DatasetTask } from '../data/dataset.js';
import type { Executor, TaskKind } from '../types.js';
import { UserError } from '../types.js';
import { loadBenchDataset } from './datasets.js';
import { addTask, emptySums } from './metrics.js';
import { buildReport, formatTable, Progress, runningNote, type BenchReport, type RunInfo } from './report.js';
import { runBench, type SelectFn } from './run.js';
import { formatShard, parseShard, selectShard } from './shard.js';
import { runStaticCheck, STATIC_SELECTORS, type StaticOptions } from './static.js';

export interface BenchCliOptions {
  dataset: string;
  model?: string;
  baseUrl?: string;
  codes?: string | number;
  tests?: string | number;
  rounds?: string | number;
  limit?: string | number;
  shard?: string;
  json?: string;
  trace?: string;
  sandbox?: string;
  static?: boolean;
  concurrency?: string | number;
  workers?: string | number;
  timeoutMs?: string | number;
}

export interface ClosableExecutor extends Executor {
  close(): Promise<void> | void;
  /** Cells executed, served from memory, served from the persistent cache (when the executor memoises). */
  stats?(): { executed: number; cached: number; stored: number };
}

export interface SelectSetup {
  /** The tasks, WITHOUT their ground truth. */
  tasks: Array<Omit<DatasetTask, 'ground_truth'>>;
  /** Path of the dataset file (the replay model may load it itself). */
  datasetPath: string;
  model: string;
  baseUrl?: string;
  codes: number;
  tests: number;
  rounds?: number;
  executor: Executor;
}

export interface BenchDeps {
  createExecutor(opts: {
    sandbox: 'bwrap' | 'none';
    workers?: number;
  }): Promise<ClosableExecutor> | ClosableExecutor;
  /** More selectors for the static check (the engine's baselines). */
  extraSelectors?: StaticOptions['extraSelectors'];
  /** Output comparison of the executor (src/exec's outputsAgree). */
  outputsAgree?: (a: string, b: string, kind: TaskKind) => boolean;
  /** Builds the selection (CoSPlay + baselines) for the chosen model. */
  createSelect(
    setup: SelectSetup,
  ): Promise<{ select: SelectFn; close(): Promise<void> | void; params?: Record<string, unknown> }>;
  /** Default number of self-play rounds (the engine's PAPER_PARAMS). */
  defaultRounds?: number;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

function intOption(
  name: string,
  v: string | number | undefined,
  dflt: number | undefined,
  min = 1,
): number | undefined {
  if (v === undefined || v === '') return dflt;
  if (typeof v === 'string' && v.toLowerCase() === 'all') return Infinity;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UserError(`--${name} must be an integer >= ${min} (got "${v}")`);
  return n;
}

function shownCount(n: number): number | 'all' {
  return Number.isFinite(n) ? n : 'all';
}

class TraceWriter {
  private readonly stream?: WriteStream;
  constructor(file: string | undefined) {
    if (file) this.stream = createWriteStream(file, { flags: 'w' });
  }
  write(obj: unknown): void {
    this.stream?.write(JSON.stringify(obj) + '\n');
  }
  async close(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    await new Promise<void>((resolve, reject) => {
      s.on('error', reject);
      s.end(() => resolve());
    });
  }
}

export async function runBenchCommand(
  opts: BenchCliOptions,
  deps: BenchDeps,
  io: Io = process,
): Promise<BenchReport> {
  const started = Date.now();
  const mode = opts.static ? 'static' : 'cosplay';
  const model = opts.model ?? 'replay';
  const codes = intOption('codes', opts.codes, 16)!;
  const tests = intOption('tests', opts.tests, 16)!;
  const rounds = intOption('rounds', opts.rounds, deps.defaultRounds, 0);
  const limit = intOption('limit', opts.limit, undefined);
  // CoSPlay tasks wait on the LLM and on small incremental matrices: 4 in flight keep both cores busy
  const concurrency = intOption('concurrency', opts.concurrency, mode === 'static' ? 2 : 4)!;
  const workers = intOption('workers', opts.workers, undefined);
  const timeoutMs = intOption('timeout-ms', opts.timeoutMs, undefined);
  const sandbox = (opts.sandbox ?? 'bwrap') as 'bwrap' | 'none';
  if (sandbox !== 'bwrap' && sandbox !== 'none') throw new UserError('--sandbox must be bwrap or none');
  if (!Number.isFinite(codes) && mode === 'cosplay') throw new UserError('--codes all is only for --static');
  const shard = parseShard(opts.shard);

  const loaded = await loadBenchDataset(opts.dataset);
  for (const s of loaded.skipped) io.stderr.write(`cosplay bench: skipping ${s.id}: ${s.reason}\n`);
  let all = loaded.tasks;
  if (limit !== undefined) all = all.slice(0, limit);
  const mine = selectShard(all, shard);
  if (mine.length === 0)
    throw new UserError(`no tasks to run (dataset has ${loaded.tasks.length}, --limit/--shard leave none)`);
  const replay = model === 'replay';
  if ((replay || mode === 'static') && mine.every(({ item }) => item.codes.length === 0))
    throw new UserError(
      `${opts.dataset} has no recorded codes (${loaded.format} format): ${
        mode === 'static' ? 'the static check' : 'the replay model'
      } needs recordings; run live with --model NAME --base-url URL`,
    );

  const info: RunInfo = {
    mode,
    dataset: opts.dataset,
    model: mode === 'static' ? undefined : model,
    codes: shownCount(codes),
    tests: shownCount(tests),
    rounds: mode === 'static' ? undefined : rounds,
    limit,
    shard: formatShard(shard),
    sandbox,
  };
  const trace = new TraceWriter(opts.trace);
  trace.write({ type: 'run', ...info, tasks: mine.length, startedAt: new Date(started).toISOString() });
  const progress = new Progress(io.stderr, mine.length, mode === 'static' ? 'bench --static' : 'bench');
  const executor = await deps.createExecutor({ sandbox, workers });
  let report: BenchReport;
  try {
    if (mode === 'static') {
      const running = emptySums();
      const r = await runStaticCheck(
        executor,
        mine.map((m) => m.item),
        {
          codes,
          tests,
          timeoutMs,
          concurrency,
          agree: deps.outputsAgree,
          extraSelectors: deps.extraSelectors,
          onTask: (t, done) => {
            addTask(running, {
              id: t.id,
              poolCorrect: t.correct,
              ties: Object.fromEntries(
                Object.entries(t.ties).map(([k, tie]) => [k, tie.map((i) => t.correct[i])]),
              ),
            });
            trace.write({
              type: 'task',
              id: t.id,
              codes: t.codes,
              tests: t.tests,
              correct: t.correct.map(Number).join(''),
              pass: t.pass.map((row) => row.map(Number).join('')),
              ties: t.ties,
              ut: t.ut,
              cells: t.cells,
            });
            progress.update(done, t.id, runningNote(running, STATIC_SELECTORS));
          },
        },
      );
      r.sums.wallMs = Date.now() - started;
      report = buildReport(r.sums, { ...info, cells: r.cells, naiveCells: r.naiveCells });
    } else {
      const sel = await deps.createSelect({
        // the selection side never sees a ground truth
        tasks: all.map(({ ground_truth: _gt, ...rest }) => rest),
        datasetPath: opts.dataset,
        model,
        baseUrl: opts.baseUrl,
        codes,
        tests,
        rounds,
        executor,
      });
      try {
        const running = emptySums();
        const r = await runBench(mine, {
          select: sel.select,
          executor,
          concurrency,
          gradeTimeoutMs: undefined,
          onTask: (t, done) => {
            trace.write({ type: 'task', ...t });
            if (t.ok && t.score) {
              // running figures for the progress line only
              running.tasks++;
              for (const [k, v] of Object.entries(t.score.bon)) {
                const b = (running.bon[k] ??= { sum: 0, tasks: 0 });
                b.sum += v ?? 0;
                b.tasks++;
              }
            }
            progress.update(done, t.id, runningNote(running, ['cosplay', 'codet', 'passCount']));
          },
        });
        r.sums.wallMs = Date.now() - started;
        report = buildReport(r.sums, {
          ...info,
          params: sel.params,
          cells: r.sums.cells,
          ...(executor.stats ? { execCells: executor.stats() } : {}),
        });
      } finally {
        await sel.close();
      }
    }
  } finally {
    await executor.close();
  }
  trace.write({ type: 'summary', ...report, sums: undefined });
  await trace.close();
  io.stdout.write(formatTable(report));
  if (opts.json) await writeFile(opts.json, JSON.stringify(report, null, 2) + '\n');
  return report;
}
