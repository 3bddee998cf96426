import { describe, expect, it } from '@jest/globals';
import {
  codeSpan,
  describeFailure,
  formatDuration,
  pullRequestTitle,
  renderFailureComment,
  renderIssueComment,
  renderJobSummary,
  renderMatrixGrid,
  renderNoPermissionComment,
  renderPullRequestBody,
  type RunReport,
} from '../../src/render/index.js';
import { PullRequestsNotPermittedError } from '../../src/github/errors.js';
import { BudgetExceededError, LlmUnavailableError } from '../../src/types.js';

const report: RunReport = {
  task: {
    id: 'octo/demo#12',
    language: 'python',
    kind: 'function',
    entryPoint: 'count_vowels',
    prompt: 'def count_vowels(t): ...',
  },
  selected: { index: 1, code: 'def count_vowels(t):\n    return 0\n', pCode: 3 },
  keptTests: [
    { test: { call: "count_vowels('a|b')", expected: '1' }, pUT: 3, column: 0 },
    { test: { call: 'count_vowels("x`y")', expected: '0' }, pUT: 2, column: 2 },
  ],
  executionMatrix: [
    [1, 0, 1, 0],
    [1, 1, 1, 0],
    [1, 0, 0, 1],
  ],
  rounds: 2,
  tokens: 123456,
  requests: 87,
  wallMs: 252_000,
  verdict: 'selected',
  stopReason: 'no-change',
};

/** Cells of a GFM table row (unescaped pipes separate cells). */
function cells(row: string): number {
  return row.replace(/\\\|/g, '').split('|').length - 2;
}

describe('renderMatrixGrid', () => {
  it('draws codes x tests with the pick, pCode and the kept columns', () => {
    expect(renderMatrixGrid(report.executionMatrix, { selected: 1, keptColumns: [0, 2] })).toBe(
      ['     0123', '  C0 ✓✗✓✗  2/4', '▶ C1 ✓✓✓✗  3/4', '  C2 ✓✗✗✓  2/4', '     ^ ^  kept'].join('\n'),
    );
  });

  it('numbers many columns in two header rows and cuts large matrices', () => {
    const m = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 12 }, (_, j) => ((i + j) % 3 ? 1 : 0)),
    );
    const lines = renderMatrixGrid(m, { maxRows: 4, maxColumns: 11, selected: 9 }).split('\n');
    expect(lines[0]).toBe(' '.repeat(15) + '1');
    expect(lines[1]).toBe('     01234567890 … +1');
    expect(lines.slice(2).map((l) => l.slice(0, 5))).toEqual(['  C0 ', '  C1 ', '  C2 ', '▶ C9 ', '  … 8']);
    expect(renderMatrixGrid([])).toBe('(empty matrix)');
  });
});

describe('pull request body', () => {
  const body = renderPullRequestBody(report, {
    issueNumber: 12,
    targetPath: 'src/textutil.py',
    testPath: 'tests/test_textutil.py',
    testFramework: 'pytest',
    runUrl: 'https://github.com/octo/demo/actions/runs/1',
    notes: ['The file already defines a different `helper`; renamed.'],
  });

  it('holds the marker, the issue link, the verdict, the facts, the grid and the kept tests', () => {
    expect(body.startsWith('<!-- cosplay:pr -->\nCloses #12\n')).toBe(true);
    expect(body).toContain(
      '**selected**: candidate C1 of 3 passes 3 of 4 self-generated unit tests (pCode 3/4).',
    );
    expect(body).toContain('| Pools | 3 codes × 4 valid tests |');
    expect(body).toContain('| Self-play | 2 rounds, stopped: no-change |');
    expect(body).toContain('| LLM | 123,456 tokens in 87 requests |');
    expect(body).toContain('| Time | 4 min 12 s |');
    expect(body).toContain('▶ C1 ✓✓✓✗  3/4');
    expect(body).toContain('2 tests in `tests/test_textutil.py` (pytest)');
    expect(body).toContain("| 1 (T0) | `count_vowels('a\\|b')` → `1` | 3/3 |");
    expect(body).toContain('| 2 (T2) | ``count_vowels("x`y")`` → `0` | 2/3 |');
    expect(body).toContain('- The file already defines a different `helper`; renamed.');
    expect(body).toContain('[workflow run](https://github.com/octo/demo/actions/runs/1)');
  });

  it('keeps every table row at its column count despite pipes in generated text', () => {
    const rows = body.split('\n').filter((l) => l.startsWith('| '));
    const kept = rows.filter((r) => /\(T\d\)/.test(r));
    expect(kept).toHaveLength(2);
    for (const r of kept) expect(cells(r)).toBe(3);
  });

  it("shows the support over every code the run wrote beside the pool's when the run has it", () => {
    const wide = renderPullRequestBody(
      {
        ...report,
        keptTests: [
          { ...report.keptTests[0], archive: { pass: 7, ran: 11 } },
          { ...report.keptTests[1], archive: { pass: 2, ran: 9 } },
        ],
      },
      { issueNumber: 12 },
    );
    expect(wide).toContain('| # | Test | Support | Over all codes |');
    expect(wide).toContain("| 1 (T0) | `count_vowels('a\\|b')` → `1` | 3/3 | 7/11 |");
    expect(wide).toContain('| 2 (T2) | ``count_vowels("x`y")`` → `0` | 2/3 | 2/9 |');
    const rows = wide.split('\n').filter((l) => /^\| \d \(T\d\)/.test(l));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(cells(r)).toBe(4);
    expect(body).not.toContain('Over all codes');
  });

  it('says when nothing was selected, and titles the pull request', () => {
    const none = renderPullRequestBody(
      { ...report, selected: null, verdict: 'no-pick', keptTests: [] },
      { noCloses: true, issueNumber: 3 },
    );
    expect(none).not.toContain('Closes');
    expect(none).toContain('**no-pick**: no code was selected.');
    expect(none).toContain('No test had enough support to keep.');
    expect(pullRequestTitle(report, { issueNumber: 12 })).toBe('CoSPlay: count_vowels (#12)');
  });

  it('the job summary is the same report without the marker, with the pull request link', () => {
    const s = renderJobSummary(report, { pullRequest: { number: 13, url: 'https://x/pull/13' } });
    expect(s).not.toContain('<!--');
    expect(s).toContain('Pull request: [#13](https://x/pull/13)');
    expect(s).toContain('▶ C1');
  });
});

