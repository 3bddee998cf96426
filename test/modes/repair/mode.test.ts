// End to end: the repair mode on fixture repositories with a planted bug (Python: digit_sum raises on negative
// numbers, found through the traceback; JavaScript: isLeapYear misses the 400-year rule, found through the
// failing assertion), with the scripted LLM server, the fake GitHub API, the real executor and the real test
// runners. The nightly run opens a pull request whose code passes the whole suite; a function whose
// candidates all fail is reported and never forced.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runRepair } from '../../../src/modes/repair/mode.js';
import { FakeGitHub } from '../../support/fake-github.js';
import { useStepSummary } from '../../support/step-summary.js';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server.js';
import { callArgs, modeContext, repoFromFixture, worldScript, type TempRepo, type World } from '../world.js';
import type { ScriptContext } from '../../support/scripted-server.js';

const R = 'octo/demo';
const PYTEST = 'python3 -m pytest -q -p no:cacheprovider --junitxml="$COSPLAY_REPORT_DIR/junit.xml"';
const NODE_TEST =
  'node --test --test-reporter=junit --test-reporter-destination="$COSPLAY_REPORT_DIR/junit.xml"';

let fake: FakeGitHub;
let server: ScriptedServer;
let repo: TempRepo;
const readSummary = useStepSummary('repair-summary-');

beforeAll(async () => {
  fake = await FakeGitHub.start();
  fake.addRepo(R);
  server = await startScriptedServer();
});

afterAll(async () => {
  await fake.close();
  await server.close();
});

beforeEach(() => {
  server.clear();
});
afterEach(() => repo?.cleanup());

