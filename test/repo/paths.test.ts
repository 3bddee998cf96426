import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkRepoPath,
  globToRegExp,
  resolveInsideRepo,
  UnsafePathError,
  validateRepoPath,
} from '../../src/repo/paths.js';
import { UserError } from '../../src/types.js';

describe('checkRepoPath', () => {
  it.each(['src/a.py', 'a.js', 'deep/er/x.test.mjs', '.config/x.py', 'github/x.py', 'src/.github/x.py'])(
    'accepts %j',
    (p) => {
      expect(checkRepoPath(p)).toEqual({ ok: true, path: p });
    },
  );
  it('normalises', () => {
    expect(validateRepoPath('./src//a.py')).toBe('src/a.py');
    expect(validateRepoPath('src/./a.py')).toBe('src/a.py');
  });
  it.each([
    ['', /empty/],
    ['/abs.py', /absolute/],
    ['C:/x.py', /absolute/],
    ['~/x.py', /~/],
    ['a/../../b.py', /\.\./],
    ['..', /\.\./],
    ['.github/workflows/ci.yml', /\.github/],
    ['./.github/x', /\.github/],
    ['.GITHUB/x', /\.github/],
    ['x/.git/config', /\.git/],
    ['.git', /\.git/],
    ['a\0b', /NUL/],
    ['a\nb', /control/],
    ['a\\b', /backslash/],
    [' a.py', /white space/],
    ['dir/', /directory/],
    ['.', /root/],
  ])('refuses %j', (p, why) => {
    const r = checkRepoPath(p);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });
  it('throws a UserError that says why', () => {
    expect(() => validateRepoPath('../x')).toThrow(UnsafePathError);
    expect(() => validateRepoPath('../x')).toThrow(UserError);
  });
  it('applies allowed-paths globs', () => {
    expect(checkRepoPath('src/a.py', { allowedPaths: ['src/**'] }).ok).toBe(true);
    expect(checkRepoPath('lib/a.py', { allowedPaths: ['src/**', 'tests/**'] }).ok).toBe(false);
    expect(checkRepoPath('lib/a.py', { allowedPaths: ['*.py'] }).ok).toBe(true);
    expect(checkRepoPath('.github/a.py', { allowedPaths: ['**'] }).ok).toBe(false);
  });
});

describe('globToRegExp', () => {
  it.each([
    ['**', 'a/b/c.py', true],
    ['src/**', 'src/a/b.py', true],
    ['src/**', 'lib/a.py', false],
    ['src/*.py', 'src/a.py', true],
    ['src/*.py', 'src/x/a.py', false],
    ['src/**/*.py', 'src/a.py', true],
    ['src/**/*.py', 'src/x/y/a.py', true],
    ['*.{js,mjs}', 'deep/a.mjs', true],
    ['*.{js,mjs}', 'deep/a.ts', false],
    ['test?/a.js', 'tests/a.js', true],
    ['[st]rc/a.js', 'src/a.js', true],
    ['/a.py', 'a.py', true],
    ['/a.py', 'x/a.py', false],
    ['lib/', 'lib/x/y.js', true],
    ['a+b.py', 'a+b.py', true],
    ['a.py', 'aXpy', false],
  ])('%j on %j -> %s', (glob, p, expected) => {
    expect(globToRegExp(glob).test(p)).toBe(expected);
  });
});

describe('resolveInsideRepo', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cosplay-repo-'));
    outside = mkdtempSync(path.join(tmpdir(), 'cosplay-outside-'));
    mkdirSync(path.join(root, 'src'));
    mkdirSync(path.join(root, '.github'));
    writeFileSync(path.join(root, 'src', 'a.py'), 'x = 1\n');
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(root, '.github'), path.join(root, 'gh'));
    symlinkSync(path.join(root, 'src'), path.join(root, 'srclink'));
    symlinkSync(path.join(root, 'src', 'a.py'), path.join(root, 'src', 'link.py'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('returns the absolute path of a file or a new file', async () => {
    expect(await resolveInsideRepo(root, 'src/a.py')).toMatch(/src[\\/]a\.py$/);
    expect(await resolveInsideRepo(root, 'new/dir/b.py')).toMatch(/new[\\/]dir[\\/]b\.py$/);
    expect(await resolveInsideRepo(root, 'srclink/new.py')).toMatch(/srclink[\\/]new\.py$/);
  });
  it('refuses a directory link that leads outside the repository', async () => {
    await expect(resolveInsideRepo(root, 'escape/x.py')).rejects.toThrow(/outside the repository/);
    await expect(resolveInsideRepo(root, 'escape/deeper/x.py')).rejects.toThrow(/outside the repository/);
  });
  it('refuses a link into .github', async () => {
    await expect(resolveInsideRepo(root, 'gh/workflows/x.yml')).rejects.toThrow(/\.github/);
  });
  it('refuses writing through a file link', async () => {
    await expect(resolveInsideRepo(root, 'src/link.py')).rejects.toThrow(/symbolic link/);
  });
});
