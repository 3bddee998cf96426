import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACTIONS_BOT_IDENTITY,
  commitFiles,
  configureIdentity,
  currentBranch,
  fetchBranch,
  headSha,
  pushBranch,
  PushRejectedError,
  remoteBranchSha,
  resetBranch,
} from '../../src/github/git.js';
import { UserError } from '../../src/types.js';
import { seedOrigin } from '../support/git-origin.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';

const sh = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } })
    .toString()
    .trim();

let tmp: string;
let n = 0;

/** A bare "origin" with one commit on main, and a clone of it to work in. */
function makeRepos(): { bare: string; work: string } {
  const dir = path.join(tmp, `r${n++}`);
  const bare = seedOrigin(
    dir,
    { 'README.md': '# demo\n', 'src/util.py': 'def f():\n    return 1\n' },
    {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: path.join(dir, 'seed') },
      identity: { name: 'Seed', email: 'seed@example.com' },
    },
  );
  const work = path.join(dir, 'work');
  sh(dir, 'clone', '--quiet', bare, work);
  return { bare, work };
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-git-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('branch and commit', () => {
  let work: string;
  let bare: string;
  beforeEach(async () => {
    ({ work, bare } = makeRepos());
    await configureIdentity(work, ACTIONS_BOT_IDENTITY);
  });

  it('creates the cosplay branch from the base and commits exactly the given files', async () => {
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    expect(await currentBranch(work)).toBe('cosplay/issue-7');
    writeFileSync(path.join(work, 'src', 'util.py'), 'def f():\n    return 2\n');
    mkdirSync(path.join(work, 'tests'));
    writeFileSync(path.join(work, 'tests', 'test_util.py'), 'def test_f(): pass\n');
    writeFileSync(path.join(work, 'README.md'), 'unrelated local edit\n');
    const sha = await commitFiles(work, {
      paths: ['src/util.py', './tests/test_util.py'],
      message: 'CoSPlay: f (#7)',
    });
    expect(sha).toBe(await headSha(work));
    expect(sh(work, 'show', '--name-only', '--format=%an <%ae>|%s', 'HEAD').split('\n')).toEqual([
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|CoSPlay: f (#7)',
      '',
      'src/util.py',
      'tests/test_util.py',
    ]);
    // The unrelated edit stays uncommitted.
    expect(sh(work, 'status', '--porcelain')).toBe('M README.md');
  });

  it('commits nothing when the files did not change', async () => {
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    expect(await commitFiles(work, { paths: ['src/util.py'], message: 'x' })).toBeNull();
  });

  it('treats pathspec magic in file names literally', async () => {
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    writeFileSync(path.join(work, ':(glob)x.py'), 'x = 1\n');
    writeFileSync(path.join(work, 'other.py'), 'y = 1\n');
    await commitFiles(work, { paths: [':(glob)x.py'], message: 'x' });
    expect(sh(work, 'show', '--name-only', '--format=', 'HEAD')).toBe(':(glob)x.py');
  });

  it('refuses paths outside the repository, under .github/, through links, or outside allowed-paths', async () => {
    mkdirSync(path.join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(path.join(work, '.github', 'workflows', 'evil.yml'), 'on: push\n');
    symlinkSync(tmp, path.join(work, 'out'));
    await expect(commitFiles(work, { paths: ['.github/workflows/evil.yml'], message: 'x' })).rejects.toThrow(
      /\.github/,
    );
    await expect(commitFiles(work, { paths: ['../evil.py'], message: 'x' })).rejects.toThrow(/\.\./);
    await expect(commitFiles(work, { paths: ['out/evil.py'], message: 'x' })).rejects.toThrow(
      /outside the repository/,
    );
    await expect(
      commitFiles(work, { paths: ['README.md'], message: 'x', allowedPaths: ['src/**'] }),
    ).rejects.toThrow(/allowed-paths/);
    expect(sh(work, 'rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('refuses invalid branch names', async () => {
    await expect(resetBranch(work, '-f', 'origin/main')).rejects.toThrow(UserError);
    await expect(resetBranch(work, 'a..b', 'origin/main')).rejects.toThrow(/not a valid branch name/);
  });

  it('never runs repository hooks', async () => {
    const hook = path.join(work, '.git', 'hooks', 'post-commit');
    writeFileSync(hook, `#!/bin/sh\ntouch "${path.join(work, 'HOOK-RAN')}"\n`, { mode: 0o755 });
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    writeFileSync(path.join(work, 'src', 'util.py'), 'x = 3\n');
    await commitFiles(work, { paths: ['src/util.py'], message: 'x' });
    expect(() => readFileSync(path.join(work, 'HOOK-RAN'))).toThrow();
  });

  it('pushes a new branch, then replaces it on a re-run (force-with-lease)', async () => {
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    writeFileSync(path.join(work, 'src', 'util.py'), 'def f():\n    return 2\n');
    const first = await commitFiles(work, { paths: ['src/util.py'], message: 'attempt 1' });
    expect(await pushBranch(work, { branch: 'cosplay/issue-7' })).toEqual({ sha: first, previous: null });
    expect(sh(bare, 'rev-parse', 'refs/heads/cosplay/issue-7')).toBe(first);

    // The re-run starts from the base again: history is rewritten, and the lease makes the force push safe.
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    writeFileSync(path.join(work, 'src', 'util.py'), 'def f():\n    return 3\n');
    const second = await commitFiles(work, { paths: ['src/util.py'], message: 'attempt 2' });
    expect(await pushBranch(work, { branch: 'cosplay/issue-7' })).toEqual({ sha: second, previous: first });
    expect(sh(bare, 'rev-parse', 'refs/heads/cosplay/issue-7')).toBe(second);
    expect(sh(bare, 'rev-list', '--count', 'refs/heads/cosplay/issue-7')).toBe('2');
  });

  it('fetches a branch to commit onto it, and pushes it without force', async () => {
    const other = path.join(path.dirname(work), 'other2');
    sh(path.dirname(work), 'clone', '--quiet', bare, other);
    sh(other, 'checkout', '--quiet', '-b', 'feature');
    writeFileSync(path.join(other, 'f.txt'), 'x\n');
    sh(other, 'add', 'f.txt');
    sh(other, '-c', 'user.name=O', '-c', 'user.email=o@example.com', 'commit', '--quiet', '-m', 'feature');
    sh(other, 'push', '--quiet', 'origin', 'feature');
    expect(await fetchBranch(work, { branch: 'nope' })).toBeNull();
    const tip = await fetchBranch(work, { branch: 'feature' });
    expect(tip).toBe(sh(other, 'rev-parse', 'HEAD'));
    await resetBranch(work, 'feature', 'origin/feature');
    writeFileSync(path.join(work, 'src', 'util.py'), 'x = 5\n');
    const sha = await commitFiles(work, { paths: ['src/util.py'], message: 'on top' });
    expect(await pushBranch(work, { branch: 'feature', lease: false })).toEqual({ sha, previous: tip });
    expect(sh(bare, 'rev-parse', 'refs/heads/feature^')).toBe(tip);
  });

  it('does not overwrite a branch that moved since the lease was taken', async () => {
    await resetBranch(work, 'cosplay/issue-7', 'origin/main');
    writeFileSync(path.join(work, 'src', 'util.py'), 'v = 1\n');
    await commitFiles(work, { paths: ['src/util.py'], message: 'mine' });
    const seen = await remoteBranchSha(work, { branch: 'cosplay/issue-7' });
    expect(seen).toBeNull();
    // Someone else pushes the branch in the meantime.
    const other = path.join(path.dirname(work), 'other');
    sh(path.dirname(work), 'clone', '--quiet', bare, other);
    writeFileSync(path.join(other, 'theirs.txt'), 'x\n');
    sh(other, 'add', 'theirs.txt');
    sh(other, '-c', 'user.name=O', '-c', 'user.email=o@example.com', 'commit', '--quiet', '-m', 'theirs');
    sh(other, 'push', '--quiet', 'origin', 'HEAD:refs/heads/cosplay/issue-7');
    const theirs = sh(other, 'rev-parse', 'HEAD');

    const err = await pushBranch(work, { branch: 'cosplay/issue-7', lease: seen }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushRejectedError);
    expect((err as Error).message).toMatch(/changed on origin while the run was working/);
    expect(sh(bare, 'rev-parse', 'refs/heads/cosplay/issue-7')).toBe(theirs);
  });
});

describe('push over HTTP with credentials supplied only at push time', () => {
  const token = 'ghs_TestToken0123456789abcdef';
  let server: GitHttpServer;
  let root: string;
  beforeAll(async () => {
    root = path.join(tmp, 'http');
    mkdirSync(root);
    server = await startGitHttpServer(root, token);
  });
  afterAll(async () => {
    await server.close();
  });

  function httpRepos() {
    const { bare, work } = makeRepos();
    const name = `repo${n++}.git`;
    sh(root, 'clone', '--quiet', '--bare', bare, path.join(root, name));
    sh(work, 'remote', 'set-url', 'origin', `${server.url}/${name}`);
    return { work, served: path.join(root, name) };
  }

  it('pushes with the token, which never reaches .git/config, argv or error messages', async () => {
    const { work, served } = httpRepos();
    await configureIdentity(work);
    await resetBranch(work, 'cosplay/issue-9', 'HEAD');
    writeFileSync(path.join(work, 'src', 'util.py'), 'x = 9\n');
    const sha = await commitFiles(work, { paths: ['src/util.py'], message: 'nine' });
    server.authorizations.length = 0;
    await pushBranch(work, { branch: 'cosplay/issue-9', auth: { token } });
    expect(sh(served, 'rev-parse', 'refs/heads/cosplay/issue-9')).toBe(sha);
    expect(
      server.authorizations.every(
        (a) => a === 'basic ' + Buffer.from(`x-access-token:${token}`).toString('base64'),
      ),
    ).toBe(true);
    expect(server.authorizations.length).toBeGreaterThan(0);
    const config = readFileSync(path.join(work, '.git', 'config'), 'utf8');
    expect(config).not.toContain(token);
    expect(config).not.toMatch(/extraheader/i);
  });

  it('sends exactly one Authorization header even when checkout persisted a stale one', async () => {
    const { work, served } = httpRepos();
    const stale = 'AUTHORIZATION: basic ' + Buffer.from('x-access-token:stale-token').toString('base64');
    sh(work, 'config', '--local', `http.${server.url}/.extraheader`, stale);
    await configureIdentity(work);
    await resetBranch(work, 'cosplay/issue-10', 'HEAD');
    writeFileSync(path.join(work, 'src', 'util.py'), 'x = 10\n');
    const sha = await commitFiles(work, { paths: ['src/util.py'], message: 'ten' });
    await pushBranch(work, { branch: 'cosplay/issue-10', auth: { token } });
    expect(sh(served, 'rev-parse', 'refs/heads/cosplay/issue-10')).toBe(sha);
  });

  it('explains a refused token, without revealing it', async () => {
    const { work } = httpRepos();
    await configureIdentity(work);
    await resetBranch(work, 'cosplay/issue-11', 'HEAD');
    const wrong = 'ghs_WrongToken9876543210';
    const err = await pushBranch(work, { branch: 'cosplay/issue-11', auth: { token: wrong } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/contents: write/);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(wrong);
    expect(String((err as Error & { cause?: Error }).cause?.message)).not.toContain(wrong);
  });
});
