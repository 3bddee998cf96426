// A bare "origin" repository for tests that push, clone and open pull requests against a local remote.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SeedOriginOptions {
  /** Environment for the git commands (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Author and committer of the seed commit (default S <s@example.com>). */
  identity?: { name: string; email: string };
}

/**
 * Creates `dir/origin.git`, a bare repository whose `main` holds one commit ("init") with `files` (relative
 * path -> content), written from a scratch clone in `dir/seed`. Returns the bare repository's path.
 */
export function seedOrigin(
  dir: string,
  files: Record<string, string>,
  options: SeedOriginOptions = {},
): string {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env: options.env ?? process.env });
  const bare = path.join(dir, 'origin.git');
  const seed = path.join(dir, 'seed');
  mkdirSync(seed, { recursive: true });
  git(dir, 'init', '--quiet', '--bare', '-b', 'main', bare);
  git(seed, 'init', '--quiet', '-b', 'main');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(seed, rel)), { recursive: true });
    writeFileSync(path.join(seed, rel), content);
  }
  const { name, email } = options.identity ?? { name: 'S', email: 's@example.com' };
  git(seed, 'add', '.');
  git(seed, '-c', `user.name=${name}`, '-c', `user.email=${email}`, 'commit', '--quiet', '-m', 'init');
  git(seed, 'push', '--quiet', bare, 'main');
  return bare;
}
