// The stage-2 rules on hand-written matrices, tie-breaks included. Each test is built so that swapping
// lowest/highest, dropping a skip condition or changing a tie-break makes it fail.
import { describe, expect, test } from '@jest/globals';
import { matrixOf, pUT } from '../../src/cosplay/matrix.js';
import {
  highSupport,
  repairKeeps,
  selectAllPassReplacement,
  selectCleaning,
  selectCouplingBreak,
  selectFixTarget,
  selectUtReplacement,
} from '../../src/cosplay/stage2.js';

describe('code cleaning', () => {
  test('selects every code with pCode = 0, in index order', () => {
    const m = matrixOf([
      [0, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 1],
    ]);
    expect(selectCleaning(m)).toEqual([0, 2]);
  });

  test('a pass on an invalid UT does not save a code', () => {
    const m = matrixOf(
      [
        [0, 1],
        [1, 0],
      ],
      [true, false],
    );
    expect(selectCleaning(m)).toEqual([0]);
  });

  test('nothing when M has no valid UT (pCode carries no signal)', () => {
    expect(selectCleaning(matrixOf([[0], [0]], [false]))).toEqual([]);
  });
});

describe('break spurious coupling', () => {
  // |C| = 4; pUT per UT: [4 trivial, 3, 1, 2, 1, 0 trivial]
  const m = matrixOf([
    [1, 1, 0, 1, 0, 0],
    [1, 1, 1, 0, 0, 0],
    [1, 1, 0, 1, 1, 0],
    [1, 0, 0, 0, 0, 0],
  ]);

  test('takes the valid non-trivial UT with the LOWEST pUT, lowest index on ties', () => {
    expect(pUT(m)).toEqual([4, 3, 1, 2, 1, 0]);
    expect(selectCouplingBreak(m)).toBe(2);
  });

  test('trivial UTs (pUT 0 or |C|) are never taken', () => {
    const t = matrixOf([
      [1, 0, 1],
      [1, 0, 0],
    ]);
    expect(selectCouplingBreak(t)).toBe(2);
    expect(
      selectCouplingBreak(
        matrixOf([
          [1, 0],
          [1, 0],
        ]),
      ),
    ).toBeNull();
  });

  test('invalid UTs are never taken', () => {
    const v = matrixOf(
      [
        [1, 1, 1],
        [0, 0, 1],
        [0, 1, 1],
      ],
      [false, true, true],
    );
    expect(selectCouplingBreak(v)).toBe(1);
  });

  test('trusted UTs are never taken', () => {
    expect(selectCouplingBreak(m, [false, false, true, false, false, false])).toBe(4);
  });
});

describe('code fixing', () => {
  test('targets the valid UT with the HIGHEST pUT below |C| (lowest index on ties) and lists the failing codes', () => {
    // |C| = 4; pUT: [4 (all pass: not a target), 1, 3, 3, 0]
    const m = matrixOf([
      [1, 0, 1, 1, 0],
      [1, 0, 0, 1, 0],
      [1, 1, 1, 0, 0],
      [1, 0, 1, 1, 0],
    ]);
    expect(selectFixTarget(m)).toEqual({ ut: 2, failing: [1] });
  });

  test('skips when the highest pUT below |C| is 0', () => {
    const m = matrixOf([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(selectFixTarget(m)).toBeNull();
  });

  test('skips when every code passes every valid UT', () => {
    expect(
      selectFixTarget(
        matrixOf(
          [
            [1, 1, 0],
            [1, 1, 1],
          ],
          [true, true, false],
        ),
      ),
    ).toBeNull();
  });

  test('invalid UTs are not targets', () => {
    const m = matrixOf(
      [
        [1, 1, 0],
        [0, 1, 0],
        [1, 0, 1],
      ],
      [false, true, true],
    );
    expect(selectFixTarget(m)).toEqual({ ut: 1, failing: [2] });
  });

  test('repair mode: while no code passes every trusted test, the trusted test with the highest pUT < |C| is the target, even at pUT 0', () => {
    const m = matrixOf([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(selectFixTarget(m, [false, false, true])).toEqual({ ut: 2, failing: [0, 1] });
    // Once a code passes every trusted test, the ordinary rule applies again.
    const ok = matrixOf([
      [1, 0, 1],
      [0, 0, 0],
    ]);
    expect(selectFixTarget(ok, [false, false, true])).toEqual({ ut: 0, failing: [1] });
  });
});

describe('UT replacement', () => {
  test('first part: invalid UTs and UTs with pUT = 0, ascending, never trusted ones', () => {
    const m = matrixOf(
      [
        [1, 0, 1, 0, 0],
        [1, 0, 0, 0, 1],
      ],
      [true, true, false, true, true],
    );
    expect(selectUtReplacement(m)).toEqual([1, 2, 3]);
    expect(selectUtReplacement(m, [false, true, false, false, false])).toEqual([2, 3]);
  });

  test('second part: all-pass UTs are regenerated ...', () => {
    const m = matrixOf([
      [1, 1, 1, 1],
      [1, 0, 1, 1],
    ]);
    expect(selectAllPassReplacement(m)).toEqual([0, 2, 3]);
    expect(selectAllPassReplacement(m, [true, false, false, false])).toEqual([2, 3]);
  });

  test('... unless every valid UT is all-pass', () => {
    const m = matrixOf(
      [
        [1, 1, 0],
        [1, 1, 1],
      ],
      [true, true, false],
    );
    expect(selectAllPassReplacement(m)).toEqual([]);
  });
});

describe('repair guard (ours)', () => {
  // |C| = 5. pUT: [5, 3, 2, 3]: high support = strict majority (> 2.5) = UTs 0, 1, 3.
  const m = matrixOf([
    [1, 1, 0, 1],
    [1, 1, 1, 0],
    [1, 1, 0, 1],
    [1, 0, 1, 0],
    [1, 0, 0, 1],
  ]);

  test('high support: trusted or passed by a strict majority', () => {
    expect(highSupport(m)).toEqual([true, true, false, true]);
    expect(highSupport(m, [false, false, true, false])).toEqual([true, true, true, true]);
    expect(highSupport(matrixOf([[1], [0]]))).toEqual([false]);
  });

  test('a repair is kept unless it loses a high-support UT the old code passed', () => {
    const high = highSupport(m);
    expect(repairKeeps([1, 1, 1, 0], [1, 1, 0, 1], high)).toEqual({ keep: true, lost: [] });
    expect(repairKeeps([1, 1, 1, 0], [1, 0, 1, 1], high)).toEqual({ keep: false, lost: [1] });
    expect(repairKeeps([1, 0, 0, 1], [0, 1, 1, 0], high)).toEqual({ keep: false, lost: [0, 3] });
    // A high-support UT the old code already failed is not "lost".
    expect(repairKeeps([1, 0, 1, 0], [1, 0, 0, 1], high)).toEqual({ keep: true, lost: [] });
  });
});
