// Stage 3: ERR from verdicts, greedy clustering with ERR wildcards, cluster choice and code choice tie-breaks.
import { describe, expect, test } from '@jest/globals';
import { isErr, selectByCluster } from '../../src/cosplay/stage3.js';
import type { CellResult } from '../../src/types.js';

const eq = (a: string, b: string) => a === b;
/** A row of outputs; 'E' is a failed run (error verdict). */
const row = (...xs: string[]): CellResult[] =>
  xs.map((x) =>
    x === 'E' ? { verdict: 'error', output: '', error: 'Traceback' } : { verdict: 'pass', output: x },
  );

describe('ERR comes from the verdict, never from the output text', () => {
  test('a finished run that prints "error" is not ERR; error, timeout, memory and output_limit are', () => {
    expect(isErr({ verdict: 'pass', output: 'Error: negative input is an exception' })).toBe(false);
    expect(isErr({ verdict: 'fail', output: 'Traceback' })).toBe(false);
    for (const v of ['error', 'timeout', 'memory', 'output_limit'] as const)
      expect(isErr({ verdict: v, output: '' })).toBe(true);
    expect(isErr(null)).toBe(true);
  });

  test('two codes printing "error" on the same input agree (the reference would wildcard both)', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('1', 'error'), row('2', 'x'), row('1', 'error')],
      pCode: [3, 3, 3],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[0, 2], [1]]);
    expect(s.clusters[0].agreements).toBe(2);
    expect(s.index).toBe(0);
  });
});

describe('greedy clustering in index order with ERR wildcards', () => {
  test('ERR positions are wildcards when joining a cluster', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('1', 'E', '3'), row('1', '2', '3'), row('1', '2', '4')],
      pCode: [2, 2, 2],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[0, 1], [2]]);
  });

  test('a code compatible with two clusters joins the FIRST one', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('1', '5'), row('2', '5'), row('E', '5')],
      pCode: [1, 1, 1],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[0, 2], [1]]);
  });

  test('a code must agree with EVERY member of the cluster', () => {
    // 1 agrees with 0 (0 has ERR where they would differ) but not with 2 ... 0 and 2 agree.
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('a', 'E'), row('a', 'y'), row('a', 'z')],
      pCode: [1, 1, 1],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[0, 1], [2]]);
  });

  test('candidates are clustered in index order whatever order they are given in', () => {
    const s = selectByCluster({
      candidates: [5, 2],
      outputs: [row('x', 'E'), row('x', 'y')],
      pCode: [0, 0, 4, 0, 0, 4],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[2, 5]]);
  });

  test('uses the comparison it is given (e.g. outputsAgree with a tolerance)', () => {
    const near = (a: string, b: string) => Math.abs(Number(a) - Number(b)) < 1e-6;
    const s = selectByCluster({
      candidates: [0, 1],
      outputs: [row('0.3'), row('0.30000000000000004')],
      pCode: [1, 1],
      agree: near,
    });
    expect(s.clusters).toHaveLength(1);
  });
});

describe('cluster choice', () => {
  test('most pairwise agreements wins, not the largest cluster', () => {
    // Cluster {0,1}: 4 agreeing positions = 4. Cluster {2,3,4}: each pair agrees on 1 position = 3.
    const s = selectByCluster({
      candidates: [0, 1, 2, 3, 4],
      outputs: [
        row('a', 'b', 'c', 'd'),
        row('a', 'b', 'c', 'd'),
        row('x', 'E', 'E', 'E'),
        row('x', 'E', 'E', 'E'),
        row('x', 'E', 'E', 'E'),
      ],
      pCode: [3, 3, 3, 3, 3],
      agree: eq,
    });
    expect(s.clusters.map((c) => [c.members, c.agreements])).toEqual([
      [[0, 1], 4],
      [[2, 3, 4], 3],
    ]);
    expect(s.index).toBe(0);
  });

  test('tie on agreements: larger sum of pCode wins', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2, 3],
      outputs: [row('a', 'b'), row('a', 'b'), row('c', 'd'), row('c', 'd')],
      pCode: [2, 3, 3, 3],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.pCodeSum)).toEqual([5, 6]);
    expect(s.index).toBe(2);
  });

  test('tie on agreements and pCode sum: lowest index wins', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2, 3],
      outputs: [row('c', 'd'), row('a', 'b'), row('a', 'b'), row('c', 'd')],
      pCode: [3, 3, 3, 3],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([
      [0, 3],
      [1, 2],
    ]);
    expect(s.chosen).toBe(0);
    expect(s.index).toBe(0);
  });
});

