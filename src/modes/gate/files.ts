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
    const { stdout } = await git(workspace, ['diff', '--name-status', '-M', baseSha, 'HEAD']);
    list = stdout
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
    notes.push(
      `The file list came from git (the API said: ${err instanceof Error ? err.message : String(err)}).`,
    );
  }

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
  return { files, notes };
}
