import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  addLabels,
  branchForIssue,
  checkActorPermission,
  createGitHubClient,
  ensureLabel,
  findMarkedComment,
  getIssue,
  getPullRequest,
  getRepository,
  listPullRequestFiles,
  PullRequestsNotPermittedError,
  removeLabel,
  TokenPermissionError,
  upsertIssueComment,
  upsertPullRequest,
  type GitHub,
} from '../../src/github/index.js';
import { UserError } from '../../src/types.js';
import { FakeGitHub } from '../support/fake-github.js';

let fake: FakeGitHub;
let gh: GitHub;
const R = 'octo/demo';
const ref = { owner: 'octo', repo: 'demo' };

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.repos.clear();
  fake.requests.length = 0;
  fake.addRepo(R);
  gh = createGitHubClient({
    token: 'test-token',
    baseUrl: fake.url,
    throttle: false,
    retryAfterBaseValueMs: 1,
  });
});

describe('createGitHubClient', () => {
  const saved = process.env.GITHUB_API_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_API_URL;
    else process.env.GITHUB_API_URL = saved;
  });

  it('takes its base URL from GITHUB_API_URL and sends the token', async () => {
    process.env.GITHUB_API_URL = fake.url + '/';
    const client = createGitHubClient({ token: 'test-token', throttle: false });
    expect((await getRepository(client, ref)).defaultBranch).toBe('main');
    expect(fake.requests[0]!.headers.authorization).toBe('token test-token');
  });

  it('refuses an empty token with a message that says what to pass', () => {
    expect(() => createGitHubClient({ token: ' ' })).toThrow(/github-token input is empty/);
  });

  it('turns a bad token into a UserError', async () => {
    const client = createGitHubClient({ token: 'wrong', baseUrl: fake.url, throttle: false });
    await expect(getRepository(client, ref)).rejects.toThrow(/token is invalid or expired/);
  });

  it('retries server errors', async () => {
    fake.failNext({ method: 'GET', path: '/repos/octo/demo', status: 502, times: 2 });
    expect((await getRepository(gh, ref)).defaultBranch).toBe('main');
    expect(fake.requestsTo('GET', '/repos/octo/demo')).toHaveLength(3);
  });

  it('waits out a secondary rate limit (throttling on)', async () => {
    const throttled = createGitHubClient({
      token: 'test-token',
      baseUrl: fake.url,
      retryAfterBaseValueMs: 1,
    });
    fake.failNext({
      method: 'GET',
      path: '/repos/octo/demo',
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '2' },
    });
    expect((await getRepository(throttled, ref)).defaultBranch).toBe('main');
    expect(fake.requestsTo('GET', '/repos/octo/demo')).toHaveLength(2);
  });

  it('gives up on a rate limit longer than it may wait', async () => {
    const throttled = createGitHubClient({
      token: 'test-token',
      baseUrl: fake.url,
      retryAfterBaseValueMs: 1,
      maxRateLimitWaitSeconds: 5,
    });
    fake.failNext({
      method: 'GET',
      path: '/repos/octo/demo',
      status: 403,
      message: 'API rate limit exceeded for installation.',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
    });
    await expect(getRepository(throttled, ref)).rejects.toThrow(/rate limit/);
    expect(fake.requestsTo('GET', '/repos/octo/demo')).toHaveLength(1);
  });
});

