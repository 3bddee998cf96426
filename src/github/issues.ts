// Reading issues, pull requests and the repository.
import type { GitHub, RepoRef } from './client.js';
import { explainGitHubError, httpStatus } from './errors.js';
import { UserError } from '../types.js';

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  state: string;
  isPullRequest: boolean;
  url: string;
}

export async function getIssue(gh: GitHub, ref: RepoRef & { issueNumber: number }): Promise<IssueInfo> {
  try {
    const { data } = await gh.rest.issues.get({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issueNumber,
    });
    return {
      number: data.number,
      title: data.title ?? '',
      body: data.body ?? '',
      labels: (data.labels ?? [])
        .map((l) => (typeof l === 'string' ? l : (l.name ?? '')))
        .filter((l) => l !== ''),
      author: data.user?.login ?? '',
      state: data.state ?? 'open',
      isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
      url: data.html_url ?? '',
    };
  } catch (err) {
    if (httpStatus(err) === 404 || httpStatus(err) === 410) {
      throw new UserError(
        `Issue #${ref.issueNumber} does not exist in ${ref.owner}/${ref.repo} (or was deleted): check the issue number.`,
        {
          cause: err,
        },
      );
    }
    throw explainGitHubError(err, `read issue #${ref.issueNumber}`, 'issues: read');
  }
}

export interface RepositoryInfo {
  defaultBranch: string;
  private: boolean;
  url: string;
}

export async function getRepository(gh: GitHub, ref: RepoRef): Promise<RepositoryInfo> {
  try {
    const { data } = await gh.rest.repos.get({ owner: ref.owner, repo: ref.repo });
    return { defaultBranch: data.default_branch, private: data.private, url: data.html_url };
  } catch (err) {
    throw explainGitHubError(err, `read the repository ${ref.owner}/${ref.repo}`, 'contents: read');
  }
}

export interface PullRequestInfo {
  number: number;
  title: string;
  body: string;
  state: string;
  draft: boolean;
  url: string;
  author: string;
  headRef: string;
  headSha: string;
  /** owner/repo of the head branch; differs from the base repository for a fork (null: the fork was deleted). */
  headRepo: string | null;
  baseRef: string;
  /** True when the head branch lives in another repository (a fork): never push to it. */
  isFork: boolean;
}

export async function getPullRequest(
  gh: GitHub,
  ref: RepoRef & { pullNumber: number },
): Promise<PullRequestInfo> {
  try {
    const { data } = await gh.rest.pulls.get({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.pullNumber,
    });
    const headRepo = data.head.repo?.full_name ?? null;
    return {
      number: data.number,
      title: data.title,
      body: data.body ?? '',
      state: data.state,
      draft: data.draft === true,
      url: data.html_url,
      author: data.user?.login ?? '',
      headRef: data.head.ref,
      headSha: data.head.sha,
      headRepo,
      baseRef: data.base.ref,
      isFork: headRepo === null || headRepo.toLowerCase() !== `${ref.owner}/${ref.repo}`.toLowerCase(),
    };
  } catch (err) {
    if (httpStatus(err) === 404) {
      throw new UserError(`Pull request #${ref.pullNumber} does not exist in ${ref.owner}/${ref.repo}.`, {
        cause: err,
      });
    }
    throw explainGitHubError(err, `read pull request #${ref.pullNumber}`, 'pull-requests: read');
  }
}

export interface ChangedFile {
  path: string;
  status: string;
  previousPath?: string;
}

/** The files a pull request changes (up to GitHub's limit of 3000). */
export async function listPullRequestFiles(
  gh: GitHub,
  ref: RepoRef & { pullNumber: number },
): Promise<ChangedFile[]> {
  try {
    const files = await gh.paginate(gh.rest.pulls.listFiles, {
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.pullNumber,
      per_page: 100,
    });
    return files.map((f) => {
      const c: ChangedFile = { path: f.filename, status: f.status };
      if (f.previous_filename) c.previousPath = f.previous_filename;
      return c;
    });
  } catch (err) {
    throw explainGitHubError(err, `list the files of pull request #${ref.pullNumber}`, 'pull-requests: read');
  }
}
