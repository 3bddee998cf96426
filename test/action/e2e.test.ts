// End-to-end runs of the action's entry point `run()`: env vars and an event file as a runner sets them, the
// fake GitHub REST API (GITHUB_API_URL), a local bare git repository as origin, the scripted LLM server and
// the real sandboxed executor. Small pools (4 codes, 4 tests, 1 round) keep each run short.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ISSUE_BODY,
  REPO,
  SMALL_INPUTS,
  TEXTUTIL,
  TOKEN,
  API_KEY,
  issueLabeled,
  sh,
  startHarness,
  type Harness,
} from './harness.js';
import { RIGHT, startWorld, type World } from './world.js';
import { defaultModes } from '../../src/action/modes.js';
import { runSolve } from '../../src/modes/solve/mode.js';

let h: Harness;
let world: World;

beforeAll(async () => {
  h = await startHarness();
  world = await startWorld();
  h.fake.addRepo(REPO);
  h.fake.setRole(REPO, 'alice', 'maintain');
  h.fake.setRole(REPO, 'bob', 'read');
});
afterAll(async () => {
  await world?.close();
  await h?.close();
});

const inputs = (extra: Record<string, string> = {}) => ({
  'base-url': world.server.url,
  ...SMALL_INPUTS,
  ...extra,
});

function checkoutBranch(branch: string): string {
  const dir = path.join(h.tmp, `check-${branch.replace(/\W+/g, '-')}-${Date.now()}`);
  sh(h.tmp, 'clone', '--quiet', '--branch', branch, h.bare, dir);
  return dir;
}

describe('labeled issue -> draft pull request', () => {
  let issue: number;
  let prNumber: number;

  it('opens a draft PR with the selected code and tests that pass with pytest, comments, and sets the outputs', async () => {
    issue = h.fake.addIssue(REPO, { title: 'Count vowels', body: ISSUE_BODY });
    const before = world.server.requests.length;
    const r = await h.runAction({ eventName: 'issues', payload: issueLabeled(issue), inputs: inputs() });
    expect(r.result.failure).toBeUndefined();
    expect(r.result.verdict).toBe('selected');
    expect(r.exitCode).toBeUndefined();

    const pulls = h.fake.pulls(REPO);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    prNumber = pr.number;
    expect(pr).toMatchObject({ head: `cosplay/issue-${issue}`, base: 'main', draft: true });
    expect(pr.body).toContain(`Closes #${issue}`);
    expect(pr.body).toContain('Execution matrix');

    // Outputs, as a later step reads them.
    expect(r.outputs.verdict).toBe('selected');
    expect(r.outputs['pull-request-number']).toBe(String(pr.number));
    expect(r.outputs['pull-request-url']).toContain(`/pull/${pr.number}`);
    expect(r.outputs['selected-pass-count']).toMatch(/^\d+\/\d+$/);
    const [p, t] = r.outputs['selected-pass-count']!.split('/').map(Number);
    expect(p).toBe(t);
    expect(r.outputs.trace).toBeDefined();

    // The branch: the code in the target with the rest of the file byte for byte, tests that pass.
    const dir = checkoutBranch(`cosplay/issue-${issue}`);
    const file = readFileSync(path.join(dir, 'src', 'textutil.py'), 'utf8');
    expect(file.startsWith(TEXTUTIL)).toBe(true);
    expect(RIGHT.some((c) => file.includes(c.trim()))).toBe(true);
    expect(existsSync(path.join(dir, 'tests', 'test_textutil.py'))).toBe(true);
    const pytest = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(pytest.stdout).toMatch(/\d+ passed/);
    expect(pytest.status).toBe(0);
    // The pytest file asserts the issue's example (a trusted test).
    expect(readFileSync(path.join(dir, 'tests', 'test_textutil.py'), 'utf8')).toContain(
      "count_vowels('Hello')",
    );

    // One comment with the link and the verdict; the summary shows the report.
    const comments = h.fake.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`Opened draft pull request #${pr.number}`);
    expect(comments[0]!.body).toContain('Verdict: **selected**');
    expect(comments[0]!.body).toContain('https://github.example/octo/demo/actions/runs/');
    expect(r.summary).toContain(`Pull request: [#${pr.number}]`);

    // The prompt never saw the hidden comment; the LLM got the key, not the GitHub token.
    const sent = world.server.requests.slice(before);
    expect(sent.length).toBeGreaterThan(5);
    expect(sent.every((q) => !q.rawBody.includes('print the token'))).toBe(true);
    expect(sent.every((q) => q.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(sent.some((q) => q.rawBody.includes('import re'))).toBe(true); // the target file's imports as context

    // The trace: every request and the decisions, no secrets.
    const trace = readFileSync(r.outputs.trace!, 'utf8');
    expect(trace).toContain('"event":"cosplay-result"');
    expect(trace).not.toContain(API_KEY);
    expect(trace).not.toContain(TOKEN);

    // No credential stayed in the environment a child process could inherit.
    expect(r.envAfter['INPUT_GITHUB-TOKEN']).toBeUndefined();
    expect(r.envAfter['INPUT_API-KEY']).toBeUndefined();
    expect(r.envAfter.ACTIONS_RUNTIME_TOKEN).toBeUndefined();
    expect(r.envAfter.GITHUB_OUTPUT).toBeDefined();
  });

  it('a re-run updates the same pull request and comment', async () => {
    const r = await h.runAction({ eventName: 'issues', payload: issueLabeled(issue), inputs: inputs() });
    expect(r.result.verdict).toBe('selected');
    expect(h.fake.pulls(REPO)).toHaveLength(1);
    expect(r.outputs['pull-request-number']).toBe(String(prNumber));
    const comments = h.fake.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`Updated draft pull request #${prNumber}`);
    // The branch starts again from main: one commit on top of it.
    expect(sh(h.bare, 'rev-list', '--count', `refs/heads/cosplay/issue-${issue}`)).toBe('2');
  });
});

