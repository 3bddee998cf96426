// The benchmark loop: for every task of the shard, run the selection (CoSPlay and the baselines, which see
// only `toTask(d)` and the LLM), THEN grade everything it produced against the ground truth, score it and
// write one trace line. Selection and grading are separated by construction: `select` never receives the
// DatasetTask, only the Task.
import pLimit from 'p-limit';
import type { DatasetTask } from '../data/dataset.js';
import { toTask } from '../data/dataset.js';
import type { CellResult, Executor, Task, UnitTest } from '../types.js';
import { Grader } from './grade.js';
import { addTiming, emptyTiming, PhaseClock } from './timing.js';
import {
  addTask,
  emptySums,
  scoreTask,
  type BenchSums,
  type TaskOutcome,
  type UtQuality,
} from './metrics.js';

/** A UT as the selection produced it. */
export interface SelectedUt {
  test: UnitTest;
  valid: boolean;
}

/** What one selection run produced (everything as code strings / tests, so pools can differ). */
export interface SelectionFacts {
  /** The stage-1 code pool (code accuracy and oracle are measured on it, as for the baselines). */
  initialCodes: string[];
  /** The code pool at the end of self-play. */
  finalCodes: string[];
  /** UT pool before self-play (after stage 1) and after it. */
  initialUts: SelectedUt[];
  finalUts: SelectedUt[];
  /** Per selector, the codes tied for its pick (a single code when the selector is deterministic). */
  ties: Record<string, string[]>;
  /** Every code the run executed, in archive order (graded too, for the trace's offline evaluation). */
  archiveCodes?: string[];
  tokens: number;
  requests: number;
  wallMs: number;
  /** Executor cells the selection ran. */
  cells?: number;
  /** Anything else worth keeping in the trace (rounds, decisions, matrices). */
  details?: Record<string, unknown>;
}

/** The selection; `clock` (when given) is told which phase the task's time is in (src/bench/timing.ts). */
export type SelectFn = (task: Task, clock?: PhaseClock) => Promise<SelectionFacts>;

export interface TaskTrace {
  index: number;
  id: string;
  ok: boolean;
  error?: string;
  score?: ReturnType<typeof scoreTask>;
  /** Per selector: picked code indices in the final pool order of `codes` below, and their correctness. */
  picks?: Record<string, { tie: number[]; correct: boolean[] }>;
  /** Every distinct code the run produced, with its ground-truth verdict (read after the pick). */
  codes?: Array<{ code: string; correct: boolean; initial: boolean; final: boolean }>;
  utBefore?: UtQuality;
  utAfter?: UtQuality;
  /** UT details: the final UT pool, each with validity and whether every correct code passes it. */
  uts?: Array<{ test: UnitTest; valid: boolean; correct: boolean | null; stage: 'initial' | 'final' }>;
  /** Ground-truth correctness of every archived code (details.archive.codes order), read after the pick. */
  archiveCorrect?: boolean[];
  tokens?: number;
  requests?: number;
  wallMs?: number;
  details?: Record<string, unknown>;
}

export interface RunOptions {
  select: SelectFn;
  /** Executor for grading (ground truth and UT correctness); never used by `select` through this module. */
  executor: Executor;
  /** Tasks in flight at once. */
  concurrency?: number;
  gradeTimeoutMs?: number;
  utTimeoutMs?: number;
  /** Called after each task (progress, trace). */
  onTask?: (trace: TaskTrace, done: number, total: number) => void | Promise<void>;
}

export interface RunResult {
  sums: BenchSums;
  traces: TaskTrace[];
}

function utKey(t: UnitTest): string {
  return JSON.stringify(t);
}

/** For each UT: whether every one of `correctCodes` passes it (null when there is no correct code). */
export async function utCorrectness(
  executor: Executor,
  d: DatasetTask,
  correctCodes: readonly string[],
  uts: readonly UnitTest[],
  timeoutMs?: number,
  stats?: { cells: number },
): Promise<Array<boolean | null>> {
  if (uts.length === 0) return [];
  if (correctCodes.length === 0) return uts.map(() => null);
  const distinct = [...new Map(uts.map((t) => [utKey(t), t])).values()];
  if (stats) stats.cells += correctCodes.length * distinct.length;
  const rows: CellResult[][] = await executor.run({
    language: d.language,
    kind: d.kind,
    entryPoint: d.kind === 'function' ? d.entry_point : undefined,
    codes: [...correctCodes],
    tests: distinct,
    timeoutMs,
  });
  const ok = new Map(distinct.map((t, j) => [utKey(t), rows.every((r) => r[j]?.verdict === 'pass')]));
  return uts.map((t) => ok.get(utKey(t))!);
}

function quality(uts: readonly SelectedUt[], correct: ReadonlyArray<boolean | null>): UtQuality {
  let valid = 0;
  let good = 0;
  uts.forEach((u, j) => {
    if (!u.valid) return;
    valid++;
    if (correct[j]) good++;
  });
  return { valid, correct: good };
}

