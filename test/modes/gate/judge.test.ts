// The gate's judgement on hand-written matrices: support counted among independent candidates only, the
// threshold, weak disagreements, the fresh-input cluster check (ERR is a wildcard), and the inconclusive cases.
import { describe, expect, it } from '@jest/globals';
import { judgeGate, needed, type GateJudgementInput } from '../../../src/modes/gate/judge.js';
import { renderGateComment } from '../../../src/modes/gate/render.js';
import type { CellResult } from '../../../src/types.js';
import type { PoolCode, PoolUt } from '../../../src/cosplay/index.js';

const int = (n: number): CellResult => ({ verdict: 'pass', output: JSON.stringify(['i', String(n)]) });
const fail = (n: number): CellResult => ({ verdict: 'fail', output: JSON.stringify(['i', String(n)]) });
const err = (e: string): CellResult => ({ verdict: 'error', output: '', error: e });
const agree = (a: string, b: string) => a === b;

function code(origin: PoolCode['origin'], seed?: number): PoolCode {
  return { code: '', origin, round: 0, ...(seed !== undefined ? { seed } : {}) };
}
function ut(call: string, expected: string, valid = true): PoolUt {
  return { test: { call, expected }, input: call, valid, origin: 'random', round: 0, attempts: 1 };
}

/** Rows: 4 generated codes then the seed (row 4); M given per row. */
function input(
  M: number[][],
  seedOnUts: Array<CellResult | null>,
  extra: Partial<GateJudgementInput> = {},
): GateJudgementInput {
  return {
    task: { language: 'python' },
    result: {
      codePool: [code('plan'), code('plan'), code('plain'), code('cleaned'), code('seed', 0)],
      utPool: M[0]!.map((_, j) => ut(`f(${j})`, String(j))),
      executionMatrix: M,
      cells: [],
      clusters: [],
      selected: null,
    },
    seedOnUts,
    minSupport: 0.75,
    agree,
    ...extra,
  };
}

/** Four independent codes pass UT 0 (the seed, row 4, fails it): a disagreement that blocks at 75 %. */
const BLOCKING = [
  [1, 1],
  [1, 1],
  [1, 0],
  [1, 1],
  [0, 1],
];

