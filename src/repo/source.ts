// Source-level facts about repository files (the gate and the repair mode use them): which language a path
// is, which files are tests or vendored, which errors mean that code cannot run outside the repository, and
// a function as a standalone program (the function, the imports and top-level definitions it uses,
// transitively), which is how an existing implementation enters the code pool as a seed: the sandbox runs
// programs, not repository modules.
import type { Language } from '../types.js';
import { splitStatements, type Statement } from './blocks.js';

/** The language of a source path the gate and repair handle, or null (TypeScript and others: not yet). */
export function languageOfPath(p: string): Language | null {
  if (/\.py$/i.test(p)) return 'python';
  if (/\.(m|c)?js$/i.test(p)) return 'javascript';
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

const PY_WORD = /[A-Za-z_][A-Za-z0-9_]*/g;
const JS_WORD = /[A-Za-z_$][\w$]*/g;

function definedNames(st: Statement): string[] {
  if (st.imports && st.imports.length > 0) return st.imports;
  return st.name ? [st.name] : [];
}

/**
 * The function `entryPoint` of `source` as a self-contained program: the directives, then every top-level
 * import, function, class and binding the function refers to (transitively), then the function, in the
 * file's order. Demo code, `if __name__ == "__main__":` blocks and export statements are left out. Returns
 * null when the file has no top-level function of that name.
 */
export function standaloneProgram(source: string, language: Language, entryPoint: string): string | null {
  const split = splitStatements(source, language);
  const text = (st: Statement) =>
    split.lines
      .slice(st.startLine, st.endLine + 1)
      .map((l) => l.text)
      .join('\n');
  const entry = split.statements.find((s) => s.kind === 'function' && s.name === entryPoint);
  if (!entry) return null;
  const usable = split.statements.filter(
    (s) =>
      s !== entry &&
      (s.kind === 'import' || s.kind === 'function' || s.kind === 'class' || s.kind === 'binding'),
  );
  const word = language === 'python' ? PY_WORD : JS_WORD;
  const keep = new Set<Statement>([entry]);
  const queue: Statement[] = [entry];
  const seen = new Set<string>([entryPoint]);
  while (queue.length > 0) {
    const st = queue.shift()!;
    for (const w of text(st).match(word) ?? []) {
      if (seen.has(w)) continue;
      seen.add(w);
      for (const dep of usable) {
        if (!keep.has(dep) && definedNames(dep).includes(w)) {
          keep.add(dep);
          queue.push(dep);
        }
      }
    }
  }
  const directives = split.statements.filter((s) => s.kind === 'directive');
  const parts = split.statements
    .filter((s) => keep.has(s) || directives.includes(s))
    .map((s) => {
      const t = text(s);
      // `export function f` / `export default function f` -> plain declarations: the program is a script.
      return language === 'javascript' && s.exportPrefix ? t.replace(/^export\s+(?:default\s+)?/, '') : t;
    });
  return parts.join(language === 'python' ? '\n\n\n' : '\n\n') + '\n';
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
