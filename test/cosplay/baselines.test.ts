// Baselines on hand-written matrices: each with its deterministic pick and the full tied set.
import { describe, expect, test } from '@jest/globals';
import {
  codetGroups,
  computeBaselines,
  codetScores,
  mbrScores,
  passCountScores,
  firstScores,
} from '../../src/cosplay/baselines.js';
import { matrixOf } from '../../src/cosplay/matrix.js';
import type { CellResult } from '../../src/types.js';

const eq = (a: string, b: string) => a === b;
const out = (...xs: string[]): CellResult[] =>
  xs.map((x) => (x === 'E' ? { verdict: 'error', output: '' } : { verdict: 'pass', output: x }));

describe('CodeT dual execution agreement', () => {
  // c0 passes {0,1,2,3} alone: 1 x 4 = 4. c1, c2, c3 pass exactly {0,1}: 3 x 2 = 6. c4 passes {0}: 1 x 1.
  const m = matrixOf([
    [1, 1, 1, 1],
    [1, 1, 0, 0],
    [1, 1, 0, 0],
    [1, 1, 0, 0],
    [1, 0, 0, 0],
  ]);

  test('groups by the exact set of UTs passed, score = #codes x #UTs', () => {
    const g = codetGroups(m).map((x) => [x.members, x.passed, x.score]);
    expect(g).toEqual([
      [[0], [0, 1, 2, 3], 4],
      [[1, 2, 3], [0, 1], 6],
      [[4], [0], 1],
    ]);
  });

  test('picks from the top group (not the top pCode) and reports all its members as tied', () => {
    expect(codetScores(m).tied).toEqual([1, 2, 3]);
    expect(passCountScores(m).tied).toEqual([0]);
  });

  test('tied groups: the tied set is the union of their members', () => {
    const t = matrixOf([
      [1, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expect(codetScores(t).tied).toEqual([0, 1, 2]);
  });

  test('invalid UTs do not count in the consensus sets', () => {
    const t = matrixOf(
      [
        [1, 1],
        [1, 0],
      ],
      [true, false],
    );
    expect(codetGroups(t).map((g) => g.members)).toEqual([[0, 1]]);
  });
});

describe('pass-count and first sample', () => {
  const m = matrixOf([
    [0, 1, 0],
    [1, 1, 0],
    [1, 0, 1],
  ]);
  test('pass-count: all codes with maximal pCode', () => {
    expect(passCountScores(m).tied).toEqual([1, 2]);
  });
  test('first: every eligible code is tied (uniform average = pass@1)', () => {
    expect(firstScores(m).tied).toEqual([0, 1, 2]);
    expect(firstScores(m, [false, true, true]).tied).toEqual([1, 2]);
  });
});

describe('MBR-exec', () => {
  test('score = number of other codes with the same results on every input (both ERR agree)', () => {
    const cells = [
      out('1', '2', 'E'),
      out('1', '2', 'E'),
      out('1', '3', 'E'),
      out('1', '2', 'x'),
      out('1', '2', 'E'),
    ];
    const s = mbrScores(cells, eq);
    expect(s.scores).toEqual([2, 2, 0, 0, 2]);
    expect(s.tied).toEqual([0, 1, 4]);
  });

  test('a verdict of fail still has an output that is compared', () => {
    const cells: CellResult[][] = [
      [{ verdict: 'fail', output: '7' }],
      [{ verdict: 'pass', output: '7' }],
      [{ verdict: 'pass', output: '8' }],
    ];
    expect(mbrScores(cells, eq).tied).toEqual([0, 1]);
  });

  test('codes that never finish do not vote: a crowd crashing everywhere cannot win', () => {
    const cells = [out('E', 'E'), out('E', 'E'), out('E', 'E'), out('1', '2'), out('1', '2'), out('1', '3')];
    const s = mbrScores(cells, eq);
    expect(s.tied).toEqual([3, 4]);
    expect(s.scores.slice(3)).toEqual([1, 1, 0]);
    expect(s.scores.slice(0, 3).every((x) => Number.isNaN(x))).toBe(true);
    // when no code ever finishes, every code is tied
    expect(mbrScores([out('E'), out('E')], eq).tied).toEqual([0, 1]);
  });

  test('only columns executed for every code count (invalid UTs are null)', () => {
    const cells: (CellResult | null)[][] = [
      [{ verdict: 'pass', output: '1' }, null],
      [{ verdict: 'pass', output: '1' }, null],
      [{ verdict: 'pass', output: '2' }, null],
    ];
    expect(mbrScores(cells, eq).tied).toEqual([0, 1]);
  });
});

describe('computeBaselines', () => {
  test('each baseline carries the pick (lowest tied index), its score, the tied set and the tied codes', () => {
    const m = matrixOf([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
    const cells = [
      out('a', 'b', 'c', 'd'),
      out('a', 'b', 'x', 'y'),
      out('a', 'b', 'x', 'y'),
      out('a', 'b', 'x', 'z'),
    ];
    const b = computeBaselines({ matrix: m, cells, codes: ['c0', 'c1', 'c2', 'c3'], agree: eq });
    expect(b.first).toMatchObject({ index: 0, code: 'c0', tied: [0, 1, 2, 3] });
    expect(b.passCount).toMatchObject({ index: 0, code: 'c0', score: 4, tied: [0] });
    expect(b.codet).toMatchObject({
      index: 1,
      code: 'c1',
      score: 6,
      tied: [1, 2, 3],
      tiedCodes: ['c1', 'c2', 'c3'],
    });
    expect(b.mbr).toMatchObject({ index: 1, code: 'c1', score: 1, tied: [1, 2] });
  });

  test('eligibility (trusted tests) restricts every baseline; nothing eligible -> null picks', () => {
    const m = matrixOf([
      [1, 1],
      [1, 0],
    ]);
    const cells = [out('a', 'b'), out('a', 'c')];
    const b = computeBaselines({ matrix: m, cells, codes: ['x', 'y'], agree: eq, eligible: [false, true] });
    expect(b.first?.index).toBe(1);
    expect(b.passCount?.index).toBe(1);
    expect(b.codet?.index).toBe(1);
    expect(b.mbr?.tied).toEqual([1]);
    const none = computeBaselines({
      matrix: m,
      cells,
      codes: ['x', 'y'],
      agree: eq,
      eligible: [false, false],
    });
    expect(none).toEqual({ first: null, passCount: null, codet: null, mbr: null });
  });
});
