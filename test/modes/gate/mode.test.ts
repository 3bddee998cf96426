// End to end: the gate mode on a fixture repository (a temp git repo with a bare origin) with the scripted LLM
// server, the fake GitHub API and the real executor. A pull request that breaks a function fails the check
// with counterexamples (annotations, one PR comment updated on re-runs, the job summary); a correct one passes;
// a fork's pull request, whose token cannot comment, still gets its report in the job summary.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runGate } from '../../../src/modes/gate/mode.js';
import { FakeGitHub } from '../../support/fake-github.js';
import { useStepSummary } from '../../support/step-summary.js';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server.js';
import {
  callArgs,
  callsWorld,
  modeContext,
  repoFromFixture,
  worldScript,
  type TempRepo,
  type World,
} from '../world.js';
import { debianPython, pythonValues, SPECIFIER_CONTAINS } from '../../support/real-code.js';

const R = 'octo/demo';

function clampOracle(call: string): string | undefined {
  if (!call.startsWith('clamp(')) return undefined;
  const [x, lo, hi] = callArgs(call) as number[];
  return String(Math.min(hi!, Math.max(lo!, x!)));
}

const PY_CANDIDATES = [
  'def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n',
  'def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n',
  'def clamp(x, lo, hi):\n    return sorted([lo, x, hi])[1]\n',
  'def clamp(x, lo, hi):\n    return min(hi, max(lo, x))\n',
];

const pyWorld = (): World => ({
  language: 'python',
  codes: PY_CANDIDATES,
  utInputs: [
    'clamp(5, 0, 10)',
    'clamp(-3, 0, 10)',
    'clamp(42, 0, 10)',
    'clamp(0, 0, 0)',
    'clamp(7, 7, 9)',
    'clamp(10, 0, 10)',
    'clamp(-1, -5, -2)',
    'clamp(3, 1, 2)',
    'clamp(100, -100, 50)',
    'clamp(-7, -3, 3)',
  ],
  freshInputs: [
    'clamp(4, 1, 6)',
    'clamp(9, 1, 6)',
    'clamp(-9, -2, 2)',
    'clamp(2, 2, 8)',
    'clamp(11, 0, 11)',
    'clamp(1, 5, 5)',
  ],
  oracle: clampOracle,
});

/** The fixture's clamp with a new body (docstring kept), as a pull request would write it. */
function withClampBody(source: string, body: string): string {
  return source.replace(/( {4}"""Return x limited[\s\S]*?"""\n)[\s\S]*?(\n\n\ndef digit_sum)/, `$1${body}$2`);
}

let fake: FakeGitHub;
let server: ScriptedServer;
let repo: TempRepo;
let stdout: string[];
const readSummary = useStepSummary('gate-summary-');

beforeAll(async () => {
  fake = await FakeGitHub.start();
  server = await startScriptedServer();
});

afterAll(async () => {
  await fake.close();
  await server.close();
});

beforeEach(() => {
  server.clear();
  stdout = [];
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('::')) {
      stdout.push(text);
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
});

afterEach(() => {
  jest.restoreAllMocks();
  repo?.cleanup();
});

/** Opens a pull request from `feature` that changes `file` to `source`; the checkout is its head. */
function openPull(source: string, options: { body?: string; headOwner?: string; file?: string } = {}) {
  if (!fake.repos.has(R)) fake.addRepo(R);
  const file = options.file ?? 'stats.py';
  const baseSha = repo.git('rev-parse', 'HEAD');
  repo.git('checkout', '--quiet', '-b', 'feature');
  repo.write(file, source);
  const headSha = repo.commitAll('change clamp');
  const pull = fake.addPull(R, {
    head: 'feature',
    headSha,
    body: options.body ?? 'Simplify clamp.',
    ...(options.headOwner ? { headOwner: options.headOwner } : {}),
    files: [{ filename: file, status: 'modified' }],
  });
  const event = {
    action: 'synchronize',
    pull_request: {
      number: pull.number,
      body: pull.body,
      head: { sha: headSha, ref: 'feature', repo: { full_name: `${options.headOwner ?? 'octo'}/demo` } },
      base: { sha: baseSha, ref: 'main', repo: { full_name: R } },
    },
  };
  return { pull, event };
}

