// Programs of the host the tools start: looking one up on PATH, and the Python interpreter (resolved once per
// process, by real path: a pyenv shim costs about 300 ms per start; the real interpreter is what runs in the
// sandbox). Low in the layers so that both the executor (src/exec) and the source model (repo/symbols.ts, which
// parses Python with Python's own ast) use the same interpreter.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { UserError } from '../types.js';

export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks for an executable on PATH (and in the usual system directories). */
export function which(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin']) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

export interface Runtime {
  /** Real path of the interpreter. */
  exe: string;
  version: string;
  /** Host paths the sandbox must show read-only for the interpreter to start (outside /usr). */
  readOnly: string[];
  /**
   * Python: the site-packages folders `site` adds to sys.path. Standalone workers start without `site` (-S:
   * .pth files import modules, threading among them, that make every fork slower) and add these instead.
   */
  sitePaths?: string[];
}

const pythons = new Map<string, Promise<Runtime>>();

const PROBE =
  'import sys, json, os, site; print(json.dumps({"exe": sys.executable, "base": sys.base_prefix, "prefix": sys.prefix, ' +
  '"v": ".".join(map(str, sys.version_info[:3])), "ok": sys.version_info >= (3, 8), ' +
  '"site": [p for p in site.getsitepackages() if os.path.isdir(p)]}))';

/**
 * The Python interpreter: `explicit`, else $COSPLAY_PYTHON, else `python3` on PATH; resolved through shims and
 * symlinks to the real executable and its installation prefix.
 */
export function resolvePython(explicit?: string): Promise<Runtime> {
  const cmd = explicit || process.env.COSPLAY_PYTHON || 'python3';
  let p = pythons.get(cmd);
  if (!p) {
    p = new Promise<Runtime>((resolve, reject) => {
      const file = cmd.includes('/') ? cmd : which(cmd);
      if (!file) {
        reject(
          new UserError(`cannot find ${cmd}: install Python 3.8+ or point COSPLAY_PYTHON at an interpreter`),
        );
        return;
      }
      execFile(
        file,
        ['-c', PROBE],
        // Our own probe (no candidate code): the full environment lets version-manager shims find their root.
        { timeout: 60_000 },
        (err, stdout) => {
          if (err) {
            reject(new UserError(`cannot run ${cmd} (${err.message.split('\n')[0]}): install Python 3.8+`));
            return;
          }
          try {
            const info = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
              exe: string;
              base: string;
              prefix: string;
              v: string;
              ok: boolean;
              site?: unknown;
            };
            if (!info.ok)
              throw new UserError(`${cmd} is Python ${info.v}; the engine needs Python 3.8 or newer`);
            const real = realpathSync(info.exe);
            const base = realpathSync(info.base);
            // A virtual environment is its interpreter's link plus pyvenv.cfg beside it: run the link (a
            // resolved path would lose the environment's site-packages) and show the environment too.
            const venv = realpathSync(info.prefix) !== base;
            const exe = venv ? info.exe : real;
            const readOnly = [real];
            if (venv) readOnly.push(info.prefix, ...linkChain(info.exe));
            for (const d of ['lib', 'lib64']) if (existsSync(join(base, d))) readOnly.push(join(base, d));
            // An interpreter outside its prefix (unusual layouts): show its own directory's parent too.
            if (!real.startsWith(base + '/')) readOnly.push(dirname(dirname(real)));
            const sitePaths = Array.isArray(info.site)
              ? info.site.filter((x): x is string => typeof x === 'string')
              : [];
            resolve({ exe, version: info.v, readOnly, sitePaths });
          } catch (e) {
            reject(
              e instanceof UserError
                ? e
                : new UserError(`cannot read ${cmd}'s answer: ${(e as Error).message}`),
            );
          }
        },
      );
    });
    pythons.set(cmd, p);
    p.catch(() => pythons.delete(cmd));
  }
  return p;
}

/** The paths a chain of symbolic links passes through (each shown in the sandbox so the chain resolves). */
function linkChain(start: string): string[] {
  const out: string[] = [];
  let p = start;
  for (let i = 0; i < 40; i++) {
    let target: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) break;
      target = resolve(dirname(p), readlinkSync(p));
    } catch {
      break;
    }
    out.push(target);
    p = target;
  }
  return out;
}
