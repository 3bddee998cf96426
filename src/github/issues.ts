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
