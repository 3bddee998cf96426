// The engine's result as the report the renderers take (src/modes/solve/report.ts), on hand-written results: only
// valid columns, kept tests = high support AND passed by the pick (so the written test file passes), duplicates
// once, disagreements named; verdicts and notes for a spent budget; failures.
import { describe, expect, it } from '@jest/globals';
import { SMALL_PARAMS, type CosplayResult, type PoolUt } from '../../../src/cosplay/index.js';
import { SandboxUnavailableError } from '../../../src/exec/index.js';
import {
  explainFailure,
  failureMessage,
  passCountOutput,
  reportFromResult,
} from '../../../src/modes/solve/report.js';
import { BudgetExceededError } from '../../../src/types.js';
import { runCosplay } from '../../../src/cosplay/index.js';
import { renderPullRequestBody } from '../../../src/render/index.js';
import { COUPLED, TASK, WORLD_PARAMS, executor, world } from '../../cosplay/world.js';

const task = {
  id: 't',
  language: 'python' as const,
  kind: 'function' as const,
  entryPoint: 'f',
  prompt: 'def f(x):\n',
};
const ut = (call: string, expected: string, over: Partial<PoolUt> = {}): PoolUt => ({
  test: { call, expected },
  input: call,
  valid: true,
  origin: 'attack',
  round: 0,
  attempts: 1,
  ...over,
});

function result(M: number[][], utPool: PoolUt[], over: Partial<CosplayResult> = {}): CosplayResult {
  const put = utPool.map((u, j) => (u.valid ? M.reduce((s, r) => s + r[j]!, 0) : 0));
  return {
    task,
    params: SMALL_PARAMS,
    selected: { index: 0, code: 'def f(x):\n    return x\n', pCode: 0 },
    selectedNoCluster: null,
    selectedTie: [0],
    bonTied: [0],
    clusters: [],
    stage3Inputs: [],
    stage3Outputs: [],
    baselines: { first: null, passCount: null, codet: null, mbr: null },
    baselinesFinal: { first: null, passCount: null, codet: null, mbr: null },
    codePool: M.map((_, i) => ({ code: `c${i}`, origin: 'plan', round: 0 })),
    utPool: utPool.map((u, j) => ({ ...u, pUT: put[j] })),
    executionMatrix: M,
    cells: [],
    initial: { codePool: [], utPool: [], executionMatrix: [] },
    rounds: [],
    archive: {
      codes: [],
      uts: [],
      cells: [],
      poolIds: [],
      utPoolIds: [],
      stage3Candidates: [],
      stage3Outputs: [],
    },
    alternatives: {},
    decisions: [],
    stopReason: 'converged',
    degraded: [],
    usage: { byStage: {} as never, byPurpose: {} },
    tokens: 100,
    requests: 10,
    cellsExecuted: 0,
    execMs: 0,
    wallMs: 5,
    criticalPathMs: 5,
    ...over,
  };
}

