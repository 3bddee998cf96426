// The pull request of a run: one per branch (`cosplay/issue-N`), created as a draft by default and updated in
// place on re-runs.
import type { GitHub, RepoRef } from './client.js';
import { serverUrl } from './client.js';
import {
  apiMessages,
  explainGitHubError,
  httpStatus,
  isActionsPullRequestRefusal,
  PullRequestsNotPermittedError,
} from './errors.js';
import { MAX_BODY_CHARS } from './comments.js';
import { UserError } from '../types.js';

export interface UpsertPullRequestOptions extends RepoRef {
  /** The branch with the changes, e.g. `cosplay/issue-12`. */
  head: string;
  /** Owner of the head branch's repository (default: the repository owner). */
  headOwner?: string;
  /** The branch to merge into. */
  base: string;
  title: string;
  body: string;
  /** Open new pull requests as drafts (default true). Existing ones keep their state. */
  draft?: boolean;
  /** Labels to add to the pull request. */
  labels?: string[];
}

export interface PullRequestResult {
  number: number;
  url: string;
  created: boolean;
  draft: boolean;
  /** A draft was asked for but the repository does not support drafts, so a ready pull request was opened. */
  draftUnsupported: boolean;
}

interface PullLike {
  number: number;
  html_url: string;
  draft?: boolean;
  title: string;
  body?: string | null;
  head: { ref: string; label: string };
  base: { ref: string };
}

export function branchForIssue(issueNumber: number): string {
  if (!Number.isInteger(issueNumber) || issueNumber <= 0)
    throw new Error(`Invalid issue number ${issueNumber}`);
  return `cosplay/issue-${issueNumber}`;
}

/**
 * A branch name under `cosplay/` from free-form parts, e.g. cosplayBranch('repair', 'src/util.py', 'parse')
 * -> `cosplay/repair-src-util-py-parse`. Only [a-z0-9._-] survive; long names are cut.
 */
export function cosplayBranch(...parts: string[]): string {
  const slug = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[-.]*-[-.]*/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
    .replace(/[-.]+$/, '');
  if (slug === '') throw new Error('cosplayBranch: empty name');
  return `cosplay/${slug.endsWith('.lock') ? slug + '-' : slug}`;
}

export function compareUrl(
  ref: RepoRef & { base: string; head: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  return `${serverUrl(env)}/${ref.owner}/${ref.repo}/compare/${encodeURIComponent(ref.base)}...${encodeURIComponent(ref.head)}?expand=1`;
}

function capBody(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  const note = '\n\n… (cut: the full report is in the job summary and the trace artifact)\n';
  return body.slice(0, MAX_BODY_CHARS - note.length) + note;
}

/** The open pull request whose head is `headOwner:head`, if any. */
export async function findOpenPullRequest(
  gh: GitHub,
  ref: RepoRef & { head: string; headOwner?: string },
): Promise<PullLike | null> {
  const headOwner = ref.headOwner ?? ref.owner;
  const label = `${headOwner}:${ref.head}`;
  try {
    const pulls = (await gh.paginate(gh.rest.pulls.list, {
      owner: ref.owner,
      repo: ref.repo,
      state: 'open',
      head: label,
      per_page: 100,
    })) as PullLike[];
    // GitHub ignores a malformed head filter and returns everything: check the head ourselves.
    return (
      pulls.find((p) => p.head.ref === ref.head && p.head.label.toLowerCase() === label.toLowerCase()) ?? null
    );
  } catch (err) {
    throw explainGitHubError(err, 'list pull requests', 'pull-requests: read');
  }
}

export async function upsertPullRequest(
  gh: GitHub,
  options: UpsertPullRequestOptions,
): Promise<PullRequestResult> {
  const body = capBody(options.body);
  const title = options.title.trim().slice(0, 256) || 'CoSPlay';
  const existing = await findOpenPullRequest(gh, options);
  let result: PullRequestResult;
  if (existing) result = await update(gh, options, existing, title, body);
  else result = await create(gh, options, title, body);
  if (options.labels && options.labels.length > 0) {
    try {
      await gh.rest.issues.addLabels({
        owner: options.owner,
        repo: options.repo,
        issue_number: result.number,
        labels: options.labels,
      });
    } catch (err) {
      throw explainGitHubError(err, `label pull request #${result.number}`, 'issues: write');
    }
  }
  return result;
}

async function update(
  gh: GitHub,
  options: UpsertPullRequestOptions,
  pr: PullLike,
  title: string,
  body: string,
): Promise<PullRequestResult> {
  const changes: { title?: string; body?: string; base?: string } = {};
  if (pr.title !== title) changes.title = title;
  if ((pr.body ?? '') !== body) changes.body = body;
  if (pr.base.ref !== options.base) changes.base = options.base;
  if (Object.keys(changes).length > 0) {
    try {
      await gh.rest.pulls.update({
        owner: options.owner,
        repo: options.repo,
        pull_number: pr.number,
        ...changes,
      });
    } catch (err) {
      throw explainGitHubError(err, `update pull request #${pr.number}`, 'pull-requests: write');
    }
  }
  return {
    number: pr.number,
    url: pr.html_url,
    created: false,
    draft: pr.draft === true,
    draftUnsupported: false,
  };
}

async function create(
  gh: GitHub,
  options: UpsertPullRequestOptions,
  title: string,
  body: string,
): Promise<PullRequestResult> {
  const wantDraft = options.draft !== false;
  const head =
    options.headOwner && options.headOwner !== options.owner
      ? `${options.headOwner}:${options.head}`
      : options.head;
  const attempt = async (draft: boolean) => {
    const { data } = await gh.rest.pulls.create({
      owner: options.owner,
      repo: options.repo,
      head,
      base: options.base,
      title,
      body,
      draft,
    });
    return data as unknown as PullLike;
  };
  try {
    const pr = await attempt(wantDraft);
    return {
      number: pr.number,
      url: pr.html_url,
      created: true,
      draft: pr.draft === true,
      draftUnsupported: false,
    };
  } catch (err) {
    const msg = apiMessages(err);
    if (isActionsPullRequestRefusal(err)) {
      throw new PullRequestsNotPermittedError(compareUrl({ ...options, head }), { cause: err });
    }
    if (httpStatus(err) === 422 && wantDraft && /draft pull requests are not supported/i.test(msg)) {
      try {
        const pr = await attempt(false);
        return { number: pr.number, url: pr.html_url, created: true, draft: false, draftUnsupported: true };
      } catch (again) {
        if (isActionsPullRequestRefusal(again))
          throw new PullRequestsNotPermittedError(compareUrl({ ...options, head }), { cause: again });
        throw explainGitHubError(again, 'create the pull request', 'pull-requests: write');
      }
    }
    if (httpStatus(err) === 422 && /pull request already exists/i.test(msg)) {
      // Another run created it between our lookup and our create: update that one.
      const pr = await findOpenPullRequest(gh, options);
      if (pr) return update(gh, options, pr, title, body);
    }
    if (httpStatus(err) === 422 && /no commits between/i.test(msg)) {
      throw new UserError(
        `There is nothing to propose: ${options.head} has no commits that ${options.base} lacks.`,
        { cause: err },
      );
    }
    if (httpStatus(err) === 422 && /(head|base).*(invalid|not found)|field.*(head|base)/i.test(msg)) {
      throw new UserError(
        `GitHub could not open a pull request from ${head} into ${options.base}: ${msg}. Check that the branch was pushed and the base branch exists.`,
        { cause: err },
      );
    }
    throw explainGitHubError(err, 'create the pull request', 'pull-requests: write');
  }
}
