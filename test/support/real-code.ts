// Real third-party code for tests, fetched from the package registries with their ordinary clients and cached
// OUTSIDE the repository (os.tmpdir()/cosplay-real-code, or $COSPLAY_REAL_CODE), so that tests can run the tools on
// code nobody wrote for them, and no third-party code is ever committed:
//   debianPythonPackage('python3-attr')       -> the extracted .deb (usr/lib/python3/dist-packages/... inside)
//   npmPackage('debug@4.4.0', {install: true}) -> the package's folder, its dependencies in its node_modules
// Each fetch extracts into a temporary folder and renames it into place, so concurrent test files share the cache.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function realCodeCache(): string {
  const dir = process.env.COSPLAY_REAL_CODE || path.join(tmpdir(), 'cosplay-real-code');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Moves a finished temporary folder to `dest`, unless another process got there first. */
function publish(tmp: string, dest: string): string {
  try {
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dest)) throw err;
  }
  return dest;
}

const inflight = new Map<string, Promise<string>>();
function once(key: string, make: () => Promise<string>): Promise<string> {
  let p = inflight.get(key);
  if (!p) {
    p = make();
    inflight.set(key, p);
    p.catch(() => inflight.delete(key));
  }
  return p;
}

/**
 * A Debian package (`apt-get download NAME && dpkg-deb -x`), extracted; returns the extraction root. Runs
 * `apt-get update` once when the package lists do not know the package yet.
 */
export function debianPythonPackage(name: string): Promise<string> {
  const dest = path.join(realCodeCache(), 'deb', safe(name));
  return once(`deb:${name}`, async () => {
    if (existsSync(dest)) return dest;
    mkdirSync(path.dirname(dest), { recursive: true });
    const work = mkdtempSync(path.join(path.dirname(dest), `.${safe(name)}-`));
    try {
      const download = () => run('apt-get', ['download', '-qq', name], { cwd: work, timeout: 300_000 });
      try {
        await download();
      } catch {
        await run('apt-get', ['update', '-qq'], { timeout: 600_000 });
        await download();
      }
      const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
      if (!deb) throw new Error(`apt-get download ${name} left no .deb`);
      const root = path.join(work, 'root');
      mkdirSync(root);
      await run('dpkg-deb', ['-x', path.join(work, deb), root], { timeout: 120_000 });
      return publish(root, dest);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** The folder of Python package `module` inside an extracted Debian package. */
export function debianPythonModule(extracted: string, module: string): string {
  const dir = path.join(extracted, 'usr/lib/python3/dist-packages', module);
  if (!existsSync(dir)) throw new Error(`${extracted} has no Python package ${module}`);
  return dir;
}

/**
 * An npm package (`npm pack SPEC`), extracted; with `install`, its production dependencies installed into its
 * own node_modules (`npm install --omit=dev --ignore-scripts`). Returns the package's folder.
 */
export function npmPackage(spec: string, options: { install?: boolean } = {}): Promise<string> {
  const dest = path.join(realCodeCache(), 'npm', safe(spec) + (options.install ? '+deps' : ''));
  return once(`npm:${spec}:${Boolean(options.install)}`, async () => {
    if (existsSync(dest)) return dest;
    mkdirSync(path.dirname(dest), { recursive: true });
    const work = mkdtempSync(path.join(path.dirname(dest), `.${safe(spec)}-`));
    try {
      const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
      const { stdout } = await run('npm', ['pack', spec, '--silent'], { cwd: work, env, timeout: 300_000 });
      const tgz = stdout.trim().split('\n').pop()!;
      const pkg = path.join(work, 'package');
      await run('tar', ['-xzf', path.join(work, tgz), '-C', work], { timeout: 120_000 });
      if (options.install)
        await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock', '--silent'], {
          cwd: pkg,
          env,
          timeout: 600_000,
        });
      return publish(pkg, dest);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