describe('gate (Python)', () => {
  it('fails a pull request that breaks clamp, with counterexamples in annotations, one comment and the summary', async () => {
    repo = repoFromFixture('py-stats');
    server.setScript(worldScript(pyWorld()));
    const original = readFileSync(path.join(repo.work, 'stats.py'), 'utf8');
    // The bug: min and max swapped, so every x inside [lo, hi] comes back as lo.
    const broken = withClampBody(original, '    return min(lo, max(x, hi))\n');
    expect(broken).not.toBe(original);
    const { pull, event } = openPull(broken);
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });

    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('failed');
    expect(outcome.failure).toMatch(/1 of 1 function disagrees/);

    // The generators never saw the PR's code.
    const prompts = server.requests.flatMap(
      (r) => (r.body as { messages?: Array<{ content: string }> })?.messages ?? [],
    );
    expect(prompts.length).toBeGreaterThan(0);
    expect(prompts.some((m) => m.content.includes('min(lo, max(x, hi))'))).toBe(false);
    expect(prompts.some((m) => m.content.includes('Return x limited to the closed range'))).toBe(true);

    // An error annotation on the function's lines, naming a counterexample.
    const errors = stdout.filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/file=stats\.py,line=4,endLine=\d+/);
    // Every counterexample is real: the PR's value is what the broken code returns, the consensus is right.
    const found = [
      ...errors[0]!.matchAll(
        /clamp\((-?\d+), (-?\d+), (-?\d+)\): this PR returns (-?\d+), the consensus \(4\/4\) (?:expects|returns) (-?\d+)/g,
      ),
    ];
    expect(found.length).toBeGreaterThan(0);
    for (const [, x, lo, hi, pr, consensus] of found.map((m) => m.map(Number))) {
      expect(pr).toBe(Math.min(lo!, Math.max(x!, hi!)));
      expect(consensus).toBe(Math.min(hi!, Math.max(lo!, x!)));
      expect(pr).not.toBe(consensus);
    }

    // One PR comment with the counterexample table.
    const comments = fake.comments(R, pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- cosplay:gate -->');
    const rows = [
      ...comments[0]!.body.matchAll(
        /\| `clamp\((-?\d+), (-?\d+), (-?\d+)\)` \| `(-?\d+)` \| `(-?\d+)` \| 4\/4 (pass this test|in the winning cluster) \|/g,
      ),
    ];
    expect(rows.length).toBeGreaterThan(0);
    for (const [, x, lo, hi, pr, consensus] of rows.map((m) => m.slice(0, 6).map(Number))) {
      expect(pr).toBe(Math.min(lo!, Math.max(x!, hi!)));
      expect(consensus).toBe(Math.min(hi!, Math.max(lo!, x!)));
    }
    const summary = readSummary();
    expect(summary).toMatch(/CoSPlay gate: 1 of 1 function disagrees with the consensus/);
    expect(summary).toContain(rows[0]![0]);

    // A re-run updates the same comment instead of adding one.
    server.clear();
    server.setScript(worldScript(pyWorld()));
    const again = await runGate(ctx);
    expect(again.verdict).toBe('failed');
    expect(fake.comments(R, pull.number)).toHaveLength(1);
    expect(fake.requestsTo('POST', `/repos/${R}/issues/${pull.number}/comments`)).toHaveLength(1);

    // The author fixes clamp: the check passes and the same comment now says so.
    repo.write('stats.py', withClampBody(original, '    return max(lo, min(x, hi))\n'));
    const fixedSha = repo.commitAll('fix clamp');
    server.clear();
    server.setScript(worldScript(pyWorld()));
    const fixed = await runGate({
      ...ctx,
      event: {
        ...event,
        pull_request: { ...event.pull_request, head: { ...event.pull_request.head, sha: fixedSha } },
      },
    });
    expect(fixed.verdict).toBe('passed');
    const after = fake.comments(R, pull.number);
    expect(after).toHaveLength(1);
    expect(after[0]!.body).toMatch(/✅ CoSPlay gate: 1 function checked, no blocking disagreement/);
    expect(after[0]!.body).not.toMatch(/this PR returns/);
  });

  it('passes a correct refactoring, and a fork PR whose comment is refused still gets the summary', async () => {
    repo = repoFromFixture('py-stats');
    server.setScript(worldScript(pyWorld()));
    const original = readFileSync(path.join(repo.work, 'stats.py'), 'utf8');
    const { pull, event } = openPull(withClampBody(original, '    return max(lo, min(x, hi))\n'), {
      headOwner: 'forker',
    });
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('passed');
    expect(outcome.failure).toBeUndefined();
    expect(stdout.filter((l) => l.startsWith('::error'))).toHaveLength(0);
    expect(fake.comments(R, pull.number)).toHaveLength(0); // a pass creates no comment
    const summary = readSummary();
    expect(summary).toMatch(/1 function checked, no blocking disagreement/);
    expect(summary).toMatch(/passes (\d+) of \1 self-generated unit tests/);
  });

  it("reports a fork's broken pull request in the job summary when the read-only token cannot comment", async () => {
    repo = repoFromFixture('py-stats');
    server.setScript(worldScript(pyWorld()));
    const original = readFileSync(path.join(repo.work, 'stats.py'), 'utf8');
    const { pull, event } = openPull(withClampBody(original, '    return min(lo, max(x, hi))\n'), {
      headOwner: 'forker',
    });
    fake.failNext({
      method: 'POST',
      path: `/repos/${R}/issues/${pull.number}/comments`,
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('failed');
    expect(fake.comments(R, pull.number)).toHaveLength(0);
    expect(fake.requestsTo('POST', `/repos/${R}/issues/${pull.number}/comments`)).toHaveLength(1);
    const summary = readSummary();
    expect(summary).toMatch(/comes from a fork/);
    expect(summary).toMatch(/could not be written .*read-only/);
    expect(summary).toMatch(/\| `clamp\(-?\d+, -?\d+, -?\d+\)` \| `-?\d+` \| `-?\d+` \|/);
    expect(stdout.filter((l) => l.startsWith('::error'))).toHaveLength(1);
  });

  it('passes without a model call when no changed function has a spec, and says what was not checked', async () => {
    repo = repoFromFixture('py-stats');
    const original = readFileSync(path.join(repo.work, 'stats.py'), 'utf8');
    const { event } = openPull(original + '\n\ndef triple(x):\n    return x * 3\n', {
      body: 'Small refactoring.',
    });
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('passed');
    expect(server.requests).toHaveLength(0);
    const summary = readSummary();
    expect(summary).toMatch(/no changed function with a spec to check/);
    expect(summary).toMatch(/`triple` in `stats\.py`: no spec: add a docstring/);
  });

  it('refuses pull_request_target', async () => {
    repo = repoFromFixture('py-stats');
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request_target',
      event: { pull_request: { number: 1 } },
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('error');
    expect(outcome.failure).toMatch(/on: pull_request/);
    expect(server.requests).toHaveLength(0);
  });
});

