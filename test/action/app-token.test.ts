// A pull request opened with the job's GITHUB_TOKEN starts no workflow, so the docs have the action open it
// with a GitHub App's token (or a PAT) passed as `github-token`, and keep the job's token as the GitHub
// Models key (`api-key`). This runs the action that way: the branch is pushed over HTTP with the App's token
// (not the job token that actions/checkout persisted in .git/config), the pull request and the comment are
// made with the App's token (so they are the App's), and the LLM endpoint gets only the job token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGitHttpServer, type GitHttpServer } from '../github/git-http-server.js';
import { ISSUE_BODY, REPO, SMALL_INPUTS, issueLabeled, sh, startHarness, type Harness } from './harness.js';
import { startWorld, type World } from './world.js';

const APP_TOKEN = 'ghs_AppInstallationToken0123456789ab';
const JOB_TOKEN = 'ghs_JobToken0123456789abcdefghijkl';
const basic = (t: string) => 'basic ' + Buffer.from(`x-access-token:${t}`).toString('base64');

let h: Harness;
let world: World;
let git: GitHttpServer;
let root: string;

beforeAll(async () => {
  h = await startHarness({ token: APP_TOKEN, tokenUser: { login: 'cosplay-app[bot]', type: 'Bot' } });
  world = await startWorld();
  h.fake.addRepo(REPO);
  h.fake.setRole(REPO, 'alice', 'maintain');
  root = mkdtempSync(path.join(tmpdir(), 'cosplay-app-origin-'));
  sh(root, 'clone', '--quiet', '--bare', h.bare, path.join(root, 'demo.git'));
  git = await startGitHttpServer(root, APP_TOKEN);
});
afterAll(async () => {
  await git?.close();
  await world?.close();
  await h?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('github-token from a GitHub App, api-key the job token', () => {
  it('pushes and opens the pull request with the App token; the LLM gets only the job token', async () => {
    const issue = h.fake.addIssue(REPO, { title: 'Count vowels', body: ISSUE_BODY });
    const llmBefore = world.server.requests.length;
    const r = await h.runAction({
      eventName: 'issues',
      payload: issueLabeled(issue),
      inputs: {
        'base-url': world.server.url,
        ...SMALL_INPUTS,
        'github-token': APP_TOKEN,
        'api-key': JOB_TOKEN,
      },
      origin: { url: `${git.url}/demo.git`, persistedToken: JOB_TOKEN },
    });
    expect(r.result.failure).toBeUndefined();
    expect(r.result.verdict).toBe('selected');

    // the push: every authenticated request carried the App token, never the persisted job token
    const sent = git.authorizations.filter((a): a is string => a !== undefined);
    expect(sent.length).toBeGreaterThan(0);
    for (const a of sent) expect(a.toLowerCase()).toBe(basic(APP_TOKEN).toLowerCase());
    expect(sh(path.join(root, 'demo.git'), 'branch', '--list', `cosplay/issue-${issue}`)).toContain(
      `cosplay/issue-${issue}`,
    );

    // the pull request and the comment: made with the App token, so they are the App's
    const creates = h.fake.requestsTo('POST', `/repos/${REPO}/pulls`);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers.authorization).toMatch(new RegExp(`^(token|bearer) ${APP_TOKEN}$`, 'i'));
    for (const q of h.fake.requests) expect(String(q.headers.authorization)).not.toContain(JOB_TOKEN);
    const [pr] = h.fake.pulls(REPO);
    expect(pr!.user.login).toBe('cosplay-app[bot]');

    // the LLM endpoint: the job token as its key, never the App token
    const llm = world.server.requests.slice(llmBefore);
    expect(llm.length).toBeGreaterThan(0);
    for (const q of llm) expect(q.headers.authorization).toBe(`Bearer ${JOB_TOKEN}`);
  });
});