describe('reportFromResult', () => {
  // 4 codes; UT 1 is invalid (a zero column); UT 3 duplicates UT 0; UT 4 is trusted with low support; UT 5 has
  // support 3/4 but the pick (code 0) fails it; UT 2 has support 2/4 (not a majority).
  const M = [
    [1, 0, 1, 1, 1, 0],
    [1, 0, 1, 1, 0, 1],
    [1, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 0, 1],
  ];
  const pool = [
    ut('f(1)', '1'),
    ut('f(2)', '2', { valid: false }),
    ut('f(3)', '3'),
    ut(' f(1)', '1'),
    ut('f(4)', '4', { origin: 'trusted' }),
    ut('f(5)', '5'),
  ];

  it('drops invalid columns, keeps high-support tests the pick passes, names the ones it fails', () => {
    const r = reportFromResult(result(M, pool));
    expect(r.columns).toEqual([0, 2, 3, 4, 5]);
    expect(r.report.executionMatrix).toEqual([
      [1, 1, 1, 1, 0],
      [1, 1, 1, 0, 1],
      [1, 0, 1, 0, 1],
      [0, 0, 0, 0, 1],
    ]);
    expect(r.report.keptTests).toEqual([
      { test: { call: 'f(1)', expected: '1' }, pUT: 3, column: 0 },
      { test: { call: 'f(4)', expected: '4' }, pUT: 1, column: 3 },
    ]);
    expect(r.disagreements).toEqual([{ test: { call: 'f(5)', expected: '5' }, pUT: 3, column: 4 }]);
    expect(r.notes.join('\n')).toContain('1 test that most candidates pass is failed by the selected code');
    expect(r.report.selected).toEqual({ index: 0, code: 'def f(x):\n    return x\n', pCode: 4 });
    expect(r.report.verdict).toBe('selected');
    expect(passCountOutput(r.report)).toBe('4/5');
  });

  it('a spent budget with a pick: verdict budget-spent and a note naming the input to raise', () => {
    const llm = {
      usage: () =>
        ({
          total: { tokens: 777, requests: 12 },
          budget: { exhausted: 'requests' },
        }) as never,
    };
    const r = reportFromResult(
      result(M, pool, {
        stopReason: 'budget',
        degraded: ['budget spent (x): finished with the best pick so far'],
      }),
      { llm },
    );
    expect(r.report.verdict).toBe('budget-spent');
    expect(r.report.stopReason).toBe('budget: requests');
    expect(r.report.tokens).toBe(777);
    expect(r.report.requests).toBe(12);
    expect(r.budget).toBe('requests');
    expect(r.notes[0]).toMatch(/requests budget ran out .* best pick so far\. Raise `max-requests`/);
    expect(r.notes.join('\n')).not.toContain('Degraded: budget spent');
  });

  it("support over every code the run wrote, beside the pool's, when cleaning replaced codes", () => {
    // the archive: the 4 pool codes (archive 2-5) and 2 codes cleaning replaced (archive 0-1), plus a repair
    // rejected on trial (archive 6, never counted); the pool's UTs 0 and 4 are archive UTs 1 and 0. Code 0 ran
    // UT 1 (f(1)) and failed it, code 1 never met it; both ran and failed the trusted f(4).
    const pass = { verdict: 'pass' as const, output: '' };
    const fail = { verdict: 'fail' as const, output: '' };
    const archived = (fate: 'cleaned' | 'final' | 'rejected-repair') => ({
      code: 'c',
      origin: 'plan' as const,
      round: 0,
      fate,
    });
    const cells = [
      [fail, fail],
      [fail, null],
      [pass, pass],
      [fail, pass],
      [fail, pass],
      [fail, fail],
      [pass, pass],
    ];
    const r = reportFromResult(
      result(M, pool, {
        archive: {
          codes: [
            archived('cleaned'),
            archived('cleaned'),
            ...[0, 1, 2, 3].map(() => archived('final')),
            archived('rejected-repair'),
          ],
          uts: [],
          cells,
          poolIds: [2, 3, 4, 5],
          utPoolIds: [1, 9, 9, 9, 0, 9],
          stage3Candidates: [],
          stage3Outputs: [],
        },
      }),
    );
    expect(r.report.keptTests).toEqual([
      { test: { call: 'f(1)', expected: '1' }, pUT: 3, column: 0, archive: { pass: 3, ran: 5 } },
      { test: { call: 'f(4)', expected: '4' }, pUT: 1, column: 3, archive: { pass: 1, ran: 6 } },
    ]);
    // without codes beyond the pool there is nothing wider to say (a repair rejected on trial is not one)
    expect(reportFromResult(result(M, pool)).report.keptTests.every((k) => k.archive === undefined)).toBe(
      true,
    );
    const poolOnly = reportFromResult(
      result(M, pool, {
        archive: {
          codes: [...[0, 1, 2, 3].map(() => archived('final')), archived('rejected-repair')],
          uts: [],
          cells: cells.slice(2),
          poolIds: [0, 1, 2, 3],
          utPoolIds: [1, 9, 9, 9, 0, 9],
          stage3Candidates: [],
          stage3Outputs: [],
        },
      }),
    );
    expect(poolOnly.report.keptTests.every((k) => k.archive === undefined)).toBe(true);
  });

  it('no pick: verdict no-pick and nothing kept', () => {
    const r = reportFromResult(result(M, pool, { selected: null, stopReason: 'no-codes' }));
    expect(r.report.verdict).toBe('no-pick');
    expect(r.report.keptTests).toEqual([]);
    expect(passCountOutput(r.report)).toBe('0/5');
  });
});

describe('explainFailure', () => {
  it('says what happened and what to change', () => {
    const sandbox = explainFailure(
      new SandboxUnavailableError('bubblewrap (bwrap) is not installed', 'Install it.'),
    );
    expect(sandbox).toEqual({
      title: 'No working sandbox',
      what: 'Generated code runs only in a sandbox, and bubblewrap (bwrap) is not installed. Nothing was run.',
      fix: 'Install it.',
    });
    expect(failureMessage(explainFailure(new BudgetExceededError('tokens')))).toMatch(
      /^The budget ran out: .*Raise `max-tokens`/,
    );
  });
});

describe('the kept tests of a real run (the pipeline on the scripted world of test/cosplay/world.ts)', () => {
  // the off-by-one code passes two wrong UTs; the coupling break regenerates one and it is cleaned
  it("the pull request's kept tests carry their support over the archive, cleaned code included", async () => {
    // the paper's rule (the action's default for a live model): the archive is not completed, so each kept
    // test counts the codes that actually ran it: the pool's four and, where it met the test, the cleaned
    // off-by-one code
    const r = await runCosplay({
      task: TASK,
      llm: world(COUPLED),
      executor: executor(),
      params: { ...WORLD_PARAMS, bonRule: 'pass-count' },
    });
    const { report } = reportFromResult(r);
    expect(report.keptTests.length).toBeGreaterThan(0);
    for (const k of report.keptTests) {
      const j = r.utPool.findIndex((u) => u.test === k.test);
      const metOffByOne = r.archive.cells[0][r.archive.utPoolIds[j]] !== null;
      expect(k.archive).toEqual({
        pass: k.pUT + (r.archive.cells[0][r.archive.utPoolIds[j]]?.verdict === 'pass' ? 1 : 0),
        ran: r.codePool.length + (metOffByOne ? 1 : 0),
      });
    }
    // the off-by-one code met the stage-1 UTs: some kept test counts it
    expect(report.keptTests.some((k) => k.archive!.ran === r.codePool.length + 1)).toBe(true);
    const body = renderPullRequestBody(report, { issueNumber: 1 });
    expect(body).toContain('| # | Test | Support | Over all codes |');
  });
});
