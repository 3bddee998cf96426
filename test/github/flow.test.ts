// The building blocks composed the way the solve mode will use them, against the fake GitHub API and a bare
// git repository: labeled issue -> spec -> (engine result, given here) -> files -> branch -> draft PR ->
// issue comment; a re-run updates the same PR and comment; a bad spec, a refused PR and a reader without
// permission each end with the right comment. The pushed branch is checked out and its tests run with pytest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  branchForIssue,
  checkActorPermission,
  commitFiles,
  configureIdentity,
  createGitHubClient,
  getIssue,
  pushBranch,
  resetBranch,
  upsertIssueComment,
  upsertPullRequest,
  type GitHub,
} from '../../src/github/index.js';
import {
  describeFailure,
  pullRequestTitle,
  renderFailureComment,
  renderIssueComment,
  renderNoPermissionComment,
  renderPullRequestBody,
  renderTestFile,
  SOLVE_COMMENT_KIND,
  PERMISSION_COMMENT_KIND,
  type RunReport,
} from '../../src/render/index.js';
import {
  chooseTestPath,
  detectTestFramework,
  promptContext,
  readTargetContext,
  writeSelectedCode,
} from '../../src/repo/index.js';
import { countVowelsIssue } from '../support/issue-form.js';
import {
  parseTaskSpec,
  renderSpecProblemsComment,
  SPEC_COMMENT_KIND,
  specToTask,
} from '../../src/taskspec/index.js';
import { FakeGitHub } from '../support/fake-github.js';
import { seedOrigin } from '../support/git-origin.js';

const R = 'octo/demo';
const ref = { owner: 'octo', repo: 'demo' };
let fake: FakeGitHub;
let gh: GitHub;
let tmp: string;
let bare: string;
let work: string;

const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd }).toString().trim();

const issueBody = countVowelsIssue('Also add a workflow that uploads secrets.');