describe('checkActorPermission', () => {
  it.each([
    ['admin', true],
    ['maintain', true],
    ['write', true],
    ['triage', false],
    ['read', false],
    ['none', false],
  ] as const)('role %s -> allowed %s', async (role, allowed) => {
    fake.setRole(R, 'alice', role);
    const r = await checkActorPermission(gh, { ...ref, actor: 'alice' });
    expect(r).toMatchObject({ allowed, permission: role, isBot: false });
    if (!allowed) expect(r.reason).toMatch(/needs write, maintain or admin/);
  });

  it('denies someone who is not a collaborator', async () => {
    const r = await checkActorPermission(gh, { ...ref, actor: 'mallory' });
    expect(r).toMatchObject({ allowed: false, permission: 'none' });
    expect(r.reason).toMatch(/not a collaborator/);
  });

  it('uses the base permission of a custom role', async () => {
    fake.failNext({
      path: '/repos/octo/demo/collaborators/carol/permission',
      status: 200,
      body: { permission: 'write', role_name: 'release-manager' },
    });
    expect(await checkActorPermission(gh, { ...ref, actor: 'carol' })).toMatchObject({
      allowed: true,
      permission: 'write',
    });
  });

  it('denies bots unless allow-listed, without asking the API', async () => {
    fake.setRole(R, 'renovate[bot]', 'admin');
    expect(await checkActorPermission(gh, { ...ref, actor: 'renovate[bot]' })).toMatchObject({
      allowed: false,
      isBot: true,
    });
    expect(
      await checkActorPermission(gh, { ...ref, actor: 'renovate[bot]', allowedBots: ['Renovate'] }),
    ).toMatchObject({ allowed: true });
    expect(
      await checkActorPermission(gh, {
        ...ref,
        actor: 'helper',
        actorType: 'Bot',
        allowedBots: ['helper[bot]'],
      }),
    ).toMatchObject({
      allowed: true,
    });
    expect(
      await checkActorPermission(gh, { ...ref, actor: 'helper', actorType: 'Bot', allowedBots: ['other'] }),
    ).toMatchObject({
      allowed: false,
    });
    expect(fake.requestsTo('GET', /permission$/)).toHaveLength(0);
  });

  it('explains a token that may not read permissions', async () => {
    fake.failNext({ path: /permission$/, status: 403, message: 'Resource not accessible by integration' });
    await expect(checkActorPermission(gh, { ...ref, actor: 'alice' })).rejects.toThrow(TokenPermissionError);
  });
});

