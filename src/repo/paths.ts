// Paths the action writes: always relative, inside the repository, never under .github/ or .git/.
// Every path that comes from an issue, a PR body or an LLM goes through validateRepoPath before use, and
// through resolveInsideRepo (which also follows symbolic links) before anything is written.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../types.js';

export class UnsafePathError extends UserError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`The path ${JSON.stringify(path)} cannot be used: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

export interface PathPolicy {
  /** Glob patterns (`**`, `*`, `?`, `{a,b}`) of paths that may be written; default: everything. */
  allowedPaths?: string[];
}

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

const MAX_PATH_LENGTH = 1024;

/**
 * Checks a repository-relative path and returns it normalised (`./a//b` -> `a/b`), or the reason it is refused.
 * Refused: empty, absolute (`/x`, `C:\x`, `~/x`), backslashes, NUL and control characters, `..` segments,
 * a trailing slash, anything under `.github/` or inside a `.git` directory, and paths outside `allowedPaths`.
 */
export function checkRepoPath(input: string, policy: PathPolicy = {}): PathCheck {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'it is empty' };
  if (input.length > MAX_PATH_LENGTH)
    return { ok: false, reason: `it is longer than ${MAX_PATH_LENGTH} characters` };
  if (input.includes('\0')) return { ok: false, reason: 'it contains a NUL character' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) return { ok: false, reason: 'it contains control characters' };
  if (input !== input.trim()) return { ok: false, reason: 'it starts or ends with white space' };
  if (input.includes('\\'))
    return { ok: false, reason: 'it contains a backslash; use forward slashes (src/foo.py)' };
  if (input.startsWith('/'))
    return { ok: false, reason: 'it is absolute; give a path relative to the repository root' };
  if (/^[A-Za-z]:/.test(input))
    return { ok: false, reason: 'it is absolute; give a path relative to the repository root' };
  if (input.startsWith('~'))
    return { ok: false, reason: 'it starts with ~; give a path relative to the repository root' };
  if (input.endsWith('/')) return { ok: false, reason: 'it names a directory; give a file path' };
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { ok: false, reason: 'it names the repository root; give a file path' };
  if (segments.includes('..'))
    return { ok: false, reason: 'it contains `..`; paths must stay inside the repository' };
  if (segments[0]!.toLowerCase() === '.github')
    return {
      ok: false,
      reason: 'it is under .github/, which the action never writes (workflows stay human-owned)',
    };
  if (segments.some((s) => s.toLowerCase() === '.git'))
    return { ok: false, reason: 'it is inside a .git directory' };
  const normalised = segments.join('/');
  const allowed = policy.allowedPaths?.map((p) => p.trim()).filter((p) => p !== '');
  if (allowed && allowed.length > 0 && !allowed.some((g) => globToRegExp(g).test(normalised))) {
    return {
      ok: false,
      reason: `it is outside the allowed-paths patterns (${allowed.join(', ')}); widen allowed-paths in the workflow or choose another path`,
    };
  }
  return { ok: true, path: normalised };
}

/** Like checkRepoPath, but throws UnsafePathError (a UserError) when the path is refused. */
export function validateRepoPath(input: string, policy: PathPolicy = {}): string {
  const check = checkRepoPath(input, policy);
  if (!check.ok) throw new UnsafePathError(input, check.reason);
  return check.path;
}

/**
 * Validates `relPath` and returns its absolute location under `repoRoot`, after checking the file system:
 * no component may be a symbolic link that leads outside the repository or under .github/, and the file
 * itself may not be a symbolic link (writing through a link could land anywhere).
 */
export async function resolveInsideRepo(
  repoRoot: string,
  relPath: string,
  policy: PathPolicy = {},
): Promise<string> {
  const rel = validateRepoPath(relPath, policy);
  const root = await realpath(repoRoot);
  const absolute = path.join(root, ...rel.split('/'));
  // The file itself: never a link.
  const own = await lstat(absolute).catch(() => undefined);
  if (own?.isSymbolicLink())
    throw new UnsafePathError(relPath, 'it is a symbolic link; the action does not write through links');
  if (own && !own.isFile())
    throw new UnsafePathError(
      relPath,
      'it exists and is not a regular file (a directory?); give the path of a file',
    );
  // The deepest existing ancestor, with links resolved, must still be inside the repository and allowed.
  let probe = path.dirname(absolute);
  for (;;) {
    const st = await lstat(probe).catch(() => undefined);
    if (st) break;
    const parent = path.dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  const realProbe = await realpath(probe);
  const inside = path.relative(root, realProbe);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new UnsafePathError(relPath, 'a directory on the way is a link that leads outside the repository');
  }
  if (inside !== '') {
    const rest = path.relative(probe, absolute).split(path.sep);
    const resolvedRel = [...inside.split(path.sep), ...rest].join('/');
    const check = checkRepoPath(resolvedRel, policy);
    if (!check.ok)
      throw new UnsafePathError(relPath, `it resolves through a link to ${resolvedRel}, and ${check.reason}`);
  }
  return absolute;
}

/**
 * A small glob matcher for allowed-paths: `**` any number of path segments, `*` anything but `/`, `?` one
 * character but `/`, `{a,b}` alternatives, `[abc]` character classes. A pattern without `/` matches the
 * file name in any directory (like .gitignore), so `*.py` allows every Python file.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = glob.trim();
  if (pattern.startsWith('./')) pattern = pattern.slice(2);
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  else if (!pattern.includes('/')) pattern = `**/${pattern}`;
  if (pattern.endsWith('/')) pattern += '**';
  let re = '';
  let braceDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const atSegmentStart = i === 0 || pattern[i - 1] === '/';
        const atSegmentEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (atSegmentStart && atSegmentEnd) {
          if (pattern[i + 2] === '/') {
            re += '(?:[^/]+/)*'; // `**/`: zero or more directories
            i += 2;
          } else {
            re += '.*';
            i += 1;
          }
          continue;
        }
        i += 1;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braceDepth++;
      re += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      re += ')';
    } else if (c === ',' && braceDepth > 0) re += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
