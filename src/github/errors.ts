// Errors of the GitHub side, turned into messages that say what to change.
import { UserError } from '../types.js';

/** The HTTP status of an Octokit RequestError (or anything with a numeric `status`), else undefined. */
export function httpStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** Every message GitHub put in the error: the top-level message and each `errors[].message`/`code`. */
export function apiMessages(err: unknown): string {
  const parts: string[] = [];
  const e = err as { message?: unknown; response?: { data?: unknown } } | null;
  if (typeof e?.message === 'string') parts.push(e.message);
  const data = e?.response?.data as { message?: unknown; errors?: unknown } | undefined;
  if (data && typeof data === 'object') {
    if (typeof data.message === 'string') parts.push(data.message);
    if (Array.isArray(data.errors)) {
      for (const x of data.errors) {
        if (typeof x === 'string') parts.push(x);
        else if (x && typeof x === 'object') {
          const o = x as Record<string, unknown>;
          for (const k of ['message', 'code', 'field'])
            if (typeof o[k] === 'string') parts.push(String(o[k]));
        }
      }
    }
  }
  return parts.join(' | ');
}

const NOT_PERMITTED = /GitHub Actions is not permitted to create or approve pull requests/i;

export function isActionsPullRequestRefusal(err: unknown): boolean {
  const s = httpStatus(err);
  return (s === 403 || s === 422) && NOT_PERMITTED.test(apiMessages(err));
}

/**
 * The repository (or its organisation) does not let GITHUB_TOKEN create pull requests. The branch is already
 * pushed; the message says how to allow it, or how to open the pull request by hand.
 */
export class PullRequestsNotPermittedError extends UserError {
  constructor(
    readonly compareUrl: string,
    options?: { cause?: unknown },
  ) {
    super(
      'GitHub refused to create the pull request: "GitHub Actions is not permitted to create or approve pull requests" in this repository. ' +
        'To allow it: Settings > Actions > General > Workflow permissions > tick "Allow GitHub Actions to create and approve pull requests" ' +
        "(in an organisation, first allow it in the organisation's Settings > Actions > General), then re-run. " +
        'Alternatively pass a token with pull-requests: write (a GitHub App or a fine-grained personal token) as github-token. ' +
        `The branch was pushed; you can open the pull request by hand: ${compareUrl}`,
      options,
    );
    this.name = 'PullRequestsNotPermittedError';
  }
}

/** The token lacks a permission the step needs ("Resource not accessible by integration"). */
export class TokenPermissionError extends UserError {
  constructor(
    readonly step: string,
    readonly permission: string,
    options?: { cause?: unknown },
  ) {
    super(
      `GitHub refused to ${step}: the token lacks ${permission}. Add \`permissions:\` with \`${permission}\` to the workflow job ` +
        '(contents: write, pull-requests: write and issues: write are what the action needs), or pass a token that has it as github-token.',
      options,
    );
    this.name = 'TokenPermissionError';
  }
}

/** Wraps failures of a GitHub call: known user-fixable cases become UserErrors, the rest keep their cause. */
export function explainGitHubError(err: unknown, step: string, permission: string): Error {
  if (err instanceof UserError) return err;
  const status = httpStatus(err);
  const msg = apiMessages(err);
  if (status === 401) {
    return new UserError(
      `GitHub refused to ${step}: the token is invalid or expired (401 Bad credentials). Check the github-token input.`,
      {
        cause: err,
      },
    );
  }
  if (status === 403 && /not accessible by integration|must have (push|admin) access|permission/i.test(msg)) {
    return new TokenPermissionError(step, permission, { cause: err });
  }
  if (status === 403 && /rate limit/i.test(msg)) {
    return new UserError(`GitHub's API rate limit stopped the run while trying to ${step}. Re-run later.`, {
      cause: err,
    });
  }
  const e = new Error(
    `GitHub API: could not ${step}${status ? ` (HTTP ${status})` : ''}: ${msg || String(err)}`,
    { cause: err },
  );
  return e;
}
