// Real code for tests, from the registries CI reaches: Python packages from Debian's `python3-*` packages
// (apt-get download + dpkg-deb -x) and JavaScript packages from npm (npm pack). Nothing third-party is
// committed: the packages are fetched on first use and kept under the system temp dir for later runs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CACHE = path.join(tmpdir(), 'cosplay-real-code');

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
}

/** Fetches into a fresh folder and renames it into place, so that a half-done fetch is never reused. */
function cached(key: string, fetch: (dir: string) => void): string {
  const dest = path.join(CACHE, key);
  if (existsSync(dest)) return dest;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    fetch(tmp);
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(dest)) return dest; // another process won the race
    throw err;
  }
  return dest;
}

/**
 * The Python package `pkg` (a folder name under dist-packages) of Debian's package `deb`, e.g.
 * `debianPython('python3-packaging', 'packaging')`: the path of the package's folder.
 */
export function debianPython(deb: string, pkg: string): string {
  const dir = cached(`deb-${deb}`, (tmp) => {
    try {
      run('apt-get', ['download', deb], tmp);
    } catch {
      run('apt-get', ['update', '-qq'], tmp);
      run('apt-get', ['download', deb], tmp);
    }
    const file = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!file) throw new Error(`apt-get download ${deb} fetched nothing`);
    run('dpkg-deb', ['-x', file, 'x'], tmp);
  });
  const found = path.join(dir, 'x/usr/lib/python3/dist-packages', pkg);
  if (!existsSync(found)) throw new Error(`${deb} has no ${pkg} under dist-packages`);
  return found;
}

/** The npm package `spec` (`semver@7.6.3`) as published: the path of its `package/` folder. */
export function npmPackage(spec: string): string {
  const dir = cached(`npm-${spec.replace(/[^\w.@-]/g, '_')}`, (tmp) => {
    const out = run('npm', ['pack', spec, '--silent'], tmp).trim().split('\n').pop()!;
    run('tar', ['xzf', out], tmp);
  });
  return path.join(dir, 'package');
}

/** Copies a fetched package into a fixture repository at `rel`. */
export function copyInto(src: string, root: string, rel: string): void {
  cpSync(src, path.join(root, rel), { recursive: true });
}
