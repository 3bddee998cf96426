// The whole-suite verdict on a candidate repair, and the order in which candidates are verified.
import { describe, expect, it } from '@jest/globals';
import { candidatesToVerify, judgeSuiteRun } from '../../../src/modes/repair/verify.js';
import type { TestCaseResult } from '../../../src/modes/repair/report.js';
import type { SuiteRun } from '../../../src/modes/repair/suite.js';
import type { PoolCode } from '../../../src/cosplay/index.js';

const tc = (id: string, status: TestCaseResult['status']): TestCaseResult => ({ id, name: id, status });
const run = (cases: TestCaseResult[], extra: Partial<SuiteRun> = {}): SuiteRun => ({
  exitCode: cases.some((c) => c.status === 'failed') ? 1 : 0,
  timedOut: false,
  output: '',
  cases,
  reports: ['junit.xml'],
  formats: ['junit'],
  wallMs: 1,
  ...extra,
});

describe('judgeSuiteRun', () => {
  const baseline = [tc('a', 'passed'), tc('b', 'failed'), tc('c', 'failed'), tc('s', 'skipped')];

  it('accepts a run where the target tests pass and nothing new fails (other old failures may remain)', () => {
    const v = judgeSuiteRun(baseline, run([tc('a', 'passed'), tc('b', 'passed'), tc('c', 'failed')]), ['b']);
    expect(v).toMatchObject({ ok: true, total: 3, failing: 1, fixed: ['b'] });
  });

  it('rejects a run where a target test still fails, a passing test breaks, or tests vanish', () => {
    expect(
      judgeSuiteRun(baseline, run([tc('a', 'passed'), tc('b', 'failed'), tc('c', 'failed')]), ['b']).reason,
    ).toMatch(/its failing test still fails \(b\)/);
    expect(
      judgeSuiteRun(baseline, run([tc('a', 'failed'), tc('b', 'passed'), tc('c', 'failed')]), ['b']).reason,
    ).toMatch(/breaks 1 test that passed before \(a\)/);
    expect(judgeSuiteRun(baseline, run([tc('b', 'passed')]), ['b']).reason).toMatch(
      /2 tests no longer ran \(a, c\)/,
    );
    expect(judgeSuiteRun(baseline, run([], { exitCode: 2 }), ['b']).reason).toMatch(
      /wrote no report \(exit status 2\)/,
    );
    expect(judgeSuiteRun(baseline, run([tc('b', 'passed')], { timedOut: true }), ['b']).reason).toMatch(
      /timed out/,
    );
  });
});

describe('candidatesToVerify', () => {
  const code = (c: string): PoolCode => ({ code: c, origin: 'plan', round: 0 });
  const result = {
    selected: { index: 3, code: 'd', pCode: 4 },
    clusters: [
      { members: [0, 5], agreements: 1, pCodeSum: 8 },
      { members: [1, 3, 4], agreements: 6, pCodeSum: 12 },
    ],
    bonTied: [0, 1, 3, 4, 5],
    codePool: ['a', 'b', 'x', 'd', 'current\n', 'f'].map(code),
  };

  it('tries the pick, then its cluster, then the other tied codes; never the current code', () => {
    expect(candidatesToVerify(result, 'current', 10).map((c) => c.index)).toEqual([3, 1, 0, 5]);
    expect(candidatesToVerify(result, 'current', 2).map((c) => c.index)).toEqual([3, 1]);
    expect(candidatesToVerify({ ...result, selected: null }, 'current', 3)).toEqual([]);
  });
});
