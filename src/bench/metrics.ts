// Scoring of a benchmark run (pure). Definitions (docs/benchmark.md, "What is measured"):
// - BoN accuracy of a selector: per task, the expected correctness of its pick when the tie at the top is
//   broken uniformly at random (= the fraction of correct codes in the tied set), averaged over tasks.
// - Code accuracy: per task, the fraction of correct codes in the pool (the pool's pass@1), averaged.
// - Oracle: the fraction of tasks with at least one correct code in the pool.
// - UT accuracy: over tasks with at least one correct code (and at least one valid UT), the fraction of valid
//   generated UTs that every correct code passes, averaged over those tasks (macro). The micro figure (all
//   such UTs pooled) is reported beside it.
// Everything is accumulated as sums so that shards merge exactly (bench-merge never averages averages).

import { addTiming, emptyTiming, type Timing } from './timing.js';

export const BON_SELECTORS = ['cosplay', 'cosplayNoCluster', 'passCount', 'codet', 'mbr', 'first'] as const;
export type BonSelector = (typeof BON_SELECTORS)[number];

/** Valid generated UTs of one task and how many of them every correct code passes. */
export interface UtQuality {
  valid: number;
  correct: number;
}

/** What the benchmark knows about one task after selection and grading. */
export interface TaskOutcome {
  id: string;
  /** Ground-truth correctness of every code of the pool the task is scored on (the initial pool). */
  poolCorrect: readonly boolean[];
  /** Ground-truth correctness of the code pool after self-play, when there was self-play. */
  finalCorrect?: readonly boolean[];
  /** Per selector: the ground-truth correctness of every code in its tied set (any pool). */
  ties: Partial<Record<string, readonly boolean[]>>;
  /** UT quality before and after self-play; only counted when the task has at least one correct code. */
  utBefore?: UtQuality;
  utAfter?: UtQuality;
  /** Whether some code the task ever saw is correct (decides UT-accuracy eligibility); default: the pool. */
  hasCorrect?: boolean;
  tokens?: number;
  requests?: number;
  wallMs?: number;
  /** Executor cells the selection ran for this task. */
  cells?: number;
}

export interface TaskScore {
  id: string;
  oracle: 0 | 1;
  codeAccuracy: number;
  /** Expected accuracy per selector (fraction of correct codes in its tie). */
  bon: Partial<Record<string, number>>;
  utBefore?: UtQuality;
  utAfter?: UtQuality;
  utEligible: boolean;
}

export interface UtSums {
  /** Tasks with a correct code and at least one valid UT. */
  tasks: number;
  /** Sum over those tasks of the per-task fraction. */
  fractionSum: number;
  valid: number;
  correct: number;
}

export interface BenchSums {
  tasks: number;
  oracle: number;
  codeAccuracy: number;
  codes: number;
  correctCodes: number;
  /** The pool after self-play: tasks measured, tasks with a correct code, sum of per-task pass@1. */
  final: { tasks: number; oracle: number; codeAccuracy: number };
  /** Per selector: sum of expected accuracies and the number of tasks it was measured on. */
  bon: Record<string, { sum: number; tasks: number }>;
  utBefore: UtSums;
  utAfter: UtSums;
  /** Tasks with at least one correct code. */
  utEligibleTasks: number;
  tokens: number;
  requests: number;
  /** Sum of per-task wall times. */
  taskWallMs: number;
  /** Executor cells run (selection and grading). */
  cells: number;
  /** Wall time of the run(s): for merged shards, the sum of the shards' wall times. */
  wallMs: number;
  /** Tasks whose run failed (counted nowhere else). */
  failed: number;
  /** Where the tasks' time went (CoSPlay runs; src/bench/timing.ts). */
  timing?: Timing;
  /**
   * Per selector, its per-task accuracy minus that of PAIRED_REFERENCE on the same task (tasks where both were
   * measured): count, sum and sum of squares, for the paired standard error (mergeable across shards).
   */
  paired?: Record<string, { n: number; sum: number; sumSq: number }>;
}

/** The selector the paired differences are taken against: CodeT given the samples the run read. */
export const PAIRED_REFERENCE = 'codetSameSamples';

/** Expected accuracy of a uniform pick from the tie; an empty tie (nothing picked) scores 0. */
export function expectedAccuracy(tiedCorrect: readonly boolean[]): number {
  if (tiedCorrect.length === 0) return 0;
  return tiedCorrect.filter(Boolean).length / tiedCorrect.length;
}

