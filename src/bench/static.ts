// The static selection check on the recordings (no LLM): the first N recorded codes x the first M recorded
// tests of every task, executed through the Executor, scored with the baselines. It validates the executor
// and the selectors against independent figures for the replay set.
//
// Execution is deduplicated: many recorded codes are identical strings and a function test's outcome depends
// only on (code, call), so each distinct (code, call) runs once without `expected`, each distinct expected
// expression is evaluated once on its own (a probe with no code), and the verdicts are computed here by
// comparing serialised values. An expected expression that cannot be evaluated on its own (it needs a name
// the code defines) is evaluated per code, like a call.
import pLimit from 'p-limit';
import type { DatasetTask } from '../data/dataset.js';
import { recordedInput, selectionLimit } from '../data/dataset.js';
import type { CellResult, Executor, TaskKind, UnitTest } from '../types.js';
import { gradeCodes } from './grade.js';
import { addTask, emptySums, type BenchSums, type UtQuality } from './metrics.js';
import { clusterTied, codetTied, mbrExecTied, passCountTied, pCodes, type OutputRow } from './selectors.js';

/** Compares two outputs of a task kind (src/exec's `outputsAgree`, or strict equality). */
export type KindAgree = (a: string, b: string, kind: TaskKind) => boolean;

export const STATIC_SELECTORS = ['first', 'passCount', 'passCountCluster', 'codet', 'mbr'] as const;
export type StaticSelector = (typeof STATIC_SELECTORS)[number];

export interface StaticOptions {
  /** First N recorded codes per task. */
  codes: number;
  /** First M recorded tests per task (Infinity = all). */
  tests: number;
  timeoutMs?: number;
  gradeTimeoutMs?: number;
  agree?: KindAgree;
  /**
   * More selectors to score on the same matrix (e.g. the engine's baselines, to check them against the
   * reference ones): each returns its tie as indices into the codes.
   */
  extraSelectors?: (m: {
    pass: boolean[][];
    cells: CellResult[][];
    codes: string[];
    kind: TaskKind;
  }) => Record<string, number[]>;
  /** Tasks in flight at once (the executor parallelises inside a task too). */
  concurrency?: number;
  onTask?: (r: StaticTaskResult, done: number, total: number) => void;
}

export interface StaticTaskResult {
  id: string;
  codes: number;
  tests: number;
  correct: boolean[];
  /** Row i = code i, column j = test j. */
  pass: boolean[][];
  ties: Record<StaticSelector, number[]> & Record<string, number[]>;
  ut: UtQuality;
  /** Cells executed for this task (selection + grading). */
  cells: number;
  /** Cells a naive N x M run plus per-code grading would have executed. */
  naiveCells: number;
}

export interface StaticResult {
  sums: BenchSums;
  tasks: StaticTaskResult[];
  cells: number;
  naiveCells: number;
  wallMs: number;
}

const strict: KindAgree = (a, b) => a === b;

function probeCode(language: DatasetTask['language']): string {
  return language === 'python' ? 'pass\n' : '\n';
}

/** Executes the deduplicated matrix for one task and returns its pass matrix and output rows. */
export async function executeRecorded(
  executor: Executor,
  d: DatasetTask,
  codes: readonly string[],
  tests: DatasetTask['tests'],
  opts: { timeoutMs?: number; agree?: KindAgree } = {},
): Promise<{ pass: boolean[][]; outputs: OutputRow[]; cellResults: CellResult[][]; cells: number }> {
  const agree = opts.agree ?? strict;
  const kind = d.kind;
  const distinctCodes = [...new Set(codes)];
  const codeIndex = new Map(distinctCodes.map((c, i) => [c, i]));
  const inputs = [...new Set(tests.map((t) => recordedInput(d, t)))];
  const inputIndex = new Map(inputs.map((x, i) => [x, i]));
  let cells = 0;
  const run = async (cs: string[], ts: UnitTest[]): Promise<CellResult[][]> => {
    if (cs.length === 0 || ts.length === 0) return cs.map(() => []);
    cells += cs.length * ts.length;
    return executor.run({
      language: d.language,
      kind,
      entryPoint: kind === 'function' ? d.entry_point : undefined,
      codes: cs,
      tests: ts,
      timeoutMs: opts.timeoutMs,
    });
  };

  // Expected values of function tests: one probe run evaluates every distinct expression once.
  const expectedValue = new Map<string, CellResult>();
  const perCodeExpected: string[] = [];
  if (kind === 'function') {
    const exprs = [...new Set(tests.map((t) => t.expected))];
    const rows = await run(
      [probeCode(d.language)],
      exprs.map((e) => ({ call: e })),
    );
    exprs.forEach((e, k) => {
      const cell = rows[0]?.[k];
      if (cell && cell.verdict === 'pass') expectedValue.set(e, cell);
      else perCodeExpected.push(e);
    });
  }
  const columns: UnitTest[] =
    kind === 'function'
      ? [...inputs, ...perCodeExpected].map((call) => ({ call }))
      : inputs.map((input) => ({ input }));
  const rows = await run(distinctCodes, columns);
  const perCodeIndex = new Map(perCodeExpected.map((e, k) => [e, inputs.length + k]));

  const distinctOutputs: OutputRow[] = rows.map((row) =>
    inputs.map((_, k) => (row[k] && row[k].verdict === 'pass' ? row[k].output : null)),
  );
  const distinctPass: boolean[][] = rows.map((row) =>
    tests.map((t) => {
      const out = row[inputIndex.get(recordedInput(d, t))!];
      if (!out || out.verdict !== 'pass') return false;
      if (kind === 'stdio') return agree(out.output, t.expected, 'stdio');
      let exp = expectedValue.get(t.expected);
      if (!exp) exp = row[perCodeIndex.get(t.expected)!];
      if (!exp || exp.verdict !== 'pass') return false;
      return agree(out.output, exp.output, 'function');
    }),
  );
  // Per (code, test) cells as the method would see them (for selectors that take cells, e.g. the engine's).
  const distinctCells: CellResult[][] = rows.map((row, i) =>
    tests.map((t, j) => {
      const out = row[inputIndex.get(recordedInput(d, t))!];
      if (!out) return { verdict: 'error', output: '', error: 'not executed' };
      if (out.verdict !== 'pass') return out;
      return { verdict: distinctPass[i][j] ? 'pass' : 'fail', output: out.output };
    }),
  );
  return {
    pass: codes.map((c) => distinctPass[codeIndex.get(c)!]),
    outputs: codes.map((c) => distinctOutputs[codeIndex.get(c)!]),
    cellResults: codes.map((c) => distinctCells[codeIndex.get(c)!]),
    cells,
  };
}