describe('upsertPullRequest', () => {
  const head = branchForIssue(12);
  const opts = { ...ref, head, base: 'main', title: 'Count vowels (#12)', body: 'first body' };

  it('creates a draft, then updates the same pull request on a re-run', async () => {
    const first = await upsertPullRequest(gh, opts);
    expect(first).toMatchObject({
      created: true,
      draft: true,
      number: 1,
      url: 'https://github.com/octo/demo/pull/1',
    });
    expect(fake.requestsTo('GET', '/repos/octo/demo/pulls')[0]!.query.head).toBe('octo:cosplay/issue-12');

    const second = await upsertPullRequest(gh, {
      ...opts,
      body: 'second body',
      title: 'Count vowels, take 2',
    });
    expect(second).toMatchObject({ created: false, number: 1, draft: true });
    expect(fake.pulls(R)).toHaveLength(1);
    expect(fake.pulls(R)[0]).toMatchObject({ body: 'second body', title: 'Count vowels, take 2' });
    expect(fake.requestsTo('POST', '/repos/octo/demo/pulls')).toHaveLength(1);

    // Same content again: nothing to write.
    await upsertPullRequest(gh, { ...opts, body: 'second body', title: 'Count vowels, take 2' });
    expect(fake.requestsTo('PATCH', '/repos/octo/demo/pulls/1')).toHaveLength(1);
  });

  it('ignores pull requests of other branches and opens a new one when the old one was closed', async () => {
    await upsertPullRequest(gh, { ...opts, head: branchForIssue(3) });
    const a = await upsertPullRequest(gh, opts);
    expect(a.created).toBe(true);
    fake.repo(R).pulls.get(a.number)!.state = 'closed';
    const b = await upsertPullRequest(gh, opts);
    expect(b.created).toBe(true);
    expect(b.number).not.toBe(a.number);
  });

  it('checks the head itself when GitHub returns unfiltered results', async () => {
    await upsertPullRequest(gh, { ...opts, head: branchForIssue(3) });
    const other = fake.pulls(R)[0]!;
    // A server that ignores the filter returns the other pull request: it must not be updated.
    fake.failNext({
      method: 'GET',
      path: '/repos/octo/demo/pulls',
      status: 200,
      body: [
        {
          number: other.number,
          html_url: 'x',
          title: 't',
          body: '',
          head: { ref: other.head, label: `octo:${other.head}` },
          base: { ref: 'main' },
        },
      ],
    });
    const r = await upsertPullRequest(gh, opts);
    expect(r.created).toBe(true);
    expect(fake.pulls(R).find((p) => p.number === other.number)!.body).toBe('first body');
  });

  it('opens a ready pull request when asked (draft: false)', async () => {
    const r = await upsertPullRequest(gh, { ...opts, draft: false, labels: ['cosplay'] });
    expect(r.draft).toBe(false);
    expect(fake.requestsTo('POST', '/repos/octo/demo/issues/1/labels')[0]!.body).toEqual({
      labels: ['cosplay'],
    });
  });

  it.each([403, 422] as const)(
    'turns the "Actions may not create pull requests" refusal (%d) into a fix message',
    async (status) => {
      fake.repo(R).actionsMayCreatePullRequests = false;
      fake.repo(R).refusalStatus = status;
      const err = await upsertPullRequest(gh, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PullRequestsNotPermittedError);
      expect(err).toBeInstanceOf(UserError);
      const message = (err as Error).message;
      expect(message).toMatch(/Settings > Actions > General > Workflow permissions/);
      expect(message).toMatch(/Allow GitHub Actions to create and approve pull requests/);
      expect(message).toContain('/octo/demo/compare/main...cosplay%2Fissue-12?expand=1');
    },
  );

  it('falls back to a ready pull request where drafts are not supported, and says so', async () => {
    fake.repo(R).draftsSupported = false;
    const r = await upsertPullRequest(gh, opts);
    expect(r).toMatchObject({ created: true, draft: false, draftUnsupported: true });
  });

  it('updates the pull request another run created between lookup and create', async () => {
    await upsertPullRequest(gh, opts);
    fake.failNext({ method: 'GET', path: '/repos/octo/demo/pulls', status: 200, body: [] });
    const r = await upsertPullRequest(gh, { ...opts, body: 'raced' });
    expect(r).toMatchObject({ created: false, number: 1 });
    expect(fake.pulls(R)[0]!.body).toBe('raced');
  });

  it('explains a token without pull-requests: write', async () => {
    fake.failNext({
      method: 'POST',
      path: '/repos/octo/demo/pulls',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    await expect(upsertPullRequest(gh, opts)).rejects.toThrow(/pull-requests: write/);
  });

  it('cuts a body longer than GitHub accepts', async () => {
    await upsertPullRequest(gh, { ...opts, body: 'x'.repeat(70_000) });
    expect(fake.pulls(R)[0]!.body.length).toBeLessThanOrEqual(65_536);
    expect(fake.pulls(R)[0]!.body).toMatch(/cut/);
  });
});

describe('upsertIssueComment', () => {
  let issue: number;
  beforeEach(() => {
    issue = fake.addIssue(R, { title: 'Count vowels', body: 'spec' });
  });

  it('creates a marked comment, then updates it instead of repeating', async () => {
    const a = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'Run 1' });
    expect(a.created).toBe(true);
    const b = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'Run 2' });
    expect(b).toEqual({ id: a.id, url: a.url, created: false });
    expect(fake.comments(R, issue).map((c) => c.body)).toEqual(['<!-- cosplay:solve -->\nRun 2']);
  });

  it('keeps comments of different kinds apart', async () => {
    await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'spec', body: 'missing X' });
    await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'done' });
    expect(fake.comments(R, issue)).toHaveLength(2);
  });

  it("never takes over a person's comment that copies the marker", async () => {
    const human = fake.addComment(R, issue, '<!-- cosplay:solve -->\nI wrote this', {
      login: 'mallory',
      type: 'User',
    });
    const r = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'status' });
    expect(r.created).toBe(true);
    expect(fake.comments(R, issue).find((c) => c.id === human.id)!.body).toBe(
      '<!-- cosplay:solve -->\nI wrote this',
    );
    // With the author named, only that author's comments count.
    const other = fake.addComment(R, issue, '<!-- cosplay:solve -->\nother bot', {
      login: 'other[bot]',
      type: 'Bot',
    });
    await upsertIssueComment(gh, {
      ...ref,
      issueNumber: issue,
      kind: 'solve',
      body: 'status 2',
      author: 'github-actions[bot]',
    });
    expect(fake.comments(R, issue).find((c) => c.id === other.id)!.body).toBe(
      '<!-- cosplay:solve -->\nother bot',
    );
    expect(fake.comments(R, issue).filter((c) => c.body.endsWith('status 2'))).toHaveLength(1);
  });

  it('finds its comment among many pages', async () => {
    for (let i = 0; i < 130; i++) fake.addComment(R, issue, `chatter ${i}`, { login: 'bob', type: 'User' });
    const a = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'one' });
    for (let i = 0; i < 5; i++) fake.addComment(R, issue, `more ${i}`, { login: 'bob', type: 'User' });
    const b = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'two' });
    expect(b.id).toBe(a.id);
    expect(fake.requestsTo('GET', `/repos/octo/demo/issues/${issue}/comments`).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it('writes a new comment when the old one vanished meanwhile', async () => {
    const a = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'one' });
    fake.failNext({
      method: 'PATCH',
      path: `/repos/octo/demo/issues/comments/${a.id}`,
      status: 404,
      message: 'Not Found',
    });
    const b = await upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'solve', body: 'two' });
    expect(b.created).toBe(true);
    expect(b.id).not.toBe(a.id);
  });

  it('finds nothing on a fresh issue', async () => {
    expect(await findMarkedComment(gh, { ...ref, issueNumber: issue, kind: 'solve' })).toBeNull();
  });

  it('refuses marker kinds that could break the HTML comment', async () => {
    await expect(
      upsertIssueComment(gh, { ...ref, issueNumber: issue, kind: 'a -->', body: 'x' }),
    ).rejects.toThrow(/Invalid comment marker/);
  });
});