describe('code choice within the cluster', () => {
  test('most agreements with the other members wins', () => {
    // All compatible; 2 has no ERR, 0 and 1 each have one ERR -> 2 agrees most.
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('a', 'E', 'c'), row('E', 'b', 'c'), row('a', 'b', 'c')],
      pCode: [5, 5, 5],
      agree: eq,
    });
    expect(s.clusters).toHaveLength(1);
    expect(s.memberAgreements).toEqual([3, 3, 4]);
    expect(s.index).toBe(2);
  });

  test('agreements come before ERR count', () => {
    // 2 has the fewest ERR but agrees with nobody (no position it ran is one the others ran).
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [
        row('a', 'b', 'E', 'E', 'E', 'E'),
        row('a', 'b', 'E', 'E', 'E', 'E'),
        row('E', 'E', 'c', 'd', 'e', 'f'),
      ],
      pCode: [1, 1, 9],
      agree: eq,
    });
    expect(s.clusters).toHaveLength(1);
    expect(s.memberAgreements).toEqual([2, 2, 0]);
    expect(s.errs).toEqual([4, 4, 2]);
    expect(s.index).toBe(0);
  });

  test('tie on agreements: fewest ERR wins', () => {
    // 0 and 2 agree with the others the same number of times, 0 has an extra ERR on a position nobody else ran.
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('a', 'b', 'E'), row('a', 'b', 'E'), row('a', 'b', 'x')],
      pCode: [5, 5, 5],
      agree: eq,
    });
    expect(s.memberAgreements).toEqual([4, 4, 4]);
    expect(s.errs).toEqual([1, 1, 0]);
    expect(s.index).toBe(2);
  });

  test('tie on agreements and ERR: highest pCode wins', () => {
    const s = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('a'), row('a'), row('a')],
      pCode: [4, 6, 5],
      agree: eq,
    });
    expect(s.index).toBe(1);
  });

  test('full tie: lowest index wins', () => {
    const s = selectByCluster({
      candidates: [3, 1, 2],
      outputs: [row('a'), row('a'), row('a')],
      pCode: [0, 5, 5, 5],
      agree: eq,
    });
    expect(s.index).toBe(1);
  });

  test('no inputs: one cluster, the first code (the pick without clustering)', () => {
    const s = selectByCluster({ candidates: [4, 7], outputs: [[], []], pCode: [], agree: eq });
    expect(s.index).toBe(4);
    expect(selectByCluster({ candidates: [], outputs: [], pCode: [], agree: eq }).index).toBeNull();
  });
});

describe('the codes stage 3 cannot tell from its pick (ClusterSelection.tied)', () => {
  test('members equal on every criterion of every cluster tied on (agreements, pCode sum)', () => {
    // Clusters {0, 2} and {1, 3}: one agreement each, pCode sum 4 each; within each both members are equal.
    // Cluster {4} has no agreement. The pick is the lowest index of the four.
    const s = selectByCluster({
      candidates: [0, 1, 2, 3, 4],
      outputs: [row('a', 'E'), row('b', 'E'), row('a', 'E'), row('b', 'E'), row('c', 'E')],
      pCode: [2, 2, 2, 2, 2],
      agree: eq,
    });
    expect(s.clusters.map((c) => c.members)).toEqual([[0, 2], [1, 3], [4]]);
    expect(s.index).toBe(0);
    expect(s.tied).toEqual([0, 1, 2, 3]);
  });

  test('a higher pCode sum, fewer ERR or a higher pCode inside the cluster breaks the tie', () => {
    const bySum = selectByCluster({
      candidates: [0, 1, 2, 3],
      outputs: [row('a'), row('b'), row('a'), row('b')],
      pCode: [1, 2, 1, 2],
      agree: eq,
    });
    expect(bySum.index).toBe(1);
    expect(bySum.tied).toEqual([1, 3]);
    const byErr = selectByCluster({
      candidates: [5, 6, 7],
      outputs: [row('a', 'E'), row('a', 'x'), row('a', 'E')],
      pCode: [0, 0, 0, 0, 0, 3, 3, 3],
      agree: eq,
    });
    // 5 and 7 agree with both others once (position 0); 6 agrees twice (5 and 7) and has no ERR.
    expect(byErr.index).toBe(6);
    expect(byErr.tied).toEqual([6]);
    const byPCode = selectByCluster({
      candidates: [0, 1, 2],
      outputs: [row('a'), row('a'), row('a')],
      pCode: [1, 3, 3],
      agree: eq,
    });
    expect(byPCode.index).toBe(1);
    expect(byPCode.tied).toEqual([1, 2]);
  });

  test('no candidate: no pick, empty tie', () => {
    const s = selectByCluster({ candidates: [], outputs: [], pCode: [], agree: eq });
    expect(s.index).toBeNull();
    expect(s.tied).toEqual([]);
  });
});
