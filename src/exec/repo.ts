// Repository context: how the harnesses load a candidate as the real module of a repository file. The parent
// works out, once per request, the module's import name (Python: the dotted name under its import root, found
// from the `__init__.py` chain; JavaScript: ES module or CommonJS, from the extension and the nearest
// package.json), and the paths as the sandbox shows them. The harness then swaps the candidate's text in for
// that one file (Python: a meta-path finder; JavaScript: the CommonJS extension hook and an ES-module load
// hook), so the rest of the repository, its installed packages and the import path are the real ones.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Language, RepoContext } from '../types.js';
import { UserError } from '../types.js';
import { sandboxedPath } from './sandbox.js';
import {
  isTypeScriptFile,
  locateTranspiler,
  pathAliases,
  repositoryTypeScript,
  type PathAlias,
} from './typescript.js';

/** What a harness needs to load `path` of the repository as its real module (paths as the sandbox sees them). */
export interface HarnessRepo {
  /** The repository root (the working directory of the code). */
  root: string;
  /** The target file. */
  file: string;
  /** Python: the module's dotted name, the sys.path entries to put first, whether the file is a package. */
  module?: string;
  importRoots?: string[];
  isPackage?: boolean;
  /** JavaScript: how Node loads the file. */
  format?: 'module' | 'commonjs';
  /** TypeScript: the transpiler's file and the tsconfig's path aliases (see typescript.ts). */
  ts?: { transpiler: string; aliases: PathAlias[]; fallback?: string };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Checks a request's repository context: an existing directory and a relative path inside it. */
export function validateRepoContext(repo: RepoContext): void {
  if (!repo || typeof repo !== 'object') throw new UserError('"repo" must be an object {root, path}');
  if (typeof repo.root !== 'string' || !path.isAbsolute(repo.root))
    throw new UserError('"repo.root" must be an absolute path to the repository');
  if (typeof repo.path !== 'string' || repo.path === '' || path.isAbsolute(repo.path))
    throw new UserError('"repo.path" must be a path relative to the repository root');
  const norm = path.posix.normalize(repo.path.replace(/\\/g, '/'));
  if (norm.startsWith('../') || norm === '..')
    throw new UserError(`"repo.path" must stay inside the repository, not ${JSON.stringify(repo.path)}`);
  let st;
  try {
    st = statSync(repo.root);
  } catch {
    throw new UserError(`the repository ${repo.root} does not exist`);
  }
  if (!st.isDirectory()) throw new UserError(`the repository ${repo.root} is not a directory`);
}

/**
 * Python: the dotted module name of `rel` and the sys.path entries that import it the way the repository does.
 * A file inside regular packages (an `__init__.py` chain) is imported from above its top package; a file
 * outside any package from `src/` (src layout) or the root when every part of its path is an identifier
 * (namespace packages), else from its own directory (scripts).
 */
export function pythonModuleOf(
  root: string,
  rel: string,
): { module: string; importRoot: string; isPackage: boolean; scriptDir?: string } {
  const parts = rel.replace(/\\/g, '/').split('/').filter(Boolean);
  const base = parts[parts.length - 1]!.replace(/\.pyw?$/, '');
  const isPackage = base === '__init__';
  const dirs = parts.slice(0, -1);
  let top = dirs.length;
  while (top > 0 && isFile(path.join(root, ...dirs.slice(0, top), '__init__.py'))) top--;
  let chain = dirs.slice(top);
  let importRoot = path.join(root, ...dirs.slice(0, top));
  if (chain.length === 0 && dirs.length > 0) {
    // Not in a regular package: a namespace package under src/ or the root, or a script directory.
    const from = dirs[0] === 'src' ? 1 : 0;
    if (dirs.slice(from).every((d) => IDENT.test(d))) {
      chain = dirs.slice(from);
      importRoot = path.join(root, ...dirs.slice(0, from));
    }
  }
  const names = isPackage ? chain : [...chain, base];
  if (names.length === 0) return { module: base, importRoot, isPackage: false };
  // Outside a regular package its siblings are imported as top-level modules (as `python dir/file.py` does).
  const scriptDir = top === dirs.length && dirs.length > 0 ? path.join(root, ...dirs) : undefined;
  return { module: names.join('.'), importRoot, isPackage, ...(scriptDir ? { scriptDir } : {}) };
}

/** JavaScript: ES module or CommonJS, as Node decides for the file (extension, then the nearest package.json). */
export function jsFormatOf(root: string, rel: string): 'module' | 'commonjs' {
  if (/\.m[jt]s$/i.test(rel)) return 'module';
  if (/\.c[jt]s$/i.test(rel)) return 'commonjs';
  let dir = path.dirname(path.join(root, rel));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type;
        return type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (dir === root || path.dirname(dir) === dir) return 'commonjs';
    dir = path.dirname(dir);
  }
}

/** The harness's view of a repository context; `sandboxed`: paths as the sandbox shows them. */
export function harnessRepo(repo: RepoContext, language: Language, sandboxed: boolean): HarnessRepo {
  const show = (p: string) => (sandboxed ? sandboxedPath(p) : p);
  const root = path.resolve(repo.root);
  const file = path.join(root, repo.path);
  const out: HarnessRepo = { root: show(root), file: show(file) };
  if (language === 'python') {
    const m = pythonModuleOf(root, repo.path);
    out.module = m.module;
    out.isPackage = m.isPackage;
    out.importRoots = [...new Set([m.importRoot, root, ...(m.scriptDir ? [m.scriptDir] : [])])].map(show);
  } else {
    out.format = jsFormatOf(root, repo.path);
    if (isTypeScriptFile(repo.path)) {
      const where = locateTranspiler();
      if (!where)
        throw new UserError(
          'TypeScript needs its transpiler (the sucrase package, or dist/ts-transpile.cjs)',
        );
      out.ts = {
        transpiler: show(where.file),
        aliases: pathAliases(root, file).map((a) => ({ pattern: a.pattern, targets: a.targets.map(show) })),
      };
      const tsc = repositoryTypeScript(root, file);
      if (tsc) out.ts.fallback = show(tsc);
    }
  }
  return out;
}
