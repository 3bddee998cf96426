import { describe, expect, it } from '@jest/globals';
import {
  clusterTied,
  codetTied,
  mbrExecTied,
  passCountTied,
  pCodes,
  rowsAgree,
  type OutputRow,
} from '../../src/bench/selectors.js';

const M = (rows: string[]) => rows.map((r) => [...r].map((c) => c === '1'));

describe('passCountTied', () => {
  it('returns every code with maximal pCode', () => {
    expect(passCountTied(M(['110', '011', '001', '111', '111']))).toEqual([3, 4]);
    expect(pCodes(M(['110', '000']))).toEqual([2, 0]);
  });
  it('ties every code when there are no UTs', () => {
    expect(passCountTied([[], [], []])).toEqual([0, 1, 2]);
  });
});

describe('codetTied', () => {
  it('scores groups by size x passed UTs, not single codes by pass count', () => {
    // code 0 passes 3 UTs alone (score 3); codes 1..3 pass the same 2 UTs (score 3 x 2 = 6).
    expect(codetTied(M(['1110', '0011', '0011', '0011', '1000']))).toEqual([1, 2, 3]);
  });
  it('keeps the union of tied groups', () => {
    // {0,1} pass 2 UTs -> 4; {2,3} pass 2 other UTs -> 4; {4} passes 3 -> 3.
    expect(codetTied(M(['1100', '1100', '0011', '0011', '1110']))).toEqual([0, 1, 2, 3]);
  });
  it('falls back to every code when nothing passes anything', () => {
    expect(codetTied(M(['00', '00', '00']))).toEqual([0, 1, 2]);
  });
});

describe('mbrExecTied', () => {
  it('picks the largest class of identical output vectors, ERR equal to ERR', () => {
    const rows: OutputRow[] = [
      ['1', '2'],
      ['1', null],
      ['1', null],
      ['1', '2'],
      ['1', null],
      [null, null],
      [null, null],
      [null, null],
      [null, null],
    ];
    // all-ERR codes (5..8) are excluded even though they form the largest class
    expect(mbrExecTied(rows)).toEqual([1, 2, 4]);
  });
  it('ties everything when every code fails everywhere or there are no inputs', () => {
    expect(mbrExecTied([[null], [null]])).toEqual([0, 1]);
    expect(mbrExecTied([[], []])).toEqual([0, 1]);
  });
  it('uses the given comparison', () => {
    const rows: OutputRow[] = [['1.0'], ['1'], ['2'], ['3']];
    expect(mbrExecTied(rows, (a, b) => Number(a) === Number(b))).toEqual([0, 1]);
    expect(rowsAgree(['a', null], ['a', 'b'])).toBe(false);
  });
});

describe('clusterTied', () => {
  it('picks the cluster with most pairwise agreements and its most agreeing members', () => {
    const outputs: OutputRow[] = [
      ['1', '2', '3'], // 0
      ['9', '9', '9'], // 1
      ['1', '2', null], // 2: compatible with 0 (ERR is a wildcard)
      ['1', '2', '3'], // 3
      ['9', '9', '8'], // 4: incompatible with 1
    ];
    const pc = [2, 2, 2, 2, 2];
    // cluster {0,2,3}: agreements 0-2:2, 0-3:3, 2-3:2 = 7; {1}: 0; {4}: 0.
    // inside: 0 -> 5, 2 -> 4, 3 -> 5: tie between 0 and 3 (same ERR count 0, same pCode).
    expect(clusterTied([0, 1, 2, 3, 4], outputs, pc)).toEqual([0, 3]);
  });
  it('breaks cluster ties by pCode sum', () => {
    const outputs: OutputRow[] = [['1'], ['2']];
    expect(clusterTied([0, 1], outputs, [1, 3])).toEqual([1]);
    expect(clusterTied([0, 1], outputs, [3, 3])).toEqual([0, 1]);
  });
  it('prefers fewer ERR inside a cluster', () => {
    const outputs: OutputRow[] = [
      ['1', null],
      ['1', '2'],
    ];
    expect(clusterTied([0, 1], outputs, [0, 0])).toEqual([1]);
  });
  it('returns a lone tied code as is', () => {
    expect(clusterTied([4], [], [])).toEqual([4]);
  });
});
