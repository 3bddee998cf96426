// End to end: the gate mode on a fixture repository (a temp git repo with a bare origin) with the scripted LLM
// server, the fake GitHub API and the real executor. A pull request that breaks a function fails the check
// with counterexamples (annotations, one PR comment updated on re-runs, the job summary); a correct one passes;
// a fork's pull request, whose token cannot comment, still gets its report in the job summary.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../../src/modes/gate.js';
import { FakeGitHub } from '../support/fake-github.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import {
  callArgs,
  modeContext,
  repoFromFixture,
  worldScript,
  type TempRepo,
  type World,
} from '../gate/world.js';

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
let summaryDir: string;
let summaryFile: string;
let repo: TempRepo;
let stdout: string[];
const savedSummary = process.env.GITHUB_STEP_SUMMARY;

beforeAll(async () => {
  fake = await FakeGitHub.start();
  server = await startScriptedServer();
  summaryDir = mkdtempSync(path.join(tmpdir(), 'gate-summary-'));
  summaryFile = path.join(summaryDir, 'summary.md');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
});

afterAll(async () => {
  await fake.close();
  await server.close();
  rmSync(summaryDir, { recursive: true, force: true });
  if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = savedSummary;
});

beforeEach(() => {
  writeFileSync(summaryFile, '');
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

/** Opens a pull request from `feature` that changes stats.py to `source`; the checkout is its head. */
function openPull(source: string, options: { body?: string; headOwner?: string } = {}) {
  if (!fake.repos.has(R)) fake.addRepo(R);
  const baseSha = repo.git('rev-parse', 'HEAD');
  repo.git('checkout', '--quiet', '-b', 'feature');
  repo.write('stats.py', source);
  const headSha = repo.commitAll('change clamp');
  const pull = fake.addPull(R, {
    head: 'feature',
    headSha,
    body: options.body ?? 'Simplify clamp.',
    ...(options.headOwner ? { headOwner: options.headOwner } : {}),
    files: [{ filename: 'stats.py', status: 'modified' }],
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
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toMatch(/CoSPlay gate: 1 of 1 function disagrees with the consensus/);
    expect(summary).toContain(rows[0]![0]);

    // A re-run updates the same comment instead of adding one.
    server.clear();
    server.setScript(worldScript(pyWorld()));
    const again = await runGate(ctx);
    expect(again.verdict).toBe('failed');
    expect(fake.comments(R, pull.number)).toHaveLength(1);
    expect(fake.requestsTo('POST', `/repos/${R}/issues/${pull.number}/comments`)).toHaveLength(1);
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
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toMatch(/1 function checked, no blocking disagreement/);
    expect(summary).toMatch(/comes from a fork/);
    expect(summary).toMatch(/passes \d+ of \d+ self-generated unit tests/);
  });
});