/** Checks out `branch` from the bare origin into a fresh directory and runs `command` there. */
function runOnBranch(branch: string, command: string): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(repo.root, 'check-'));
  rmSync(dir, { recursive: true });
  execFileSync('git', ['clone', '--quiet', '--branch', branch, repo.bare, dir]);
  const r = spawnSync(
    '/bin/bash',
    ['-c', command.replace(/"\$COSPLAY_REPORT_DIR\/junit.xml"/, 'junit.xml')],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const digitSum = (n: number) =>
  String(Math.abs(n))
    .split('')
    .reduce((s, d) => s + Number(d), 0);

const digitSumWorld = (): World => ({
  language: 'python',
  codes: [
    'def digit_sum(n):\n    return sum(int(c) for c in str(n)[1:])\n', // passes -45, wrong for 123
    'def digit_sum(n):\n    return sum(int(c) for c in str(abs(n)))\n',
    'def digit_sum(n):\n    n = abs(n)\n    total = 0\n    while n:\n        total += n % 10\n        n //= 10\n    return total\n',
    "def digit_sum(n):\n    return sum(map(int, str(n).lstrip('-')))\n",
  ],
  utInputs: [
    'digit_sum(123)',
    'digit_sum(0)',
    'digit_sum(-7)',
    'digit_sum(9999)',
    'digit_sum(-1002)',
    'digit_sum(5)',
    'digit_sum(10)',
    'digit_sum(77)',
  ],
  freshInputs: ['digit_sum(1)', 'digit_sum(-909)', 'digit_sum(314159)', 'digit_sum(-20)'],
  oracle: (call) =>
    call.startsWith('digit_sum(') ? String(digitSum(callArgs(call)[0] as number)) : undefined,
});

const meanWorld = (): World => ({
  language: 'python',
  codes: [
    'def mean(values):\n    return sum(values) / len(values)\n',
    'def mean(values):\n    total = 0\n    for v in values:\n        total += v\n    return total / len(values)\n',
    'import statistics\n\n\ndef mean(values):\n    return statistics.fmean(values)\n',
  ],
  utInputs: [
    'mean([1, 2])',
    'mean([5])',
    'mean([2, 4, 9])',
    'mean([-1, 1])',
    'mean([0.5, 1.5])',
    'mean([10, 20, 30, 40])',
  ],
  freshInputs: ['mean([3, 4])', 'mean([7, 7, 7])'],
  oracle: (call) => {
    if (!call.startsWith('mean(')) return undefined;
    const xs = callArgs(call)[0] as number[];
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Number.isInteger(m) ? `${m}.0` : String(m);
  },
});

/** One script per function under repair (by task id). */
function byTask(worlds: Record<string, World>) {
  const scripts = Object.entries(worlds).map(([name, w]) => [name, worldScript(w)] as const);
  return (ctx: ScriptContext) => scripts.find(([name]) => ctx.task.endsWith(`#${name}`))?.[1](ctx) ?? null;
}

describe('repair (Python)', () => {
  it('repairs the planted bug found through the traceback and opens a pull request that passes the whole suite', async () => {
    repo = repoFromFixture('py-stats');
    const original = readFileSync(path.join(repo.work, 'stats.py'), 'utf8');
    server.setScript(worldScript(digitSumWorld()));
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'schedule',
      event: { schedule: '0 3 * * *' },
      inputs: { testCommand: PYTEST },
    });
    const outcome = await runRepair(ctx);
    expect(outcome.verdict).toBe('repaired');

    const pulls = fake.pulls(R);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(outcome.outputs['pull-request-number']).toBe(String(pr.number));
    expect(pr.draft).toBe(true);
    expect(pr.base).toBe('main');
    expect(pr.head).toMatch(/^cosplay\/repair-stats.*digit_sum$/);
    expect(pr.title).toBe('Repair digit_sum in stats.py (CoSPlay)');
    expect(pr.body).toContain('tests.test_stats::test_digit_sum_negative');
    expect(pr.body).toMatch(/traced through its traceback/);
    expect(pr.body).toContain('`digit_sum(-45)` → `9`');
    expect(pr.body).toContain('return sum(int(c) for c in str(n))'); // before
    // After: the repaired body under the original docstring.
    expect(pr.body).toMatch(
      /\*\*After\*\*\n\n```python\ndef digit_sum\(n\):\n    """Return the sum of the decimal digits/,
    );
    expect(pr.body).toMatch(/6 tests, 0 failing \(before: 1\)/);

    // The pushed branch changes only digit_sum, and the whole suite passes on it.
    const branchFile = execFileSync('git', ['show', `${pr.head}:stats.py`], {
      cwd: repo.bare,
      encoding: 'utf8',
    });
    expect(branchFile).not.toBe(original);
    const keep = (s: string) => s.split('def digit_sum')[0];
    expect(keep(branchFile)).toBe(keep(original));
    expect(branchFile).toContain('def mean(values):');
    const check = runOnBranch(pr.head, PYTEST);
    expect(check.output).toMatch(/6 passed/);
    expect(check.status).toBe(0);

    // The checkout is back where it was, untouched.
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(readFileSync(path.join(repo.work, 'stats.py'), 'utf8')).toBe(original);
    expect(repo.git('status', '--porcelain', '--untracked-files=no')).toBe('');
    const summary = readSummary();
    expect(summary).toMatch(/1 of 1 function repaired/);
    expect(summary).toContain(`[#${pr.number}]`);

    // The generators saw the failing test as an example.
    const codePrompts = server.requestsFor('stage1.code').map((r) => JSON.stringify(r.body));
    expect(codePrompts.some((b) => b.includes('>>> digit_sum(-45)'))).toBe(true);
  });

  it('groups two repairs into one pull request, and a re-run updates it', async () => {
    repo = repoFromFixture('py-stats');
    // A second planted bug, caught by a plain assertion in the test file.
    const withBug = readFileSync(path.join(repo.work, 'stats.py'), 'utf8').replace(
      'return sum(values) / len(values)',
      'return sum(values) / (len(values) + 1)',
    );
    repo.write('stats.py', withBug);
    repo.commitAll('plant a second bug');
    repo.git('push', '--quiet', 'origin', 'main');
    const run = async () => {
      server.clear();
      server.setScript(byTask({ digit_sum: digitSumWorld(), mean: meanWorld() }));
      const ctx = await modeContext({
        workspace: repo.work,
        fake,
        llmUrl: server.url,
        eventName: 'schedule',
        event: {},
        inputs: { testCommand: PYTEST, groupRepairs: true },
      });
      return runRepair(ctx);
    };
    const before = fake.pulls(R).length;
    const first = await run();
    expect(first.verdict).toBe('repaired');
    const mine = () => fake.pulls(R).filter((p) => p.head === 'cosplay/repair-nightly');
    expect(fake.pulls(R).length).toBe(before + 1);
    expect(mine()).toHaveLength(1);
    const pr = mine()[0]!;
    expect(pr.title).toBe('Repair 2 functions behind failing tests (CoSPlay)');
    expect(pr.body).toContain('`mean([1, 2, 3, 4])` → `2.5`');
    expect(pr.body).toContain('`digit_sum(-45)` → `9`');
    expect(pr.body).toMatch(/the function its failing assertion calls/);
    const check = runOnBranch(pr.head, PYTEST);
    expect(check.output).toMatch(/6 passed/);
    expect(check.status).toBe(0);

    const again = await run();
    expect(again.verdict).toBe('repaired');
    expect(again.outputs['pull-request-number']).toBe(String(pr.number));
    expect(fake.pulls(R).length).toBe(before + 1);
    expect(runOnBranch(pr.head, PYTEST).status).toBe(0);
  });
});

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const LEAP_INPUTS = [
  'isLeapYear(2024)',
  'isLeapYear(1900)',
  'isLeapYear(2023)',
  'isLeapYear(2400)',
  'isLeapYear(1600)',
  'isLeapYear(2100)',
  'isLeapYear(1996)',
  'isLeapYear(2001)',
];
const leapOracle = (call: string) =>
  call.startsWith('isLeapYear(') ? String(leap(callArgs(call)[0] as number)) : undefined;

describe('repair (JavaScript)', () => {
  it('repairs the planted bug found through the failing assertion, verified by node --test', async () => {
    repo = repoFromFixture('js-dates');
    server.setScript(
      worldScript({
        language: 'javascript',
        codes: [
          'function isLeapYear(year) {\n  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;\n}\n',
          'function isLeapYear(year) {\n  if (year % 400 === 0) return true;\n  if (year % 100 === 0) return false;\n  return year % 4 === 0;\n}\n',
          'function isLeapYear(year) {\n  return new Date(year, 1, 29).getDate() === 29;\n}\n',
          'function isLeapYear(year) {\n  return year % 4 === 0;\n}\n',
        ],
        utInputs: LEAP_INPUTS,
        freshInputs: ['isLeapYear(2000)', 'isLeapYear(1800)', 'isLeapYear(2020)', 'isLeapYear(2019)'],
        oracle: leapOracle,
      }),
    );
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'workflow_dispatch',
      event: {},
      inputs: { testCommand: NODE_TEST, draft: false },
    });
    const outcome = await runRepair(ctx);
    expect(outcome.verdict).toBe('repaired');
    const pr = fake.pulls(R).find((p) => /isleapyear/i.test(p.head))!;
    expect(pr).toBeDefined();
    expect(pr.draft).toBe(false);
    expect(pr.body).toContain('`isLeapYear(2000)` → `true`');
    expect(pr.body).toMatch(/the function its failing assertion calls/);
    const check = runOnBranch(pr.head, NODE_TEST);
    expect(check.status).toBe(0);
    const file = execFileSync('git', ['show', `${pr.head}:src/dates.js`], {
      cwd: repo.bare,
      encoding: 'utf8',
    });
    expect(file).toContain('module.exports = { isLeapYear, pad };');
    expect(file).toContain(
      "function pad(n, width) {\n  const digits = String(Math.abs(n)).padStart(width, '0');",
    );
  });

  it('reports a function it cannot repair and opens nothing', async () => {
    repo = repoFromFixture('js-dates');
    const before = fake.pulls(R).length;
    // Every candidate the model writes misses the 400-year rule, like the current code.
    server.setScript(
      worldScript({
        language: 'javascript',
        codes: [
          'function isLeapYear(year) {\n  return year % 4 === 0 && year % 100 !== 0;\n}\n',
          'function isLeapYear(year) {\n  if (year % 100 === 0) return false;\n  return year % 4 === 0;\n}\n',
        ],
        utInputs: LEAP_INPUTS,
        freshInputs: ['isLeapYear(2020)'],
        oracle: leapOracle,
      }),
    );
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'schedule',
      event: {},
      inputs: { testCommand: NODE_TEST },
    });
    const original = readFileSync(path.join(repo.work, 'src/dates.js'), 'utf8');
    const outcome = await runRepair(ctx);
    expect(outcome.verdict).toBe('no-pick');
    expect(outcome.failure).toBeUndefined();
    expect(fake.pulls(R)).toHaveLength(before);
    expect(readFileSync(path.join(repo.work, 'src/dates.js'), 'utf8')).toBe(original);
    const summary = readSummary();
    expect(summary).toMatch(/0 of 1 function repaired/);
    expect(summary).toMatch(
      /`isLeapYear` in `src\/dates\.js` \| 1 \| not repaired: no candidate passes the failing tests/,
    );
  });

  it('needs a test command', async () => {
    repo = repoFromFixture('js-dates');
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'schedule',
      event: {},
    });
    const outcome = await runRepair(ctx);
    expect(outcome.verdict).toBe('error');
    expect(outcome.failure).toMatch(/test-command/);
  });
});
