// Git operations of a run, through the `git` CLI: identity, the cosplay branch (created or reset from the
// base), commits of exactly the files the run wrote, and a force-with-lease push of that branch.
//
// Credentials exist only for the duration of one push or ls-remote: the token goes into the git child's
// environment as an `http.<origin>/.extraheader` (GIT_CONFIG_COUNT/KEY/VALUE), never into argv (readable by
// every process on the machine) and never into .git/config. An extraheader that actions/checkout persisted
// for the same origin is cleared for that command, so exactly one Authorization header is sent.
import { execa } from 'execa';
import path from 'node:path';
import { UserError } from '../types.js';
import { resolveInsideRepo, type PathPolicy } from '../repo/paths.js';

export interface GitIdentity {
  name: string;
  email: string;
}

/** The identity commits made with GITHUB_TOKEN usually carry. */
export const ACTIONS_BOT_IDENTITY: GitIdentity = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

export interface PushAuth {
  token: string;
  /** Basic-auth user name; GitHub accepts `x-access-token` for installation and personal tokens. */
  username?: string;
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** The push was refused because the remote branch moved (lease) or is protected. */
export class PushRejectedError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PushRejectedError';
  }
}

// Repository-local hooks never run for the action's commits and pushes: hooksPath points at a path that
// cannot hold hooks.
const NO_HOOKS = '/dev/null';

interface RunOptions {
  env?: Record<string, string>;
  /** Extra config for this command only (passed through the environment, not argv). */
  config?: Array<[string, string]>;
  /** Strings to redact from error messages. */
  secrets?: string[];
  /** Exit codes that are not errors (e.g. 1 for `diff --quiet`). */
  okCodes?: number[];
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Runs `git args...` in cwd and returns stdout (without the final newline). */
export async function git(
  cwd: string,
  args: string[],
  options: RunOptions = {},
): Promise<{ stdout: string; exitCode: number }> {
  const config: Array<[string, string]> = [['core.hooksPath', NO_HOOKS], ...(options.config ?? [])];
  const env: Record<string, string> = {
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GCM_INTERACTIVE: 'never',
    GIT_CONFIG_COUNT: String(config.length),
    ...Object.fromEntries(
      config.flatMap(([k, v], i) => [
        [`GIT_CONFIG_KEY_${i}`, k],
        [`GIT_CONFIG_VALUE_${i}`, v],
      ]),
    ),
    ...options.env,
  };
  const secrets = options.secrets ?? [];
  let result;
  try {
    result = await execa('git', args, {
      cwd,
      env,
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    throw new GitError(
      `git could not be started: ${redact(String(err), secrets)}. Install git and make sure it is on PATH.`,
      args,
      undefined,
      '',
    );
  }
  const exitCode = result.exitCode ?? -1;
  if (exitCode !== 0 && !(options.okCodes ?? []).includes(exitCode)) {
    const stderr = redact(String(result.stderr ?? ''), secrets).trim();
    throw new GitError(
      `git ${args[0] === '--literal-pathspecs' ? args[1] : args[0]} failed (exit ${exitCode}): ${stderr.split('\n').slice(-6).join('\n')}`,
      args,
      exitCode,
      stderr,
    );
  }
  return { stdout: String(result.stdout ?? ''), exitCode };
}

/** The repository's top-level directory. */
export async function repoRoot(cwd: string): Promise<string> {
  try {
    return (await git(cwd, ['rev-parse', '--show-toplevel'])).stdout.trim();
  } catch (err) {
    throw new UserError(
      `${cwd} is not a git repository: check out the repository first (actions/checkout).`,
      { cause: err },
    );
  }
}

/** Sets user.name and user.email in the repository's local config (identity is not a secret). */
export async function configureIdentity(
  cwd: string,
  identity: GitIdentity = ACTIONS_BOT_IDENTITY,
): Promise<void> {
  await git(cwd, ['config', '--local', 'user.name', identity.name]);
  await git(cwd, ['config', '--local', 'user.email', identity.email]);
}

export async function headSha(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', 'HEAD'])).stdout.trim();
}

export async function currentBranch(cwd: string): Promise<string | null> {
  const { stdout, exitCode } = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    okCodes: [1],
  });
  return exitCode === 0 ? stdout.trim() : null;
}

/** Throws a UserError unless `branch` is a valid branch name. */
export async function validateBranchName(cwd: string, branch: string): Promise<void> {
  const bad = !branch || branch.startsWith('-') || /[\s\0]/.test(branch);
  const { exitCode } = bad
    ? { exitCode: 1 }
    : await git(cwd, ['check-ref-format', '--branch', branch], { okCodes: [1, 128] });
  if (exitCode !== 0) throw new UserError(`${JSON.stringify(branch)} is not a valid branch name.`);
}

/**
 * Creates `branch` at `startPoint` and checks it out, or resets it there if it exists (the cosplay branch
 * always starts from the base: a re-run replaces the previous attempt). Uncommitted changes that do not
 * conflict are carried over, as with `git checkout -B`.
 */
export async function resetBranch(cwd: string, branch: string, startPoint: string): Promise<void> {
  await validateBranchName(cwd, branch);
  if (startPoint.startsWith('-')) throw new UserError(`Invalid start point ${JSON.stringify(startPoint)}.`);
  await git(cwd, ['checkout', '--quiet', '--no-track', '-B', branch, startPoint]);
}

export interface CommitOptions extends PathPolicy {
  /** Repository-relative paths of the files to commit (and nothing else). */
  paths: string[];
  message: string;
  /** Author and committer; default: the repository's configured identity. */
  identity?: GitIdentity;
}

/**
 * Commits exactly `paths` (as they are in the working tree) and returns the new commit's sha, or null when
 * they have no changes. Paths are validated first: inside the repository, not under .github/, not through
 * links, within allowed-paths.
 */
export async function commitFiles(cwd: string, options: CommitOptions): Promise<string | null> {
  if (options.paths.length === 0) return null;
  const root = await repoRoot(cwd);
  const rels: string[] = [];
  for (const p of options.paths) {
    const abs = await resolveInsideRepo(root, p, options);
    rels.push(path.relative(root, abs).split(path.sep).join('/'));
  }
  const env: Record<string, string> = {};
  if (options.identity) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = options.identity.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = options.identity.email;
  }
  // --literal-pathspecs: a path such as `:(glob)*` is a file name, not pathspec magic.
  await git(root, ['--literal-pathspecs', 'add', '--', ...rels]);
  const { exitCode } = await git(
    root,
    ['--literal-pathspecs', 'diff', '--cached', '--quiet', '--', ...rels],
    { okCodes: [1] },
  );
  if (exitCode === 0) return null;
  try {
    await git(
      root,
      [
        '--literal-pathspecs',
        'commit',
        '--quiet',
        '--no-verify',
        '--no-gpg-sign',
        '--only',
        '-m',
        options.message,
        '--',
        ...rels,
      ],
      {
        env,
      },
    );
  } catch (err) {
    if (err instanceof GitError && /tell me who you are|empty ident|user\.email/i.test(err.stderr)) {
      throw new UserError(
        'git has no identity to commit with: call configureIdentity first (or pass identity).',
        { cause: err },
      );
    }
    throw err;
  }
  return headSha(root);
}

