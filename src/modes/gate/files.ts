// The files of a pull request with their content before and after: the list from the API (git diff as a
// fallback), the "after" side from the checkout, the "before" side from the base commit in git (fetched when
// a shallow checkout lacks it).
import { readFile } from 'node:fs/promises';
import { git, listPullRequestFiles, type GitHub, type RepoRef } from '../../github/index.js';
import { checkRepoPath, resolveInsideRepo } from '../../repo/index.js';
import { languageOfPath } from '../../repo/source.js';
import type { ChangedSource } from './targets.js';

export interface PullFilesResult {
  files: ChangedSource[];
  notes: string[];
}

/** Largest source file read. */
const MAX_SOURCE_BYTES = 512 * 1024;

async function showAt(workspace: string, sha: string, path: string): Promise<string | null> {
  try {
    const { stdout, exitCode } = await git(workspace, ['show', `${sha}:${path}`], { okCodes: [128] });
    return exitCode === 0 ? stdout + '\n' : null;
  } catch {
    return null;
  }
}

async function hasCommit(workspace: string, sha: string): Promise<boolean> {
  try {
    const { exitCode } = await git(workspace, ['cat-file', '-e', `${sha}^{commit}`], { okCodes: [1, 128] });
    return exitCode === 0;
  } catch {
    return false;
  }
}

export async function pullRequestSources(options: {
  gh: GitHub;
  repo: RepoRef;
  pullNumber: number;
  workspace: string;
  baseSha: string | null;
}): Promise<PullFilesResult> {
  const { workspace } = options;
  const notes: string[] = [];
  let baseSha = options.baseSha;
  if (baseSha && !/^[0-9a-f]{7,64}$/i.test(baseSha)) baseSha = null;
  if (baseSha && !(await hasCommit(workspace, baseSha))) {
    try {
      await git(workspace, ['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', baseSha]);
    } catch {
      /* reported below */
    }
    if (!(await hasCommit(workspace, baseSha))) {
      notes.push(
        `The base commit ${baseSha.slice(0, 12)} is not in the checkout and could not be fetched, so every function of the changed files counts as changed. Use actions/checkout with fetch-depth: 0 (or 2).`,
      );
      baseSha = null;
    }
  }

  let list: Array<{ path: string; status: string; previousPath?: string }>;
  try {
    list = await listPullRequestFiles(options.gh, { ...options.repo, pullNumber: options.pullNumber });
  } catch (err) {
    if (!baseSha) throw err;
    list = await gitChangedList(workspace, baseSha, 'HEAD');
    notes.push(
      `The file list came from git (the API said: ${err instanceof Error ? err.message : String(err)}).`,
    );
  }

  return { files: await readChangedSources(workspace, list, baseSha, notes), notes };
}

type ChangedEntry = { path: string; status: string; previousPath?: string };

/** `git diff --name-status` between `base` and `head` (null: the working tree, untracked files included). */
async function gitChangedList(workspace: string, base: string, head: string | null): Promise<ChangedEntry[]> {
  const { stdout } = await git(workspace, ['diff', '--name-status', '-M', base, ...(head ? [head] : [])]);
  const list: ChangedEntry[] = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [st, a, b] = l.split('\t');
      const status = st!.startsWith('A')
        ? 'added'
        : st!.startsWith('D')
          ? 'removed'
          : st!.startsWith('R')
            ? 'renamed'
            : 'modified';
      return b ? { path: b, status, previousPath: a } : { path: a!, status };
    });
  if (!head) for (const p of await untrackedFiles(workspace)) list.push({ path: p, status: 'added' });
  return list;
}

async function untrackedFiles(workspace: string): Promise<string[]> {
  const { stdout } = await git(workspace, ['ls-files', '--others', '--exclude-standard', '-z']);
  return stdout.split('\0').filter((f) => f !== '');
}

/**
 * The sources of a local checkout for `cosplay gate`: the files changed between `base` and the working tree
 * (uncommitted and untracked files included), or with `all`, every source file of the repository as new.
 */
export async function localSources(options: {
  workspace: string;
  base: string | null;
  all: boolean;
}): Promise<PullFilesResult> {
  const { workspace } = options;
  const notes: string[] = [];
  let list: ChangedEntry[];
  if (options.all) {
    const { stdout } = await git(workspace, ['ls-files', '-z']);
    const tracked = stdout.split('\0').filter((f) => f !== '');
    list = [...tracked, ...(await untrackedFiles(workspace))].map((p) => ({ path: p, status: 'added' }));
  } else {
    if (!options.base) throw new Error('a base ref is needed unless every function is checked');
    list = await gitChangedList(workspace, options.base, null);
  }
  const base = options.all ? null : options.base;
  return { files: await readChangedSources(workspace, list, base, notes), notes };
}

async function readChangedSources(
  workspace: string,
  list: ChangedEntry[],
  baseSha: string | null,
  notes: string[],
): Promise<ChangedSource[]> {
  const files: ChangedSource[] = [];
  for (const f of list) {
    if (f.status === 'removed' || !languageOfPath(f.path)) continue;
    if (!checkRepoPath(f.path).ok) continue;
    let after: string;
    try {
      const abs = await resolveInsideRepo(workspace, f.path);
      const buf = await readFile(abs);
      if (buf.length > MAX_SOURCE_BYTES) {
        notes.push(`${f.path} is larger than ${MAX_SOURCE_BYTES / 1024} KiB and was not checked.`);
        continue;
      }
      after = buf.toString('utf8');
    } catch {
      notes.push(`${f.path} is not in the checkout (is the workflow checking out the pull request?).`);
      continue;
    }
    let before: string | null = null;
    if (baseSha && f.status !== 'added') {
      before = await showAt(workspace, baseSha, f.previousPath ?? f.path);
    }
    files.push({ path: f.path, before, after });
  }
  return files;
}