const PAD_CANDIDATES = [
  "function pad(n, width) {\n  const digits = String(Math.abs(n)).padStart(width, '0');\n  return n < 0 ? '-' + digits : digits;\n}\n",
  "function pad(n, width) {\n  let s = String(Math.abs(n));\n  while (s.length < width) s = '0' + s;\n  return (n < 0 ? '-' : '') + s;\n}\n",
  "function pad(n, width) {\n  const sign = n < 0 ? '-' : '';\n  const body = Math.abs(n).toString();\n  return sign + '0'.repeat(Math.max(0, width - body.length)) + body;\n}\n",
  "module.exports.pad = function pad(n, width) {\n  return (n < 0 ? '-' : '') + `${Math.abs(n)}`.padStart(width, '0');\n};\n",
];

function padOracle(call: string): string | undefined {
  if (!call.startsWith('pad(')) return undefined;
  const [n, width] = callArgs(call) as number[];
  return JSON.stringify((n! < 0 ? '-' : '') + String(Math.abs(n!)).padStart(width!, '0'));
}

describe('gate (JavaScript)', () => {
  it('fails a PR whose bug no unit test catches but the fresh inputs of the output clustering do', async () => {
    repo = repoFromFixture('js-dates');
    // Unit tests only on non-negative numbers: the broken pad passes them all; the fresh inputs have negatives.
    server.setScript(
      worldScript({
        language: 'javascript',
        codes: PAD_CANDIDATES,
        utInputs: [
          'pad(7, 3)',
          'pad(42, 2)',
          'pad(123, 2)',
          'pad(0, 4)',
          'pad(5, 1)',
          'pad(99, 5)',
          'pad(1000, 3)',
          'pad(8, 8)',
          'pad(31, 4)',
          'pad(6, 2)',
        ],
        freshInputs: ['pad(-5, 3)', 'pad(12, 4)', 'pad(-42, 4)', 'pad(3, 2)', 'pad(-1, 1)', 'pad(77, 3)'],
        oracle: padOracle,
      }),
    );
    const original = readFileSync(path.join(repo.work, 'src/dates.js'), 'utf8');
    const broken = original.replace(
      /function pad\(n, width\) \{[\s\S]*?\n\}/,
      "function pad(n, width) {\n  return String(n).padStart(width, '0');\n}",
    );
    expect(broken).not.toBe(original);
    const { pull, event } = openPull(broken, { file: 'src/dates.js', body: 'Make pad shorter.' });
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('failed');
    const body = fake.comments(R, pull.number)[0]!.body;
    const rows = [
      ...body.matchAll(
        /\| `pad\((-?\d+), (\d+)\)` \| `"([^"]*)"` \| `"([^"]*)"` \| (\d+)\/(\d+) in the winning cluster \|/g,
      ),
    ];
    expect(rows.length).toBeGreaterThan(0);
    for (const [, n, width, pr, consensus] of rows) {
      expect(Number(n)).toBeLessThan(0);
      expect(pr).toBe(String(Number(n)).padStart(Number(width), '0'));
      expect(JSON.stringify(consensus)).toBe(padOracle(`pad(${n}, ${width})`));
    }
    // No unit test separated the PR from the candidates: the evidence is the clustering alone.
    expect(body).not.toMatch(/pass this test/);
    const errors = stdout.filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/file=src\/dates\.js,line=\d+/);
  });
});

