// The Octokit the action uses: @octokit/rest with retries (5xx, network) and throttling (primary and
// secondary rate limits, honouring retry-after), against GITHUB_API_URL (GitHub Enterprise Server and the
// tests' fake set it) or https://api.github.com.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { UserError } from '../types.js';

export const GitHubOctokit = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof GitHubOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface GitHubClientOptions {
  token: string;
  /** API base URL; default GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
  userAgent?: string;
  log?: { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Retries of 5xx and network failures (default 3). */
  retries?: number;
  /** How many times to wait out a rate limit before failing (default 2). */
  rateLimitRetries?: number;
  /** Longest rate-limit wait accepted, in seconds (default 300); a longer one fails at once. */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per "second" of retry waits; tests set 1 (default 1000). */
  retryAfterBaseValueMs?: number;
  /** false turns the throttling plugin off (it spaces writes 1 s apart; tests of other things turn it off). */
  throttle?: boolean;
}

export function apiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = (env.GITHUB_API_URL ?? '').trim();
  return (url === '' ? 'https://api.github.com' : url).replace(/\/+$/, '');
}

/** The web URL of the server (for links such as compare pages): GITHUB_SERVER_URL, else derived from the API URL. */
export function serverUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = (env.GITHUB_SERVER_URL ?? '').trim();
  if (url !== '') return url.replace(/\/+$/, '');
  const api = apiBaseUrl(env);
  if (api === 'https://api.github.com') return 'https://github.com';
  return api.replace(/\/api\/v3$/, '');
}

/** owner/repo from GITHUB_REPOSITORY. */
export function repoFromEnv(env: NodeJS.ProcessEnv = process.env): RepoRef {
  const full = (env.GITHUB_REPOSITORY ?? '').trim();
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(full);
  if (!m)
    throw new UserError(
      'GITHUB_REPOSITORY is not set (expected owner/repo); run inside GitHub Actions or set it.',
    );
  return { owner: m[1]!, repo: m[2]! };
}

export function createGitHubClient(options: GitHubClientOptions): GitHub {
  const token = (options.token ?? '').trim();
  if (token === '') {
    throw new UserError(
      'No GitHub token: the github-token input is empty. Leave it at its default (${{ github.token }}) or pass a token with contents, pull-requests and issues write.',
    );
  }
  const log = options.log ?? {
    debug: () => {},
    info: () => {},
    warn: (m: string) => process.stderr.write(`github: ${m}\n`),
    error: (m: string) => process.stderr.write(`github: ${m}\n`),
  };
  const base = options.retryAfterBaseValueMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 300;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      req: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ): boolean => {
      const again = retryCount < rateLimitRetries && retryAfter <= maxWait;
      log.warn(
        `${kind} rate limit on ${req.method ?? ''} ${req.url ?? ''}: ${again ? `retrying in ${retryAfter} s` : 'giving up'} (attempt ${retryCount + 1})`,
      );
      return again;
    };
  return new GitHubOctokit({
    auth: token,
    baseUrl: options.baseUrl ?? apiBaseUrl(),
    userAgent: options.userAgent ?? 'cosplay-action',
    log,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: base },
    throttle:
      options.throttle === false
        ? { enabled: false }
        : {
            retryAfterBaseValue: base,
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
          },
  });
}