export function scoreTask(o: TaskOutcome): TaskScore {
  const correct = o.poolCorrect.filter(Boolean).length;
  const n = o.poolCorrect.length;
  const bon: Partial<Record<string, number>> = {};
  for (const [sel, tie] of Object.entries(o.ties)) if (tie) bon[sel] = expectedAccuracy(tie);
  return {
    id: o.id,
    oracle: correct > 0 ? 1 : 0,
    codeAccuracy: n ? correct / n : 0,
    bon,
    utBefore: o.utBefore,
    utAfter: o.utAfter,
    utEligible: o.hasCorrect ?? correct > 0,
  };
}

function emptyUt(): UtSums {
  return { tasks: 0, fractionSum: 0, valid: 0, correct: 0 };
}

export function emptySums(): BenchSums {
  return {
    tasks: 0,
    oracle: 0,
    codeAccuracy: 0,
    codes: 0,
    correctCodes: 0,
    final: { tasks: 0, oracle: 0, codeAccuracy: 0 },
    bon: {},
    utBefore: emptyUt(),
    utAfter: emptyUt(),
    utEligibleTasks: 0,
    tokens: 0,
    requests: 0,
    taskWallMs: 0,
    cells: 0,
    wallMs: 0,
    failed: 0,
  };
}

function addUt(s: UtSums, q: UtQuality | undefined): void {
  if (!q || q.valid <= 0) return;
  s.tasks += 1;
  s.fractionSum += q.correct / q.valid;
  s.valid += q.valid;
  s.correct += q.correct;
}

/** Adds one task to the sums (mutates and returns `sums`). */
export function addTask(sums: BenchSums, o: TaskOutcome): BenchSums {
  const s = scoreTask(o);
  sums.tasks += 1;
  sums.oracle += s.oracle;
  sums.codeAccuracy += s.codeAccuracy;
  sums.codes += o.poolCorrect.length;
  sums.correctCodes += o.poolCorrect.filter(Boolean).length;
  if (o.finalCorrect && o.finalCorrect.length > 0) {
    const c = o.finalCorrect.filter(Boolean).length;
    sums.final.tasks += 1;
    sums.final.oracle += c > 0 ? 1 : 0;
    sums.final.codeAccuracy += c / o.finalCorrect.length;
  }
  for (const [sel, acc] of Object.entries(s.bon)) {
    if (acc === undefined) continue;
    const b = (sums.bon[sel] ??= { sum: 0, tasks: 0 });
    b.sum += acc;
    b.tasks += 1;
  }
  if (s.utEligible) {
    sums.utEligibleTasks += 1;
    addUt(sums.utBefore, o.utBefore);
    addUt(sums.utAfter, o.utAfter);
  }
  const ref = s.bon[PAIRED_REFERENCE];
  if (ref !== undefined)
    for (const [sel, acc] of Object.entries(s.bon)) {
      if (acc === undefined || sel === PAIRED_REFERENCE) continue;
      const p = ((sums.paired ??= {})[sel] ??= { n: 0, sum: 0, sumSq: 0 });
      p.n += 1;
      p.sum += acc - ref;
      p.sumSq += (acc - ref) ** 2;
    }
  sums.tokens += o.tokens ?? 0;
  sums.requests += o.requests ?? 0;
  sums.taskWallMs += o.wallMs ?? 0;
  sums.cells += o.cells ?? 0;
  return sums;
}

/** Combines the sums of disjoint task sets (shards). */
export function mergeSums(parts: readonly BenchSums[]): BenchSums {
  const out = emptySums();
  for (const p of parts) {
    out.tasks += p.tasks;
    out.oracle += p.oracle;
    out.codeAccuracy += p.codeAccuracy;
    out.codes += p.codes;
    out.correctCodes += p.correctCodes;
    out.final.tasks += p.final.tasks;
    out.final.oracle += p.final.oracle;
    out.final.codeAccuracy += p.final.codeAccuracy;
    for (const [sel, b] of Object.entries(p.bon)) {
      const o = (out.bon[sel] ??= { sum: 0, tasks: 0 });
      o.sum += b.sum;
      o.tasks += b.tasks;
    }
    for (const k of ['utBefore', 'utAfter'] as const) {
      out[k].tasks += p[k].tasks;
      out[k].fractionSum += p[k].fractionSum;
      out[k].valid += p[k].valid;
      out[k].correct += p[k].correct;
    }
    out.utEligibleTasks += p.utEligibleTasks;
    out.tokens += p.tokens;
    out.requests += p.requests;
    out.taskWallMs += p.taskWallMs;
    out.cells += p.cells ?? 0;
    out.wallMs += p.wallMs;
    out.failed += p.failed;
    if (p.timing) addTiming((out.timing ??= emptyTiming()), p.timing);
    for (const [sel, d] of Object.entries(p.paired ?? {})) {
      const o = ((out.paired ??= {})[sel] ??= { n: 0, sum: 0, sumSq: 0 });
      o.n += d.n;
      o.sum += d.sum;
      o.sumSq += d.sumSq;
    }
  }
  return out;
}

