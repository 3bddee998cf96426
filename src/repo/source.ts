// Source-level facts about repository files (the gate and the repair mode use them): which language a path
// is, which files are tests or vendored, and which errors mean that code cannot be imported where it runs.
// (Existing implementations run as their real modules: see src/exec/repo.ts and src/modes/repo-context.ts.)
import type { Language } from '../types.js';

/** The language of a source path the gate and repair handle, or null (declaration files, other languages). */
export function languageOfPath(p: string): Language | null {
  if (/\.py$/i.test(p)) return 'python';
  if (/\.(m|c)?js$/i.test(p)) return 'javascript';
  if (/\.(m|c)?tsx?$/i.test(p) && !/\.d\.(m|c)?ts$/i.test(p)) return 'typescript';
  return null;
}

/** True for paths that look like test code (never gated or repaired; their frames are "test frames"). */
export function isTestPath(p: string): boolean {
  const norm = p.replace(/\\/g, '/');
  const base = norm.split('/').pop() ?? '';
  if (/(^|\/)(tests?|__tests__|spec|specs|testing)\//i.test(norm)) return true;
  if (/^test_.*\.py$|_test\.py$|^conftest\.py$/i.test(base)) return true;
  if (/\.(test|spec)\.(m|c)?[jt]sx?$/i.test(base)) return true;
  return false;
}

/** Paths whose code is never the repository's own (dependencies, virtual environments, build output). */
export function isVendoredPath(p: string): boolean {
  return /(^|\/)(node_modules|site-packages|dist-packages|\.venv|venv|\.tox|\.git)\//.test(p);
}

/** Errors that mean "this code cannot run outside the repository" rather than "this code is wrong". */
export function isEnvironmentError(error: string | undefined): boolean {
  return (
    !!error &&
    /ModuleNotFoundError|ImportError|attempted relative import|Cannot find module|ERR_MODULE_NOT_FOUND|Cannot use import statement outside a module/.test(
      error,
    )
  );
}