function checkRemote(remote: string): string {
  if (remote === '' || remote.startsWith('-') || /[\s\0]/.test(remote))
    throw new UserError(`Invalid git remote ${JSON.stringify(remote)}.`);
  return remote;
}

async function remoteUrl(cwd: string, remote: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || remote.startsWith('/')) return remote;
  try {
    return (await git(cwd, ['remote', 'get-url', remote])).stdout.trim();
  } catch (err) {
    throw new UserError(`The git remote ${JSON.stringify(remote)} does not exist in ${cwd}.`, { cause: err });
  }
}

/** Per-command config that authenticates HTTP(S) requests to the remote's origin with the token. */
async function authConfig(
  cwd: string,
  remote: string,
  auth?: PushAuth,
): Promise<{ config: Array<[string, string]>; secrets: string[] }> {
  if (!auth || auth.token === '') return { config: [], secrets: [] };
  const url = await remoteUrl(cwd, remote);
  let origin: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { config: [], secrets: [auth.token] };
    origin = `${u.protocol}//${u.host}/`;
  } catch {
    return { config: [], secrets: [auth.token] }; // a path or scp-like ssh remote: no HTTP credentials apply
  }
  const basic = Buffer.from(`${auth.username ?? 'x-access-token'}:${auth.token}`).toString('base64');
  const key = `http.${origin}.extraheader`;
  return {
    // The empty value clears headers configured earlier for this origin (e.g. persisted by actions/checkout).
    config: [
      [key, ''],
      [key, `AUTHORIZATION: basic ${basic}`],
    ],
    secrets: [auth.token, basic],
  };
}