/** Grades one task's selection facts. Reads the ground truth: call only after the selection finished. */
export async function gradeSelection(
  executor: Executor,
  grader: Grader,
  d: DatasetTask,
  facts: SelectionFacts,
  opts: { utTimeoutMs?: number } = {},
): Promise<{ outcome: TaskOutcome; trace: Omit<TaskTrace, 'index' | 'ok'> }> {
  const all = [
    ...new Set([
      ...facts.initialCodes,
      ...facts.finalCodes,
      ...Object.values(facts.ties).flat(),
      ...(facts.archiveCodes ?? []),
    ]),
  ];
  const verdicts = await grader.grade(d, all);
  const correctOf = new Map(all.map((c, i) => [c, verdicts[i]]));
  const correctCodes = all.filter((c) => correctOf.get(c));
  const initialSet = new Set(facts.initialCodes);
  const finalSet = new Set(facts.finalCodes);
  const uts = [...facts.initialUts, ...facts.finalUts];
  const utOk = await utCorrectness(
    executor,
    d,
    correctCodes,
    uts.map((u) => u.test),
    opts.utTimeoutMs,
    grader.stats,
  );
  const before = quality(facts.initialUts, utOk.slice(0, facts.initialUts.length));
  const after = quality(facts.finalUts, utOk.slice(facts.initialUts.length));
  const ties: Record<string, boolean[]> = {};
  const picks: NonNullable<TaskTrace['picks']> = {};
  const codeIndex = new Map(all.map((c, i) => [c, i]));
  for (const [sel, tie] of Object.entries(facts.ties)) {
    // an empty tie (the selector picked nothing) scores 0 for this task
    ties[sel] = tie.map((c) => correctOf.get(c)!);
    picks[sel] = { tie: tie.map((c) => codeIndex.get(c)!), correct: ties[sel] };
  }
  const outcome: TaskOutcome = {
    id: d.id,
    poolCorrect: facts.initialCodes.map((c) => correctOf.get(c)!),
    finalCorrect: facts.finalCodes.map((c) => correctOf.get(c)!),
    ties,
    utBefore: before,
    utAfter: after,
    hasCorrect: correctCodes.length > 0,
    tokens: facts.tokens,
    requests: facts.requests,
    wallMs: facts.wallMs,
    cells: facts.cells,
  };
  return {
    outcome,
    trace: {
      id: d.id,
      score: scoreTask(outcome),
      picks,
      codes: all.map((c) => ({
        code: c,
        correct: correctOf.get(c)!,
        initial: initialSet.has(c),
        final: finalSet.has(c),
      })),
      utBefore: before,
      utAfter: after,
      uts: facts.finalUts.map((u, j) => ({
        test: u.test,
        valid: u.valid,
        correct: utOk[facts.initialUts.length + j],
        stage: 'final' as const,
      })),
      ...(facts.archiveCodes ? { archiveCorrect: facts.archiveCodes.map((c) => correctOf.get(c)!) } : {}),
      tokens: facts.tokens,
      requests: facts.requests,
      wallMs: facts.wallMs,
      details: facts.details,
    },
  };
}

/**
 * Runs the benchmark over `tasks` (already limited and sharded; `indices` are their positions in the whole
 * dataset, for the trace). A task whose selection throws is counted as failed and traced with its error;
 * user errors (bad endpoint, no sandbox) abort the run.
 */
export async function runBench(
  tasks: ReadonlyArray<{ item: DatasetTask; index: number }>,
  opts: RunOptions,
): Promise<RunResult> {
  const grader = new Grader(opts.executor, { timeoutMs: opts.gradeTimeoutMs });
  const limit = pLimit(Math.max(1, opts.concurrency ?? 1));
  const outcomes: Array<TaskOutcome | undefined> = new Array(tasks.length);
  const traces: TaskTrace[] = new Array(tasks.length);
  let done = 0;
  let failed = 0;
  const timing = emptyTiming();
  await Promise.all(
    tasks.map(({ item: d, index }, k) =>
      limit(async () => {
        let trace: TaskTrace;
        const clock = new PhaseClock();
        try {
          const facts = await opts.select(toTask(d), clock);
          // The pick is made: from here on the ground truth may be read.
          const g = await clock.time('grade', () =>
            gradeSelection(opts.executor, grader, d, facts, { utTimeoutMs: opts.utTimeoutMs }),
          );
          outcomes[k] = g.outcome;
          trace = { index, ok: true, ...g.trace };
        } catch (err) {
          if ((err as Error)?.name === 'UserError') throw err;
          failed++;
          trace = { index, id: d.id, ok: false, error: (err as Error)?.stack ?? String(err) };
        } finally {
          grader.forget(d.id);
          addTiming(timing, clock.timing());
        }
        traces[k] = trace;
        done++;
        await opts.onTask?.(trace, done, tasks.length);
      }),
    ),
  );
  const sums = emptySums();
  for (const o of outcomes) if (o) addTask(sums, o);
  sums.failed = failed;
  sums.cells += grader.stats.cells;
  sums.timing = timing;
  return { sums, traces };
}
