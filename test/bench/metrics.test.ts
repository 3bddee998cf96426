import { describe, expect, it } from '@jest/globals';
import {
  addTask,
  emptySums,
  expectedAccuracy,
  mergeSums,
  scoreTask,
  summarize,
  type TaskOutcome,
} from '../../src/bench/metrics.js';

const T = true;
const F = false;

const tasks: TaskOutcome[] = [
  {
    id: 'a',
    poolCorrect: [T, F, F, F],
    ties: { first: [T, F, F, F], passCount: [T, F], codet: [T], cosplay: [T] },
    utBefore: { valid: 4, correct: 1 },
    utAfter: { valid: 2, correct: 2 },
    tokens: 100,
    requests: 10,
    wallMs: 5,
  },
  {
    id: 'b',
    poolCorrect: [F, F],
    ties: { first: [F, F], passCount: [F], codet: [F, F], cosplay: [F] },
    // no correct code: UT quality is not counted
    utBefore: { valid: 3, correct: 0 },
    utAfter: { valid: 3, correct: 0 },
    tokens: 50,
    requests: 4,
  },
  {
    id: 'c',
    poolCorrect: [T, T, F],
    ties: { first: [T, T, F], passCount: [T, T, F], codet: [T, T], cosplay: [F] },
    utBefore: { valid: 1, correct: 0 },
    utAfter: { valid: 0, correct: 0 },
    tokens: 30,
    requests: 1,
  },
];

describe('expectedAccuracy', () => {
  it('is the fraction of correct codes in the tie (uniform tie-break, averaged)', () => {
    expect(expectedAccuracy([T, F, F, T])).toBe(0.5);
    expect(expectedAccuracy([])).toBe(0);
  });
});

describe('scoreTask', () => {
  it('computes oracle, pass@1 and per-selector accuracy', () => {
    const s = scoreTask(tasks[0]);
    expect(s.oracle).toBe(1);
    expect(s.codeAccuracy).toBe(0.25);
    expect(s.bon).toEqual({ first: 0.25, passCount: 0.5, codet: 1, cosplay: 1 });
    expect(scoreTask(tasks[1]).utEligible).toBe(false);
  });
});

describe('summarize', () => {
  const sums = tasks.reduce((s, t) => addTask(s, t), emptySums());
  const sum = summarize(sums);
  it('averages over tasks', () => {
    expect(sum.tasks).toBe(3);
    expect(sum.oracle).toBeCloseTo(2 / 3);
    expect(sum.codeAccuracy).toBeCloseTo((0.25 + 0 + 2 / 3) / 3);
    expect(sum.codeAccuracyMicro).toBeCloseTo(3 / 9);
    expect(sum.bon.first).toBeCloseTo((0.25 + 0 + 2 / 3) / 3);
    expect(sum.bon.passCount).toBeCloseTo((0.5 + 0 + 2 / 3) / 3);
    expect(sum.bon.codet).toBeCloseTo((1 + 0 + 1) / 3);
    expect(sum.bon.cosplay).toBeCloseTo(1 / 3);
    expect(sum.bon.mbr).toBeNull();
    expect(sum.tokensPerTask).toBeCloseTo(60);
    expect(sum.requestsPerTask).toBeCloseTo(5);
  });
  it('counts UT accuracy only over tasks with a correct code and a valid UT', () => {
    // before: a 1/4, c 0/1 -> macro 0.125, micro 1/5; after: a 2/2 (c has no valid UT) -> 1
    expect(sum.utAccuracyBefore).toBeCloseTo(0.125);
    expect(sum.utAccuracyMicroBefore).toBeCloseTo(0.2);
    expect(sum.utAccuracyAfter).toBeCloseTo(1);
    expect(sum.utAccuracy).toBeCloseTo(1);
  });
  it('merges shards exactly (weighted, not averaged averages)', () => {
    const a = addTask(emptySums(), tasks[0]);
    const bc = [tasks[1], tasks[2]].reduce((s, t) => addTask(s, t), emptySums());
    a.wallMs = 10;
    bc.wallMs = 20;
    const merged = summarize(mergeSums([a, bc]));
    expect({ ...merged, wallMs: 0 }).toEqual({ ...sum, wallMs: 0 });
    expect(merged.wallMs).toBe(30);
    // the naive mean of the two shards' means would differ
    const naive = (summarize(a).codeAccuracy + summarize(bc).codeAccuracy) / 2;
    expect(Math.abs(naive - merged.codeAccuracy)).toBeGreaterThan(0.01);
  });
});