describe('failure paths', () => {
  it('a bad spec gets a comment naming what is missing, with an example; nothing runs', async () => {
    const issue = h.fake.addIssue(REPO, {
      title: 'Half a spec',
      body: ISSUE_BODY.replace('src/textutil.py', '_No response_'),
    });
    const before = world.server.requests.length;
    const r = await h.runAction({ eventName: 'issues', payload: issueLabeled(issue), inputs: inputs() });
    expect(r.result.verdict).toBe('error');
    expect(r.result.failure).toContain('no complete task spec');
    expect(r.exitCode).toBe(1);
    const body = h.fake.comments(REPO, issue)[0]!.body;
    expect(body).toContain('**Target file**');
    expect(body).toContain('```yaml');
    expect(world.server.requests.length).toBe(before);
    expect(h.fake.pulls(REPO).some((p) => p.head === `cosplay/issue-${issue}`)).toBe(false);
  });

  it('a reader who applies the label gets a polite comment and no run', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'From bob', body: ISSUE_BODY });
    const before = world.server.requests.length;
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue, 'bob'),
      inputs: inputs(),
    });
    expect(r.result.verdict).toBe('skipped');
    expect(r.result.failure).toBeUndefined();
    expect(r.outputs.verdict).toBe('skipped');
    const comments = h.fake.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Thanks, @bob!');
    expect(world.server.requests.length).toBe(before);
  });

  it('a bot that is not allow-listed is refused; an allow-listed one may run', async () => {
    const issue = h.fake.addIssue(REPO, {
      title: 'From a bot',
      body: ISSUE_BODY.replace('src/textutil.py', '.github/x.py'),
    });
    const refused = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue, 'helper[bot]', 'cosplay', 'Bot'),
      inputs: inputs(),
    });
    expect(refused.result.verdict).toBe('skipped');
    expect(h.fake.comments(REPO, issue)[0]!.body).toContain('allowed-bots');
    // Allow-listed: it gets as far as the spec (whose target under .github/ is refused).
    const allowed = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue, 'helper[bot]', 'cosplay', 'Bot'),
      inputs: inputs({ 'allowed-bots': 'helper[bot]' }),
    });
    expect(allowed.result.verdict).toBe('error');
    expect(
      h.fake
        .comments(REPO, issue)
        .map((c) => c.body)
        .join('\n'),
    ).toContain('.github/');
  });

  it('a refused pull request ends with a comment saying how to allow it; the branch is pushed', async () => {
    h.fake.repo(REPO).actionsMayCreatePullRequests = false;
    const issue = h.fake.addIssue(REPO, { title: 'Refused', body: ISSUE_BODY });
    let r;
    try {
      r = await h.runAction({ eventName: 'issues', payload: issueLabeled(issue), inputs: inputs() });
    } finally {
      h.fake.repo(REPO).actionsMayCreatePullRequests = true;
    }
    expect(r.result.verdict).toBe('error');
    expect(r.result.failure).toContain('Allow GitHub Actions to create and approve pull requests');
    expect(r.exitCode).toBe(1);
    const body = h.fake.comments(REPO, issue)[0]!.body;
    expect(body).toContain('Settings > Actions > General > Workflow permissions');
    expect(body).toContain(`compare/main...cosplay%2Fissue-${issue}`);
    expect(sh(h.bare, 'rev-parse', '--verify', `refs/heads/cosplay/issue-${issue}`)).toMatch(
      /^[0-9a-f]{40}$/,
    );
    expect(existsSync(r.outputs.trace!)).toBe(true);
  });

  it('an LLM endpoint that is down ends with a comment on what to check; the trace is kept', async () => {
    const down = await startWorld({ faults: [{ fault: { type: 'status', status: 503 }, times: Infinity }] });
    try {
      const issue = h.fake.addIssue(REPO, { title: 'Down', body: ISSUE_BODY });
      const r = await h.runAction({
        eventName: 'issues',
        payload: issueLabeled(issue),
        inputs: inputs({ 'base-url': down.server.url }),
      });
      expect(r.result.verdict).toBe('no-pick');
      expect(r.result.failure).toContain('could not be reached');
      expect(r.exitCode).toBe(1);
      const body = h.fake.comments(REPO, issue)[0]!.body;
      expect(body).toMatch(/the LLM endpoint could not be reached/i);
      expect(body).toContain('gave no usable answer');
      expect(body).toContain('base-url');
      expect(readFileSync(r.outputs.trace!, 'utf8')).toContain('"event":"unavailable"');
      expect(h.fake.pulls(REPO).some((p) => p.head === `cosplay/issue-${issue}`)).toBe(false);
    } finally {
      await down.close();
    }
  });

  it('without a working sandbox nothing runs and the comment says how to get one', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'No sandbox', body: ISSUE_BODY });
    const before = world.server.requests.length;
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue),
      inputs: inputs({ sandbox: 'bwrap' }),
      deps: {
        sandbox: {
          check: async () => ({
            ok: false,
            reason: 'bubblewrap (bwrap) is not installed',
            fix: 'Install bubblewrap.',
          }),
        },
      },
    });
    expect(r.result.verdict).toBe('error');
    expect(r.result.failure).toContain('No working sandbox');
    const body = h.fake.comments(REPO, issue)[0]!.body;
    expect(body).toContain('bubblewrap (bwrap) is not installed');
    expect(body).toContain('Install bubblewrap.');
    expect(world.server.requests.length).toBe(before);
    // The trace output is set and tells what happened.
    expect(readFileSync(r.outputs.trace!, 'utf8')).toContain('"title":"No working sandbox"');
  });

  it('a workflow without actions/checkout is told to add it', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'No checkout', body: ISSUE_BODY });
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue),
      inputs: inputs(),
      checkout: false,
    });
    expect(r.result.verdict).toBe('error');
    expect(h.fake.comments(REPO, issue)[0]!.body).toContain(
      'check out the repository first (actions/checkout)',
    );
  });

  it('a spent budget still delivers the best pick, with a note', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'Budget', body: ISSUE_BODY });
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue),
      inputs: inputs({ 'max-requests': '12' }),
    });
    expect(r.result.failure).toBeUndefined();
    expect(r.result.verdict).toBe('budget-spent');
    const pr = h.fake.pulls(REPO).find((p) => p.head === `cosplay/issue-${issue}`)!;
    expect(pr.body).toContain('budget ran out');
    expect(pr.body).toContain('max-requests');
    expect(h.fake.comments(REPO, issue)[0]!.body).toContain('budget-spent');
  });
});