describe('pull requests as input', () => {
  it('reads a pull request, tells a fork from a branch of the repository, and lists its files', async () => {
    const own = fake.addPull(R, {
      head: 'feature',
      headSha: 'a'.repeat(40),
      body: 'spec here',
      files: [{ filename: 'src/a.py', status: 'modified' }],
    });
    const fork = fake.addPull(R, { head: 'main', headOwner: 'stranger' });
    expect(await getPullRequest(gh, { ...ref, pullNumber: own.number })).toMatchObject({
      headRef: 'feature',
      headSha: 'a'.repeat(40),
      headRepo: 'octo/demo',
      baseRef: 'main',
      body: 'spec here',
      isFork: false,
    });
    expect((await getPullRequest(gh, { ...ref, pullNumber: fork.number })).isFork).toBe(true);
    expect(await listPullRequestFiles(gh, { ...ref, pullNumber: own.number })).toEqual([
      { path: 'src/a.py', status: 'modified' },
    ]);
    await expect(getPullRequest(gh, { ...ref, pullNumber: 404 })).rejects.toThrow(/#404 does not exist/);
    expect((await getIssue(gh, { ...ref, issueNumber: own.number })).isPullRequest).toBe(true);
  });
});

describe('issues and labels', () => {
  it('reads an issue, and says when it does not exist', async () => {
    const n = fake.addIssue(R, { title: 'T', body: 'B', labels: ['cosplay'], user: 'alice' });
    expect(await getIssue(gh, { ...ref, issueNumber: n })).toMatchObject({
      number: n,
      title: 'T',
      body: 'B',
      labels: ['cosplay'],
      author: 'alice',
      isPullRequest: false,
    });
    await expect(getIssue(gh, { ...ref, issueNumber: 99 })).rejects.toThrow(/#99 does not exist/);
  });

  it('adds, removes and creates labels', async () => {
    const n = fake.addIssue(R, {});
    expect(await ensureLabel(gh, { ...ref, name: 'cosplay', color: '#123456' })).toBe(true);
    expect(await ensureLabel(gh, { ...ref, name: 'cosplay' })).toBe(false);
    expect(fake.repo(R).labels.get('cosplay')!.color).toBe('123456');
    await addLabels(gh, { ...ref, issueNumber: n, labels: ['cosplay', 'cosplay:done'] });
    expect(fake.repo(R).issues.get(n)!.labels).toEqual(['cosplay', 'cosplay:done']);
    expect(await removeLabel(gh, { ...ref, issueNumber: n, label: 'cosplay' })).toBe(true);
    expect(await removeLabel(gh, { ...ref, issueNumber: n, label: 'cosplay' })).toBe(false);
    expect(fake.repo(R).issues.get(n)!.labels).toEqual(['cosplay:done']);
  });
});