describe('judgeGate', () => {
  it('blocks on a UT that at least minSupport of the independent candidates pass, and lists the counterexample', () => {
    const M = BLOCKING;
    const j = judgeGate(input(M, [fail(7), int(1)]));
    expect(j.status).toBe('disagrees');
    expect(j.counterexamples).toEqual([
      { kind: 'ut', input: 'f(0)', prOutput: '7', consensus: '0', support: 4, of: 4, blocking: true },
    ]);
    expect(j.independent).toBe(4);
    expect(j.utsPassed).toBe(1);
  });

  it('reports a disagreement below the threshold as weak, not blocking', () => {
    const M = [
      [1, 1],
      [1, 1],
      [0, 1],
      [0, 1],
      [0, 1],
    ];
    const j = judgeGate(input(M, [fail(7), int(1)]));
    expect(j.status).toBe('weak');
    expect(j.counterexamples[0]).toMatchObject({ support: 2, of: 4, blocking: false });
    // The same matrix blocks with a lower threshold.
    expect(judgeGate(input(M, [fail(7), int(1)], { minSupport: 0.5 })).status).toBe('disagrees');
  });

  it('never counts the seed or a code derived from it (code fixing of the seed) as support', () => {
    const M = [
      [1, 1],
      [1, 1],
      [0, 1],
      [1, 1],
      [1, 1],
    ];
    const base = input(M, [fail(7), int(1)]);
    // Row 3 is a fixed version of the seed: only rows 0-2 are independent (2 of 3 pass: below 75%).
    base.result.codePool[3] = code('fixed', 0);
    const j = judgeGate(base);
    expect(j.independent).toBe(3);
    expect(j.status).toBe('weak');
    expect(j.counterexamples[0]).toMatchObject({ support: 2, of: 3 });
  });

  it("reports a UT's support over every independent code the run wrote, without changing what blocks", () => {
    const M = BLOCKING;
    const pass = int(0);
    const no = fail(9);
    const base = input(M, [fail(7), int(1)]);
    // the archive: two independent codes cleaning replaced (both failed UT 0), the pool's four, the seed and
    // a repair of the seed (never counted); pool UT 0 is archive UT 1
    const archived = (origin: PoolCode['origin'], fate = 'final', seed?: number) => ({
      code: '',
      origin,
      round: 0,
      fate: fate as 'final',
      ...(seed !== undefined ? { seed } : {}),
    });
    base.result.archive = {
      codes: [
        archived('plain', 'cleaned'),
        archived('plain', 'cleaned'),
        archived('plan'),
        archived('plan'),
        archived('plain'),
        archived('cleaned'),
        archived('seed', 'final', 0),
        archived('fixed', 'final', 0),
      ],
      uts: [],
      cells: [
        [null, no],
        [null, no],
        [pass, pass],
        [pass, pass],
        [no, pass],
        [pass, pass],
        [pass, no],
        [pass, pass],
      ],
      poolIds: [2, 3, 4, 5, 6],
      utPoolIds: [1, 0],
      stage3Candidates: [],
      stage3Outputs: [],
    };
    const j = judgeGate(base);
    expect(j.status).toBe('disagrees');
    expect(j.counterexamples).toEqual([
      {
        kind: 'ut',
        input: 'f(0)',
        prOutput: '7',
        consensus: '0',
        support: 4,
        of: 4,
        blocking: true,
        archive: { pass: 4, ran: 6 },
      },
    ]);
    // an archive holding nothing but the pool's codes and a rejected repair has nothing wider to say
    const narrow = input(M, [fail(7), int(1)]);
    narrow.result.archive = {
      ...base.result.archive,
      codes: [...base.result.archive.codes.slice(2, 6), archived('plain', 'rejected-repair')],
      cells: base.result.archive.cells.slice(2, 7),
    };
    expect(judgeGate(narrow).counterexamples[0]!.archive).toBeUndefined();
    const comment = renderGateComment({
      pullNumber: 1,
      headSha: 'abc',
      isFork: false,
      minSupport: 0.75,
      functions: [
        {
          path: 'm.py',
          name: 'f',
          startLine: 1,
          endLine: 2,
          change: 'modified',
          specSource: 'doc',
          judgement: j,
        },
      ],
      skipped: [],
      notes: [],
      tokens: 0,
      requests: 0,
      wallMs: 0,
    });
    expect(comment).toContain('| 4/4 pass this test; 4/6 of every candidate the run wrote |');
  });

  it('ignores invalid UTs and UTs nobody passes', () => {
    const M = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const base = input(M, [fail(7), null]);
    base.result.utPool[1]!.valid = false;
    const j = judgeGate(base);
    expect(j.counterexamples).toEqual([]);
    expect(j.validUts).toBe(1);
    expect(j.status).toBe('inconclusive'); // no test reached the required support
  });

  it('is inconclusive when the seed cannot be run in the sandbox', () => {
    const M = [[1], [1], [1], [1], [0]];
    const j = judgeGate(input(M, [err("ModuleNotFoundError: No module named 'mypkg'")]));
    expect(j.status).toBe('inconclusive');
    expect(j.reason).toMatch(/could not be run in the sandbox/);
    // A real error of the PR's code (not an import) is a disagreement.
    const k = judgeGate(input(M, [err("Traceback...\nNameError: name 'lo' is not defined")]));
    expect(k.status).toBe('disagrees');
    expect(k.counterexamples[0]!.prOutput).toBe("raises NameError: name 'lo' is not defined");
  });

  it('is inconclusive without independent candidates', () => {
    const base = input([[1]], [int(0)]);
    base.result.codePool = [code('seed', 0)];
    expect(judgeGate(base).status).toBe('inconclusive');
  });

  it('compares fresh outputs with the winning cluster; an error of the PR is a wildcard', () => {
    const M = [[1], [1], [1], [1], [1]];
    const fresh = {
      inputs: ['f(10)', 'f(11)', 'f(12)'],
      seed: [int(10), int(99), err('ValueError: bad input')],
      reference: [0, 1, 2].map((index) => ({ index, cells: [int(10), int(11), int(12)] })),
    };
    const j = judgeGate(input(M, [int(0)], { fresh }));
    expect(j.status).toBe('disagrees');
    expect(j.counterexamples).toEqual([
      { kind: 'fresh', input: 'f(11)', prOutput: '99', consensus: '11', support: 3, of: 4, blocking: true },
    ]);
    expect(j.freshErrors).toBe(1);
    expect(j.clusterSize).toBe(3);
    // A cluster of 2 of 4 does not block.
    const small = { ...fresh, reference: fresh.reference.slice(0, 2) };
    expect(judgeGate(input(M, [int(0)], { fresh: small })).status).toBe('weak');
  });

  it('agrees when the PR passes every strong UT and matches the cluster', () => {
    const M = [[1], [1], [1], [1], [1]];
    const fresh = {
      inputs: ['f(10)'],
      seed: [int(10)],
      reference: [0, 1, 2, 3].map((index) => ({ index, cells: [int(10)] })),
    };
    const j = judgeGate(input(M, [int(0)], { fresh }));
    expect(j.status).toBe('agrees');
    expect(j.reason).toMatch(
      /passes 1 of 1 self-generated unit tests and agrees with the winning output cluster \(4 of 4/,
    );
  });

  it('needed() rounds the threshold up', () => {
    expect(needed(0.75, 4)).toBe(3);
    expect(needed(0.75, 6)).toBe(5);
    expect(needed(0.5, 6)).toBe(3);
    expect(needed(0, 6)).toBe(1);
    expect(needed(1, 6)).toBe(6);
  });
});