describe('other triggers', () => {
  it('another label starts nothing', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'Other label', body: ISSUE_BODY });
    const before = h.fake.requests.length;
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue, 'alice', 'bug'),
      inputs: inputs(),
    });
    expect(r.result.verdict).toBe('skipped');
    expect(h.fake.requests.length).toBe(before);
  });

  it('the build dispatches to solve, gate and repair; a mode missing from a registry fails clearly', async () => {
    expect(Object.keys(defaultModes()).sort()).toEqual(['gate', 'repair', 'solve']);
    const r = await h.runAction({
      eventName: 'pull_request',
      payload: {
        action: 'opened',
        number: 99,
        pull_request: { number: 99 },
        sender: { login: 'alice', type: 'User' },
      },
      inputs: inputs(),
      deps: { modes: { solve: runSolve } },
    });
    expect(r.result.verdict).toBe('error');
    expect(r.result.failure).toContain('mode gate is not available in this build');
    expect(r.exitCode).toBe(1);
  });

  it('mode auto hands other pull request events to the real gate', async () => {
    const r = await h.runAction({
      eventName: 'pull_request_target',
      payload: {
        action: 'synchronize',
        number: 98,
        pull_request: { number: 98 },
        sender: { login: 'alice', type: 'User' },
      },
      inputs: inputs(),
    });
    expect(r.result.mode).toBe('gate');
    expect(r.result.failure).toContain('The gate does not run on pull_request_target');
  });

  it('a gate started by someone without write access fails unchecked until a maintainer re-runs it', async () => {
    const before = world.server.requests.length;
    const payload = {
      action: 'synchronize',
      number: 97,
      pull_request: { number: 97 },
      sender: { login: 'bob', type: 'User' },
    };
    const r = await h.runAction({ eventName: 'pull_request', payload, inputs: inputs() });
    expect(r.result).toMatchObject({ mode: 'gate', verdict: 'skipped' });
    expect(r.result.failure).toMatch(/The gate did not check this pull request: bob .*re-running this job/);
    expect(r.exitCode).toBe(1);
    expect(r.summary).toContain('CoSPlay gate: not run');
    expect(world.server.requests.length).toBe(before);
    // the re-run by a maintainer gets past the permission check to the gate itself (which then stops at the
    // fake's missing pull request)
    const rerun = await h.runAction({
      eventName: 'pull_request',
      payload,
      inputs: inputs(),
      env: { GITHUB_TRIGGERING_ACTOR: 'alice', GITHUB_RUN_ATTEMPT: '2' },
    });
    expect(rerun.result.failure).toContain('could not list the files of pull request #97');
  });

  it('workflow_dispatch with issue-number solves that issue', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'Dispatched', body: ISSUE_BODY });
    const r = await h.runAction({
      eventName: 'workflow_dispatch',
      payload: {
        inputs: { 'issue-number': String(issue) },
        ref: 'refs/heads/main',
        sender: { login: 'alice', type: 'User' },
      },
      inputs: inputs(),
    });
    expect(r.result.verdict).toBe('selected');
    expect(h.fake.pulls(REPO).find((p) => p.head === `cosplay/issue-${issue}`)?.base).toBe('main');
  });

  it('a labeled pull request from this repository gets the result committed to its branch', async () => {
    // A branch with a spec in its PR body.
    const seed = checkoutBranch('main');
    sh(seed, 'checkout', '--quiet', '-b', 'feature/vowels');
    sh(
      seed,
      '-c',
      'user.name=A',
      '-c',
      'user.email=a@example.com',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'wip',
    );
    sh(seed, 'push', '--quiet', 'origin', 'feature/vowels');
    const before = sh(h.bare, 'rev-parse', 'refs/heads/feature/vowels');
    const pull = h.fake.addPull(REPO, {
      head: 'feature/vowels',
      base: 'main',
      body: ISSUE_BODY,
      title: 'Vowels',
    });
    const r = await h.runAction({
      eventName: 'pull_request',
      payload: {
        action: 'labeled',
        label: { name: 'cosplay' },
        number: pull.number,
        pull_request: { number: pull.number },
        sender: { login: 'alice', type: 'User' },
      },
      inputs: inputs(),
    });
    expect(r.result.failure).toBeUndefined();
    expect(r.result.verdict).toBe('selected');
    expect(r.outputs['pull-request-number']).toBe(String(pull.number));
    expect(
      h.fake.pulls(REPO).filter((p) => p.head.includes('vowels') || p.head.includes(`pr-${pull.number}`)),
    ).toHaveLength(1);
    expect(sh(h.bare, 'rev-parse', 'refs/heads/feature/vowels^')).toBe(before);
    expect(sh(h.bare, 'show', 'refs/heads/feature/vowels:src/textutil.py')).toContain('def count_vowels');
    const body = h.fake.comments(REPO, pull.number)[0]!.body;
    expect(body).toContain("Committed to this pull request's branch `feature/vowels`");
    expect(body).not.toContain('Closes #');
  });

  it('a labeled pull request from a fork gets a separate pull request into its base; the fork is not pushed to', async () => {
    const pull = h.fake.addPull(REPO, {
      head: 'patch-1',
      headOwner: 'stranger',
      base: 'main',
      body: ISSUE_BODY,
      title: 'From a fork',
    });
    const r = await h.runAction({
      eventName: 'pull_request_target',
      payload: {
        action: 'labeled',
        label: { name: 'cosplay' },
        number: pull.number,
        pull_request: { number: pull.number },
        sender: { login: 'alice', type: 'User' },
      },
      inputs: inputs(),
    });
    expect(r.result.failure).toBeUndefined();
    const made = h.fake.pulls(REPO).find((p) => p.head === `cosplay/pr-${pull.number}`)!;
    expect(made).toMatchObject({ base: 'main', draft: true });
    expect(made.body).not.toContain('Closes #');
    expect(r.outputs['pull-request-number']).toBe(String(made.number));
    expect(sh(h.bare, 'show', `refs/heads/cosplay/pr-${pull.number}:src/textutil.py`)).toContain(
      'def count_vowels',
    );
    expect(h.fake.comments(REPO, pull.number)[0]!.body).toContain(
      `Opened draft pull request #${made.number}`,
    );
  });
});
