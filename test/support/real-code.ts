// Real code for tests, from the registries CI reaches: Python packages from Debian's `python3-*` packages
// (apt-get download + dpkg-deb -x) and JavaScript packages from npm (npm pack). Nothing third-party is
// committed: the packages are fetched on first use and kept under the system temp dir for later runs.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TempRepo } from '../modes/world.js';

const CACHE = path.join(tmpdir(), 'cosplay-real-code');

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  });
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

/**
 * The npm package `spec` (`semver@7.6.3`) as published: the path of its `package/` folder. With `install`, its
 * production dependencies are installed into that folder's node_modules (`npm install --omit=dev`), as a user
 * who cloned it and ran npm install would have them.
 */
export function npmPackage(spec: string, options: { install?: boolean } = {}): string {
  const key = `npm-${spec.replace(/[^\w.@-]/g, '_')}${options.install ? '+deps' : ''}`;
  const dir = cached(key, (tmp) => {
    const out = run('npm', ['pack', spec, '--silent'], tmp).trim().split('\n').pop()!;
    run('tar', ['xzf', out], tmp);
    if (options.install)
      run(
        'npm',
        [
          'install',
          '--omit=dev',
          '--ignore-scripts',
          '--no-package-lock',
          '--no-audit',
          '--no-fund',
          '--silent',
        ],
        path.join(tmp, 'package'),
      );
  });
  return path.join(dir, 'package');
}

/** Copies a fetched package into a fixture repository at `rel`. */
export function copyInto(src: string, root: string, rel: string): void {
  cpSync(src, path.join(root, rel), { recursive: true });
}

/** A git repository at `work` with the given files committed on main. */
export function gitRepo(build: (work: string) => void): TempRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'cosplay-real-gate-'));
  const work = path.join(root, 'work');
  mkdirSync(work);
  build(work);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'Fixture');
  git('config', 'user.email', 'fixture@example.com');
  git('config', 'commit.gpgsign', 'false');
  const repo: TempRepo = {
    root,
    work,
    bare: '',
    git,
    write: (rel, content) => {
      mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
      writeFileSync(path.join(work, rel), content);
    },
    commitAll: (message) => {
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  repo.commitAll('import the package');
  return repo;
}

/** Values of `calls` computed by the package's own code (Python). */
export function pythonValues(work: string, module: string, calls: string[]): Map<string, string> {
  const script = `import json, ${module}\nfrom ${module} import *\nprint(json.dumps([repr(eval(c)) for c in json.loads(${JSON.stringify(JSON.stringify(calls))})]))`;
  const out = execFileSync('python3', ['-c', script], { cwd: work, encoding: 'utf8' });
  const values = JSON.parse(out) as string[];
  return new Map(calls.map((c, i) => [c, values[i]!]));
}

/** Values of `calls` computed by the package's own code (JavaScript, CommonJS). */
export function jsValues(work: string, file: string, name: string, calls: string[]): Map<string, string> {
  const script = `const ${name} = require(${JSON.stringify(path.join(work, file))}); console.log(JSON.stringify(${JSON.stringify(calls)}.map((c) => JSON.stringify(eval(c)))))`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const values = JSON.parse(out) as string[];
  return new Map(calls.map((c, i) => [c, values[i]!]));
}

/**
 * Values of `calls` computed by a package's own compiled JavaScript (ES module or CommonJS, loaded with import()),
 * with `names` of the module in scope: the oracle for tests on the package's TypeScript sources.
 */
export function jsModuleValues(file: string, names: string[], calls: string[]): Map<string, string> {
  const script = `import(${JSON.stringify(pathToFileURL(file).href)}).then((m) => { const { ${names.join(', ')} } = m; console.log(JSON.stringify(${JSON.stringify(calls)}.map((c) => JSON.stringify(eval(c))))); })`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const values = JSON.parse(out) as string[];
  return new Map(calls.map((c, i) => [c, values[i]!]));
}

/**
 * python3-packaging's `Specifier.contains` (packaging/specifiers.py, a method that uses the module's helpers built
 * on packaging.version): calls that exercise it, its text in a source, and the prerelease check a test breaks.
 */
export const SPECIFIER_CONTAINS = {
  file: 'packaging/specifiers.py',
  calls: [
    'Specifier(">=1.2.3").contains("1.2.3")',
    'Specifier(">=1.2.3").contains("1.0.0")',
    'Specifier(">=1.2.3").contains("1.3.0a1")',
    'Specifier(">=1.2.3", prereleases=True).contains("1.3.0a1")',
    'Specifier("~=2.2").contains("2.5")',
    'Specifier("==1.*").contains("2.0")',
    'Specifier("<3").contains("3.0rc1", prereleases=True)',
    'Specifier("!=1.1").contains("1.1.0")',
  ],
  good: 'if normalized_item.is_prerelease and not prereleases:',
  bad: 'if normalized_item.is_prerelease and prereleases:',
  method(source: string): string {
    const m =
      /    def contains\(\n        self, item: UnparsedVersion[\s\S]*?return operator_callable\(normalized_item, self\.version\)\n/.exec(
        source,
      );
    if (!m) throw new Error('Specifier.contains not found: another version of python3-packaging?');
    return m[0];
  },
};