/** UT quality of a pass matrix given the codes' correctness: valid UTs every correct code passes. */
export function utQuality(
  pass: readonly (readonly boolean[])[],
  correct: readonly boolean[],
  tests: number,
): UtQuality {
  const correctRows = pass.filter((_, i) => correct[i]);
  let good = 0;
  for (let j = 0; j < tests; j++) if (correctRows.length > 0 && correctRows.every((r) => r[j])) good++;
  return { valid: tests, correct: good };
}

/** Selection (no ground truth) then grading, for one task. */
export async function staticTask(
  executor: Executor,
  d: DatasetTask,
  opts: StaticOptions,
): Promise<StaticTaskResult> {
  const codes = d.codes.slice(0, opts.codes);
  const tests = d.tests.slice(0, opts.tests);
  const { pass, outputs, cellResults, cells } = await executeRecorded(executor, d, codes, tests, {
    ...opts,
    timeoutMs: selectionLimit(d, opts.timeoutMs),
  });
  const agree = opts.agree ?? strict;
  const same = (a: string, b: string) => agree(a, b, d.kind);
  const pc = pCodes(pass);
  const passCount = passCountTied(pass);
  const ties: Record<StaticSelector, number[]> & Record<string, number[]> = {
    first: codes.map((_, i) => i),
    passCount,
    passCountCluster: clusterTied(passCount, outputs, pc, same),
    codet: codetTied(pass),
    mbr: mbrExecTied(outputs, same),
    ...(opts.extraSelectors?.({ pass, cells: cellResults, codes, kind: d.kind }) ?? {}),
  };
  // Selection is done: only now is the ground truth read.
  const gradeStats = { cells: 0 };
  const correct = await gradeCodes(executor, d, codes, { timeoutMs: opts.gradeTimeoutMs }, gradeStats);
  return {
    id: d.id,
    codes: codes.length,
    tests: tests.length,
    correct,
    pass,
    ties,
    ut: utQuality(pass, correct, tests.length),
    cells: cells + gradeStats.cells,
    naiveCells: codes.length * tests.length + codes.length,
  };
}

export async function runStaticCheck(
  executor: Executor,
  tasks: readonly DatasetTask[],
  opts: StaticOptions,
): Promise<StaticResult> {
  const started = Date.now();
  const limit = pLimit(Math.max(1, opts.concurrency ?? 2));
  const results: StaticTaskResult[] = new Array(tasks.length);
  let done = 0;
  await Promise.all(
    tasks.map((d, i) =>
      limit(async () => {
        const r = await staticTask(executor, d, opts);
        results[i] = r;
        done++;
        opts.onTask?.(r, done, tasks.length);
      }),
    ),
  );
  const sums = emptySums();
  for (const r of results) {
    addTask(sums, {
      id: r.id,
      poolCorrect: r.correct,
      ties: Object.fromEntries(
        Object.entries(r.ties).map(([sel, tie]) => [sel, tie.map((i) => r.correct[i])]),
      ),
      utBefore: r.ut,
    });
  }
  const wallMs = Date.now() - started;
  sums.wallMs = wallMs;
  return {
    sums,
    tasks: results,
    cells: results.reduce((n, r) => n + r.cells, 0),
    naiveCells: results.reduce((n, r) => n + r.naiveCells, 0),
    wallMs,
  };
}
