// Ground-truth grading through the Executor interface. Only ever called AFTER a task's selection is made:
// nothing in here is visible to the method (the method sees `toTask(d)`, never `d.ground_truth`).
import type { DatasetTask } from '../data/dataset.js';
import type { CellResult, ExecRequest, Executor, UnitTest } from '../types.js';
import { UserError } from '../types.js';

export interface GradeOptions {
  /** Wall-clock limit per ground-truth run (HumanEval's check runs several asserts in one cell). */
  timeoutMs?: number;
}

export interface GradeStats {
  /** Cells the executor was asked to run. */
  cells: number;
}

/** Whether the task carries a ground truth the benchmark can score with. */
export function hasGroundTruth(d: DatasetTask): boolean {
  const gt = d.ground_truth;
  if (!gt) return false;
  if (d.kind === 'function') return typeof gt.test === 'string' && !!(gt.entry_point ?? d.entry_point);
  return Array.isArray(gt.tests) && gt.tests.length > 0;
}

function requireGroundTruth(d: DatasetTask): void {
  if (!hasGroundTruth(d))
    throw new UserError(
      `task ${d.id} has no usable ground_truth (${
        d.kind === 'function'
          ? '"test" defining check(candidate) and "entry_point"'
          : 'a non-empty "tests" list'
      }); bench scores picks with it after selection. Fix the dataset or drop the task.`,
    );
}

/**
 * The executor request that grades `codes` (distinct strings) against the ground truth.
 * Function tasks: each code becomes `code + "\n" + ground_truth.test`, run with the single function test
 * `check(<entry_point>)` expected to return `None`. Stdio tasks: the codes against every hidden test.
 */
export function groundTruthRequest(
  d: DatasetTask,
  codes: readonly string[],
  opts: GradeOptions = {},
): ExecRequest {
  requireGroundTruth(d);
  const gt = d.ground_truth!;
  if (d.kind === 'function') {
    const entry = gt.entry_point ?? d.entry_point!;
    const checkCall = `check(${entry})`;
    const none = d.language === 'python' ? 'None' : 'undefined';
    return {
      language: d.language,
      kind: 'function',
      entryPoint: entry,
      codes: codes.map((c) => `${c}\n${gt.test}`),
      tests: [{ call: checkCall, expected: none }],
      timeoutMs: opts.timeoutMs,
    };
  }
  const tests: UnitTest[] = gt.tests!.map((t) => ({ input: t.input, expected: t.expected }));
  return { language: d.language, kind: 'stdio', codes: [...codes], tests, timeoutMs: opts.timeoutMs };
}

/** A graded row is correct when every ground-truth cell passes. */
export function rowCorrect(row: readonly CellResult[]): boolean {
  return row.length > 0 && row.every((c) => c.verdict === 'pass');
}

/**
 * Grades codes against the task's ground truth: one boolean per input code (same order). Identical code
 * strings are executed once.
 */
export async function gradeCodes(
  executor: Executor,
  d: DatasetTask,
  codes: readonly string[],
  opts: GradeOptions = {},
  stats?: GradeStats,
): Promise<boolean[]> {
  if (codes.length === 0) return [];
  const distinct = [...new Set(codes)];
  const req = groundTruthRequest(d, distinct, opts);
  const rows = await executor.run(req);
  if (stats) stats.cells += req.codes.length * req.tests.length;
  const verdict = new Map<string, boolean>();
  distinct.forEach((c, i) => verdict.set(c, rowCorrect(rows[i] ?? [])));
  return codes.map((c) => verdict.get(c)!);
}

/** A grader that remembers each code's verdict per task (codes recur across rounds and selectors). */
export class Grader {
  private readonly memo = new Map<string, Map<string, boolean>>();
  readonly stats: GradeStats = { cells: 0 };

  constructor(
    private readonly executor: Executor,
    private readonly opts: GradeOptions = {},
  ) {}

  async grade(d: DatasetTask, codes: readonly string[]): Promise<boolean[]> {
    let m = this.memo.get(d.id);
    if (!m) this.memo.set(d.id, (m = new Map()));
    const missing = [...new Set(codes.filter((c) => !m!.has(c)))];
    if (missing.length) {
      const got = await gradeCodes(this.executor, d, missing, this.opts, this.stats);
      missing.forEach((c, i) => m!.set(c, got[i]));
    }
    return codes.map((c) => m!.get(c)!);
  }

  /** Forget a task's verdicts (keeps memory flat over long runs). */
  forget(id: string): void {
    this.memo.delete(id);
  }
}