describe('gate (real code through the action: python3-packaging, a class method)', () => {
  it('fails a pull request that breaks Specifier.contains, annotating the method, with one PR comment', async () => {
    repo = repoFromFixture(debianPython('python3-packaging', 'packaging'), 'packaging');
    const calls = SPECIFIER_CONTAINS.calls;
    const answers = pythonValues(repo.work, 'packaging.specifiers', calls);
    const file = SPECIFIER_CONTAINS.file;
    const original = readFileSync(path.join(repo.work, file), 'utf8');
    const GOOD = SPECIFIER_CONTAINS.good;
    const method = SPECIFIER_CONTAINS.method(original);
    server.setScript(worldScript(callsWorld('python', [method, method, method, method], calls, 6, answers)));
    const { pull, event } = openPull(original.replace(GOOD, SPECIFIER_CONTAINS.bad), {
      file,
      body: 'Prereleases.',
    });
    const ctx = await modeContext({
      workspace: repo.work,
      fake,
      llmUrl: server.url,
      eventName: 'pull_request',
      event,
    });
    const outcome = await runGate(ctx);
    expect(outcome.verdict).toBe('failed');
    // Specifier's own contains (BaseSpecifier and SpecifierSet have one too, unchanged).
    const line = original
      .split('\n')
      .findIndex((l) => l === '        self, item: UnparsedVersion, prereleases: Optional[bool] = None');
    const errors = stdout.filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`file=${file},line=${line},`);
    expect(errors[0]).toContain('Specifier(">=1.2.3").contains("1.3.0a1")');
    const comments = fake.comments(R, pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Specifier.contains');
    expect(readSummary()).toContain('Specifier.contains');
  });
});