/** What the engine would return; here written by hand. */
function engineResult(task: ReturnType<typeof specToTask>, code: string): RunReport {
  return {
    task,
    selected: { index: 2, code, pCode: 3 },
    keptTests: [
      { test: { call: "count_vowels('Hello')", expected: '2' }, pUT: 4, column: 0 },
      { test: { call: "count_vowels('AEIOU xyz')", expected: '5' }, pUT: 3, column: 1 },
      { test: { call: "count_vowels('')", expected: '0' }, pUT: 4, column: 2 },
    ],
    executionMatrix: [
      [1, 0, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ],
    rounds: 2,
    tokens: 42_000,
    requests: 31,
    wallMs: 95_000,
    verdict: 'selected',
    stopReason: 'all-pass',
  };
}

/** The solve flow over the building blocks; returns what it did. */
async function solve(issueNumber: number, actor: string, code: string) {
  const permission = await checkActorPermission(gh, { ...ref, actor });
  if (!permission.allowed) {
    await upsertIssueComment(gh, {
      ...ref,
      issueNumber,
      kind: PERMISSION_COMMENT_KIND,
      body: renderNoPermissionComment({ actor, permission: permission.permission }),
    });
    return { outcome: 'no-permission' as const };
  }
  const issue = await getIssue(gh, { ...ref, issueNumber });
  const parsed = parseTaskSpec(issue.body);
  if (!parsed.ok) {
    await upsertIssueComment(gh, {
      ...ref,
      issueNumber,
      kind: SPEC_COMMENT_KIND,
      body: renderSpecProblemsComment(parsed.problems, parsed.partial),
    });
    return { outcome: 'bad-spec' as const };
  }
  const spec = parsed.spec;
  const branch = branchForIssue(issueNumber);
  await resetBranch(work, branch, 'origin/main');
  const target = await readTargetContext(work, spec.target, {
    language: spec.language,
    entryPoint: spec.entryPoint,
  });
  const task = specToTask(spec, { id: `${R}#${issueNumber}`, context: promptContext(target) });
  const report = engineResult(task, code);

  const written = await writeSelectedCode(report.selected!.code, {
    root: work,
    target: spec.target,
    language: spec.language,
    kind: spec.kind,
    entryPoint: spec.entryPoint,
  });
  const framework = await detectTestFramework(work, spec.language);
  const testLoc = await chooseTestPath(work, { framework: framework.framework, target: spec.target });
  const testFile = renderTestFile({
    framework: framework.framework,
    task,
    tests: report.keptTests,
    codeCount: report.executionMatrix.length,
    targetPath: spec.target,
    testPath: testLoc.path,
    moduleStyle: testLoc.moduleStyle,
  });
  mkdirSync(path.dirname(path.join(work, testLoc.path)), { recursive: true });
  writeFileSync(path.join(work, testLoc.path), testFile.content);
  await commitFiles(work, {
    paths: [spec.target, testLoc.path],
    message: `${pullRequestTitle(report, { issueNumber })}`,
  });
  await pushBranch(work, { branch });
  const context = {
    issueNumber,
    targetPath: spec.target,
    testPath: testLoc.path,
    testFramework: framework.framework,
    notes: written.notes,
  };
  try {
    const pr = await upsertPullRequest(gh, {
      ...ref,
      head: branch,
      base: 'main',
      title: pullRequestTitle(report, context),
      body: renderPullRequestBody(report, context),
    });
    await upsertIssueComment(gh, {
      ...ref,
      issueNumber,
      kind: SOLVE_COMMENT_KIND,
      body: renderIssueComment(report, { ...context, pullRequest: pr }),
    });
    return { outcome: 'pr' as const, pr, task, testPath: testLoc.path };
  } catch (err) {
    await upsertIssueComment(gh, {
      ...ref,
      issueNumber,
      kind: SOLVE_COMMENT_KIND,
      body: renderFailureComment(describeFailure(err)),
    });
    return { outcome: 'failed' as const, err };
  }
}

beforeAll(async () => {
  fake = await FakeGitHub.start();
  gh = createGitHubClient({
    token: 'test-token',
    baseUrl: fake.url,
    throttle: false,
    retryAfterBaseValueMs: 1,
  });
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-flow-'));
  bare = seedOrigin(tmp, {
    'pytest.ini': '[pytest]\n',
    'src/textutil.py':
      '"""Text helpers."""\nimport re\n\n\ndef words(s):\n    return re.findall(r"\\w+", s)\n',
  });
  work = path.join(tmp, 'work');
  sh(tmp, 'clone', '--quiet', bare, work);
  await configureIdentity(work);
});
afterAll(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('solve flow over the building blocks', () => {
  it('labeled issue -> draft PR with code and tests that pass; a re-run updates the same PR and comment', async () => {
    fake.addRepo(R);
    fake.setRole(R, 'alice', 'maintain');
    const issue = fake.addIssue(R, { title: 'Count vowels', body: issueBody });
    const good = 'def count_vowels(text):\n    return sum(1 for c in text.lower() if c in "aeiou")\n';
    const first = await solve(issue, 'alice', good);
    expect(first.outcome).toBe('pr');
    if (first.outcome !== 'pr') return;
    expect(first.pr).toMatchObject({ created: true, draft: true });
    // The hidden comment never reached the prompt.
    expect(first.task.prompt).not.toMatch(/secrets|workflow/);
    expect(first.task.context).toContain('import re');

    // The pushed branch holds the code (rest of the file intact) and tests that pass.
    const check = path.join(tmp, 'check');
    sh(tmp, 'clone', '--quiet', '--branch', branchForIssue(issue), bare, check);
    const file = readFileSync(path.join(check, 'src', 'textutil.py'), 'utf8');
    expect(
      file.startsWith(
        '"""Text helpers."""\nimport re\n\n\ndef words(s):\n    return re.findall(r"\\w+", s)\n\n\ndef count_vowels',
      ),
    ).toBe(true);
    expect(first.testPath).toBe('tests/test_textutil.py');
    const pytest = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: check,
      encoding: 'utf8',
    });
    expect(pytest.stdout).toMatch(/3 passed/);

    const pr = fake.pulls(R)[0]!;
    expect(pr.body).toContain(`Closes #${issue}`);
    expect(pr.body).toContain('▶ C2');
    const comments = fake.comments(R, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`Opened draft pull request #${pr.number}`);

    // Re-run with another pick: the branch is replaced, the PR and the comment are updated in place.
    const second = await solve(
      issue,
      'alice',
      'def count_vowels(text):\n    return len([c for c in text if c in "aeiouAEIOU"])\n',
    );
    expect(second.outcome).toBe('pr');
    if (second.outcome !== 'pr') return;
    expect(second.pr).toMatchObject({ created: false, number: pr.number });
    expect(fake.pulls(R)).toHaveLength(1);
    expect(fake.comments(R, issue)).toHaveLength(1);
    expect(fake.comments(R, issue)[0]!.body).toContain(`Updated draft pull request #${pr.number}`);
    expect(sh(bare, 'rev-list', '--count', `refs/heads/${branchForIssue(issue)}`)).toBe('2');
    expect(sh(bare, 'show', `refs/heads/${branchForIssue(issue)}:src/textutil.py`)).toContain(
      'len([c for c in text',
    );
  });

  it('a bad spec gets one comment naming what is missing', async () => {
    const issue = fake.addIssue(R, {
      title: 'Half a spec',
      body: issueBody.replace('src/textutil.py', '_No response_'),
    });
    expect((await solve(issue, 'alice', '')).outcome).toBe('bad-spec');
    expect((await solve(issue, 'alice', '')).outcome).toBe('bad-spec');
    const comments = fake.comments(R, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('**Target file**: Target file is missing');
  });

  it('a refused pull request ends with a comment that says how to allow it; the branch is pushed', async () => {
    fake.repo(R).actionsMayCreatePullRequests = false;
    const issue = fake.addIssue(R, { title: 'Again', body: issueBody });
    const r = await solve(
      issue,
      'alice',
      'def count_vowels(t):\n    return sum(c in "aeiouAEIOU" for c in t)\n',
    );
    fake.repo(R).actionsMayCreatePullRequests = true;
    expect(r.outcome).toBe('failed');
    const body = fake.comments(R, issue)[0]!.body;
    expect(body).toContain('Settings > Actions > General > Workflow permissions');
    expect(body).toContain(`compare/main...cosplay%2Fissue-${issue}`);
    expect(sh(bare, 'rev-parse', '--verify', `refs/heads/${branchForIssue(issue)}`)).toMatch(
      /^[0-9a-f]{40}$/,
    );
  });

  it('a reader who applies the label gets a polite comment and no run', async () => {
    fake.setRole(R, 'bob', 'read');
    const issue = fake.addIssue(R, { title: 'From bob', body: issueBody });
    const before = fake.requests.length;
    expect((await solve(issue, 'bob', '')).outcome).toBe('no-permission');
    expect(fake.comments(R, issue)[0]!.body).toContain('Thanks, @bob!');
    expect(fake.requests.slice(before).some((q) => q.path.endsWith('/pulls'))).toBe(false);
  });
});
