import { describe, expect, it } from '@jest/globals';
import type { DatasetTask } from '../../src/data/dataset.js';
import { runStaticCheck } from '../../src/bench/static.js';
import { summarize } from '../../src/bench/metrics.js';
import { TableExecutor, type Table } from './helpers/table-executor.js';

// Codes A..D (by name on their first line); tests on f(1), f(2) and one whose expected value needs the code's
// namespace (K). A and B are correct per the ground truth; C shares a bug with the tests; D crashes.
const table: Table = {
  A: { 'f(1)': '1', 'f(2)': '4', K: '7' },
  B: { 'f(1)': '1', 'f(2)': '4', K: '7' },
  C: { 'f(1)': '1', 'f(2)': '5', K: '8' },
  D: { 'f(1)': null, 'f(2)': null, K: null },
};
const values = { '1': '1', '4': '4', '5': '5', '7': '7' };

function task(correct: string): DatasetTask {
  return {
    id: 't/0',
    kind: 'function',
    language: 'python',
    entry_point: 'f',
    prompt: 'def f(x):',
    codes: ['A\n', 'C\n', 'C\n', 'C\n', 'B\n', 'D\n', 'A\n'],
    tests: [
      { call: 'f(1)', expected: '1' },
      { call: 'f(2)', expected: '5' }, // wrong test, coupled with C
      { call: 'f(2)', expected: '4' },
      { call: 'f(1)', expected: 'K' }, // needs the code's namespace: no code has K == f(1)
    ],
    ground_truth: { test: `def check(candidate): pass\n# correct: ${correct}`, entry_point: 'f' },
  };
}

describe('runStaticCheck', () => {
  it('executes each distinct (code, call) once and scores the baselines on the full pool', async () => {
    const ex = new TableExecutor(table, values);
    const r = await runStaticCheck(ex, [task('A, B')], { codes: 7, tests: 4, concurrency: 1 });
    const t = r.tasks[0];
    expect(t.pass.map((row) => row.map(Number).join(''))).toEqual([
      '1010',
      '1100',
      '1100',
      '1100',
      '1010',
      '0000',
      '1010',
    ]);
    expect(t.correct).toEqual([true, false, false, false, true, false, true]);
    // pass count: every non-crashing code passes 2 -> tie of 6
    expect(t.ties.passCount).toEqual([0, 1, 2, 3, 4, 6]);
    // CodeT: group {1,2,3} x 2 UTs = 6 = group {0,4,6} x 2 -> both groups
    expect(t.ties.codet).toEqual([0, 1, 2, 3, 4, 6]);
    // MBR-exec: outputs (f(1), f(2)); A,B,A agree (3 codes) as do C,C,C; D crashes everywhere and is out
    expect(t.ties.mbr).toEqual([0, 1, 2, 3, 4, 6]);
    expect(t.ties.first).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // UT quality: the correct codes all pass UTs 0 and 2
    expect(t.ut).toEqual({ valid: 4, correct: 2 });
    // distinct: probe x 4 expected values, 4 codes x (2 calls + K), 4 codes x 1 ground-truth cell
    expect(t.cells).toBe(4 + 4 * 3 + 4);
    expect(t.naiveCells).toBe(7 * 4 + 7);
    expect(ex.requests[1].codes).toHaveLength(4);
    expect(ex.requests[1].tests.every((u) => !('expected' in u) || u.expected === undefined)).toBe(true);
    const s = summarize(r.sums);
    expect(s.codeAccuracy).toBeCloseTo(3 / 7);
    expect(s.bon.passCount).toBeCloseTo(3 / 6);
    expect(s.utAccuracyBefore).toBeCloseTo(0.5);
  });

  it('never reads the ground truth before the pick: corrupting it leaves every tie unchanged', async () => {
    const honest = await runStaticCheck(new TableExecutor(table, values), [task('A, B')], {
      codes: 7,
      tests: 4,
    });
    const corrupt = await runStaticCheck(new TableExecutor(table, values), [task('C, D')], {
      codes: 7,
      tests: 4,
    });
    expect(corrupt.tasks[0].ties).toEqual(honest.tasks[0].ties);
    expect(corrupt.tasks[0].pass).toEqual(honest.tasks[0].pass);
    expect(corrupt.tasks[0].correct).not.toEqual(honest.tasks[0].correct);
  });

  it('scores extra selectors on the same cells the method would see', async () => {
    let seen: string[][] = [];
    const r = await runStaticCheck(new TableExecutor(table, values), [task('A, B')], {
      codes: 7,
      tests: 4,
      extraSelectors: ({ cells }) => {
        seen = cells.map((row) => row.map((c) => c.verdict));
        return { 'engine.first': [5] };
      },
    });
    expect(r.tasks[0].ties['engine.first']).toEqual([5]);
    expect(seen[0]).toEqual(['pass', 'fail', 'pass', 'fail']);
    expect(seen[5]).toEqual(['error', 'error', 'error', 'error']);
    expect(r.sums.bon['engine.first']).toEqual({ sum: 0, tasks: 1 });
  });

  it('takes only the first N codes and M tests', async () => {
    const r = await runStaticCheck(new TableExecutor(table, values), [task('A, B')], { codes: 2, tests: 1 });
    expect(r.tasks[0].pass).toEqual([[true], [true]]);
    expect(r.tasks[0].codes).toBe(2);
  });
});