function explainRemoteFailure(err: unknown, what: string, branch: string): never {
  if (!(err instanceof GitError)) throw err;
  const s = err.stderr;
  if (
    /authentication failed|could not read username|invalid username or password|returned error: 40[13]|permission to .* denied|403/i.test(
      s,
    )
  ) {
    throw new UserError(
      `git could not ${what}: the token was refused. The workflow needs \`permissions: contents: write\` (and the github-token input must be a token with write access to the repository).`,
      { cause: err },
    );
  }
  if (/protected branch|GH006|pre-receive hook declined/i.test(s)) {
    throw new PushRejectedError(
      `The push of ${branch} was declined by a branch protection rule or pre-receive hook: allow the action to push ${branch} or change the rule.`,
      {
        cause: err,
      },
    );
  }
  throw err;
}

/** The sha of `branch` on the remote, or null when it does not exist there. */
export async function remoteBranchSha(
  cwd: string,
  options: { remote?: string; branch: string; auth?: PushAuth },
): Promise<string | null> {
  const remote = options.remote ?? 'origin';
  await validateBranchName(cwd, options.branch);
  const { config, secrets } = await authConfig(cwd, remote, options.auth);
  try {
    const { stdout } = await git(
      cwd,
      ['ls-remote', '--heads', checkRemote(remote), `refs/heads/${options.branch}`],
      { config, secrets },
    );
    const line = stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${options.branch}`));
    return line ? line.split('\t')[0]! : null;
  } catch (err) {
    explainRemoteFailure(err, `read ${options.branch} on ${remote}`, options.branch);
  }
}

/**
 * Fetches `branch` from the remote into `refs/remotes/<remote>/<branch>` (e.g. to commit onto a pull
 * request's branch). Returns its sha, or null when the remote has no such branch.
 */
export async function fetchBranch(
  cwd: string,
  options: { remote?: string; branch: string; auth?: PushAuth },
): Promise<string | null> {
  const remote = checkRemote(options.remote ?? 'origin');
  await validateBranchName(cwd, options.branch);
  const { config, secrets } = await authConfig(cwd, remote, options.auth);
  const sha = await remoteBranchSha(cwd, options);
  if (sha === null) return null;
  try {
    await git(
      cwd,
      [
        'fetch',
        '--quiet',
        '--no-tags',
        remote,
        `+refs/heads/${options.branch}:refs/remotes/${remote}/${options.branch}`,
      ],
      {
        config,
        secrets,
      },
    );
  } catch (err) {
    explainRemoteFailure(err, `fetch ${options.branch} from ${remote}`, options.branch);
  }
  return sha;
}

export interface PushOptions {
  remote?: string;
  /** Local branch to push to the remote branch of the same name. */
  branch: string;
  auth?: PushAuth;
  /**
   * What the remote branch must be for the push to go through (force-with-lease): a sha, null for "must not
   * exist", or 'auto' (default): whatever ls-remote reports just before the push. `false`: a plain,
   * fast-forward-only push.
   */
  lease?: string | null | 'auto' | false;
}

export interface PushResult {
  sha: string;
  /** The remote branch's sha before the push (null: it did not exist). */
  previous: string | null;
}

export async function pushBranch(cwd: string, options: PushOptions): Promise<PushResult> {
  const remote = options.remote ?? 'origin';
  const branch = options.branch;
  await validateBranchName(cwd, branch);
  const sha = (await git(cwd, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`])).stdout.trim();
  let previous: string | null;
  const lease = options.lease === undefined ? 'auto' : options.lease;
  if (lease === 'auto' || lease === false)
    previous = await remoteBranchSha(cwd, { remote, branch, auth: options.auth });
  else previous = lease;
  const { config, secrets } = await authConfig(cwd, remote, options.auth);
  const args = ['push', '--no-verify'];
  if (lease !== false) args.push(`--force-with-lease=refs/heads/${branch}:${previous ?? ''}`);
  args.push(checkRemote(remote), `refs/heads/${branch}:refs/heads/${branch}`);
  try {
    await git(cwd, args, { config, secrets });
  } catch (err) {
    if (err instanceof GitError && /stale info|\[rejected\]|non-fast-forward|fetch first/i.test(err.stderr)) {
      throw new PushRejectedError(
        `The branch ${branch} changed on ${remote} while the run was working (someone else pushed to it), so it was not overwritten. Re-run to start from its current state, or delete the branch.`,
        { cause: err },
      );
    }
    explainRemoteFailure(err, `push ${branch} to ${remote}`, branch);
  }
  return { sha, previous };
}
