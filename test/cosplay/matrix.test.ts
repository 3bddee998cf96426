import { describe, expect, test } from '@jest/globals';
import {
  allOnes,
  bonTies,
  buildMatrix,
  isTrivial,
  matrixOf,
  nonTrivialColumns,
  pCode,
  pUT,
  MATRIX_LEGEND,
  renderMatrix,
  validColumns,
} from '../../src/cosplay/matrix.js';
import { cell } from '../support/fake-executor.js';

describe('execution matrix signals', () => {
  // 3 codes x 4 UTs; UT 2 is invalid (its raw entries must count nowhere).
  const m = matrixOf(
    [
      [1, 0, 1, 1],
      [1, 1, 1, 0],
      [1, 0, 1, 0],
    ],
    [true, true, false, true],
  );

  test('pCode is the row sum over valid UTs only', () => {
    expect(pCode(m)).toEqual([2, 2, 1]);
  });

  test('pUT is the column sum; an invalid UT has pUT 0', () => {
    expect(pUT(m)).toEqual([3, 1, 0, 1]);
  });

  test('trivial UTs: pUT = 0 or pUT = |C|; invalid UTs are neither trivial nor non-trivial', () => {
    expect(isTrivial(m, 0)).toBe(true);
    expect(isTrivial(m, 1)).toBe(false);
    expect(isTrivial(m, 2)).toBe(false);
    expect(nonTrivialColumns(m)).toEqual([1, 3]);
    const z = matrixOf([[0], [0]]);
    expect(isTrivial(z, 0)).toBe(true);
    expect(validColumns(m)).toEqual([0, 1, 3]);
  });

  test('BoN ties: every code with maximal pCode, in index order; eligibility restricts', () => {
    expect(bonTies(m)).toEqual([0, 1]);
    expect(bonTies(m, [false, true, true])).toEqual([1]);
    expect(bonTies(m, [false, false, true])).toEqual([2]);
    expect(bonTies(m, [false, false, false])).toEqual([]);
  });

  test('all ones needs a valid UT and every code passing every valid UT', () => {
    expect(allOnes(m)).toBe(false);
    expect(
      allOnes(
        matrixOf(
          [
            [1, 0],
            [1, 1],
          ],
          [true, false],
        ),
      ),
    ).toBe(true);
    expect(allOnes(matrixOf([[0], [0]], [false]))).toBe(false);
    expect(allOnes(matrixOf([]))).toBe(false);
  });

  test('buildMatrix: only a pass on a valid UT is a 1 (fail, error, timeout and missing cells are 0)', () => {
    const b = buildMatrix(
      [
        [cell('pass'), cell('fail'), cell('pass'), cell('timeout')],
        [cell('error'), null, cell('pass'), cell('pass')],
      ],
      [true, true, false, true],
    );
    expect(b.M).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 1],
    ]);
  });

  test('renderMatrix shows 1 / . per cell, blanks invalid UTs and prints pCode', () => {
    const text = renderMatrix(m);
    expect(text.split('\n')[1]).toBe('code 0 1. 1  2');
    expect(text.split('\n')[3]).toBe('code 2 1. .  1');
  });

  test('renderMatrix writes a two-digit pUT downwards, never as a letter', () => {
    // 12 codes: the first test passed by all 12, the second by 11, the third by 3
    const M = Array.from({ length: 12 }, (_, i) => [1, i < 11 ? 1 : 0, i < 3 ? 1 : 0]);
    const lines = renderMatrix(matrixOf(M, [true, true, true])).split('\n');
    expect(lines.slice(-2)).toEqual(['pUT     11', '        213']);
    expect(lines.join('\n')).not.toMatch(/pUT[ ]+[ab]/);
    expect(MATRIX_LEGEND).toMatch(/1 = the code passes the test, \. = it fails/);
  });
});