/** The contract's summary (fractions in [0, 1]; `null` where a figure was not measured). */
export interface BenchSummary {
  tasks: number;
  oracle: number;
  codeAccuracy: number;
  /** UT accuracy of the UTs the selection used last (after self-play when CoSPlay ran). */
  utAccuracy: number | null;
  bon: Record<BonSelector, number | null> & Record<string, number | null>;
  tokensPerTask: number;
  requestsPerTask: number;
  wallMs: number;
  utAccuracyBefore: number | null;
  utAccuracyAfter: number | null;
  utAccuracyMicroBefore: number | null;
  utAccuracyMicroAfter: number | null;
  /** Pooled code accuracy (correct codes / codes). */
  codeAccuracyMicro: number;
  /** Oracle and pass@1 of the code pool after self-play (null without self-play). */
  oracleFinal: number | null;
  codeAccuracyFinal: number | null;
  failedTasks: number;
  /** Where the tasks' time went, summed over tasks (null for the static check). */
  timing: Timing | null;
  /**
   * Per selector, the mean paired difference to CodeT given the same samples (PAIRED_REFERENCE) and its standard
   * error, as fractions (replay runs only; absent when the reference was not measured).
   */
  pairedVsSameSamples?: Record<string, { mean: number; se: number; tasks: number }>;
}

/** Mean and standard error of paired differences from their count, sum and sum of squares. */
export function pairedStats(d: { n: number; sum: number; sumSq: number }): { mean: number; se: number } {
  if (d.n === 0) return { mean: 0, se: 0 };
  const mean = d.sum / d.n;
  if (d.n < 2) return { mean, se: 0 };
  const variance = Math.max(0, (d.sumSq - d.n * mean * mean) / (d.n - 1));
  return { mean, se: Math.sqrt(variance / d.n) };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function summarize(s: BenchSums): BenchSummary {
  const bon: Record<string, number | null> = {};
  for (const sel of BON_SELECTORS) bon[sel] = null;
  for (const [sel, b] of Object.entries(s.bon)) bon[sel] = ratio(b.sum, b.tasks);
  const before = ratio(s.utBefore.fractionSum, s.utBefore.tasks);
  const after = ratio(s.utAfter.fractionSum, s.utAfter.tasks);
  return {
    tasks: s.tasks,
    oracle: ratio(s.oracle, s.tasks) ?? 0,
    codeAccuracy: ratio(s.codeAccuracy, s.tasks) ?? 0,
    utAccuracy: after ?? before,
    bon: bon as BenchSummary['bon'],
    tokensPerTask: ratio(s.tokens, s.tasks) ?? 0,
    requestsPerTask: ratio(s.requests, s.tasks) ?? 0,
    wallMs: s.wallMs,
    utAccuracyBefore: before,
    utAccuracyAfter: after,
    utAccuracyMicroBefore: ratio(s.utBefore.correct, s.utBefore.valid),
    utAccuracyMicroAfter: ratio(s.utAfter.correct, s.utAfter.valid),
    codeAccuracyMicro: ratio(s.correctCodes, s.codes) ?? 0,
    oracleFinal: ratio(s.final.oracle, s.final.tasks),
    codeAccuracyFinal: ratio(s.final.codeAccuracy, s.final.tasks),
    failedTasks: s.failed,
    timing: s.timing ?? null,
    ...(s.paired
      ? {
          pairedVsSameSamples: Object.fromEntries(
            Object.entries(s.paired).map(([k, d]) => [k, { ...pairedStats(d), tasks: d.n }]),
          ),
        }
      : {}),
  };
}