describe('issue comment', () => {
  it('links the pull request and gives the verdict in a few lines', () => {
    const c = renderIssueComment(report, {
      pullRequest: { number: 13, url: 'https://x/pull/13', draft: true, created: true },
      targetPath: 'src/textutil.py',
      runUrl: 'https://x/run',
    });
    expect(c.split('\n')[0]).toBe('<!-- cosplay:solve -->');
    expect(c).toContain(
      'Opened draft pull request #13 with `count_vowels` in `src/textutil.py` and 2 unit tests.',
    );
    expect(c).toContain('the selected code passes 3/4 self-generated tests');
    expect(c).toContain('2 self-play rounds (stopped: no-change); 123,456 tokens, 87 requests, 4 min 12 s.');
    expect(renderIssueComment(report, { pullRequest: { number: 13, url: 'u', created: false } })).toContain(
      'Updated pull request #13',
    );
  });
});

describe('failure comments', () => {
  it.each([
    [new BudgetExceededError('tokens'), /tokens budget was spent/, /`max-tokens`/],
    [new BudgetExceededError('wallMs'), /time budget was spent/, /`max-minutes`/],
    [new LlmUnavailableError('connect ECONNREFUSED 127.0.0.1:9'), /ECONNREFUSED/, /models: read/],
    [
      new PullRequestsNotPermittedError('https://github.com/o/r/compare/main...b?expand=1'),
      /Workflow permissions/,
      undefined,
    ],
    [new Error('boom'), /unexpected error stopped the run: boom/, /report it/],
  ])('explains %s', (err, what, fix) => {
    const d = describeFailure(err);
    expect(d.what).toMatch(what);
    if (fix) expect(d.fix).toMatch(fix);
    else expect(d.fix).toBeUndefined();
    const c = renderFailureComment(d, { runUrl: 'https://x/run' });
    expect(c.startsWith('<!-- cosplay:solve -->\n### CoSPlay: ')).toBe(true);
    expect(c).toContain('[Workflow run](https://x/run)');
  });

  it('answers politely when the actor may not start runs', () => {
    const c = renderNoPermissionComment({ actor: 'mallory', permission: 'read' });
    expect(c.startsWith('<!-- cosplay:permission -->\n')).toBe(true);
    expect(c).toContain('Thanks, @mallory!');
    expect(c).toContain('(yours: read)');
    expect(c).toContain('A maintainer can start one by applying the `cosplay` label.');
    expect(
      renderNoPermissionComment({ actor: 'dependabot[bot]', permission: 'none', isBot: true }),
    ).toContain('`allowed-bots`');
  });
});

describe('helpers', () => {
  it('formats durations and code spans', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(3_723_000)).toBe('1 h 2 min');
    expect(codeSpan('a\nb')).toBe('`a⏎b`');
    expect(codeSpan('``x``')).toBe('``` ``x`` ```');
    expect(codeSpan('x'.repeat(100), 10)).toBe('`xxxxxxxxx…`');
    expect(codeSpan('')).toBe('*(empty)*');
  });
});
