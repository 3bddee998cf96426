// Repository context for the modes: candidates for a function that lives in a repository file run as that
// file's real module (see src/exec/repo.ts), not as standalone programs. `inRepoContext` wraps the executor so
// that the CoSPlay core keeps handling plain function sources: each one is placed into the file's current
// text the way solve and repair would write it, and the executor loads the result in place of the file inside
// the sandbox. `loadTarget` checks, before any LLM spending, that the module loads and the target resolves
// there; `environmentProblem` tells a failure of the environment (a module the runner lacks, a name the
// repository's own version lacks as well) from a wrong answer, so the gate never blocks on the former.
import type { CellResult, ExecRequest, Executor, Language } from '../types.js';
import { UserError } from '../types.js';
import { insertCode, listFunctions, listSymbols, replaceSymbol, type CodeSymbol } from '../repo/index.js';
import { isEnvironmentError } from '../repo/source.js';

export interface RepoTarget {
  /** The repository root (the workspace as the workflow left it). */
  root: string;
  /** The target file, relative to the root. */
  path: string;
  language: Language;
  /** The file's current text, into which candidates are placed (null: the file does not exist yet). */
  base: string | null;
  /** The function the candidates define. */
  entryPoint: string;
}

/** The file's text with `code` in place of the target: the base itself when `code` is the target's own text. */
export type Placer = (code: string) => string;

export function placeFunction(target: RepoTarget): Placer {
  const own =
    target.base === null
      ? undefined
      : listFunctions(target.base, target.language)
          .find((f) => f.name === target.entryPoint)
          ?.text.trim();
  return (code) => {
    // The file's own definition, exactly: the file as it is (a candidate that is only a prefix of it is not).
    if (target.base !== null && own !== undefined && code.trim() === own) return target.base;
    return insertCode(target.base, code, {
      language: target.language,
      kind: 'function',
      entryPoint: target.entryPoint,
    }).content;
  };
}

function failedRow(n: number, error: string): CellResult[] {
  return Array.from({ length: n }, () => ({ verdict: 'error' as const, output: '', error }));
}

/**
 * The executor as the CoSPlay core sees it, running function candidates in repository context: every code
 * is placed into the target file (`place`, default `placeFunction`), and the tests run against that module.
 * A code that cannot be placed (it does not define the target) gets an error row without running. Stdio
 * requests and requests for another entry point pass through unchanged.
 */
export function inRepoContext(
  executor: Executor,
  target: RepoTarget,
  place: Placer = placeFunction(target),
): Executor {
  const placed = new Map<string, { file: string } | { error: string }>();
  const placeOnce = (code: string) => {
    let p = placed.get(code);
    if (!p) {
      try {
        p = { file: place(code) };
      } catch (err) {
        p = { error: err instanceof Error ? err.message : String(err) };
      }
      placed.set(code, p);
    }
    return p;
  };
  return {
    async run(req: ExecRequest): Promise<CellResult[][]> {
      if (req.kind !== 'function' || req.repo || (req.entryPoint && req.entryPoint !== target.entryPoint))
        return executor.run(req);
      const placements = req.codes.map(placeOnce);
      const runnable = placements.flatMap((p, i) => ('file' in p ? [i] : []));
      const rows: CellResult[][] = placements.map((p) =>
        'error' in p
          ? failedRow(req.tests.length, `the code cannot be placed into ${target.path}: ${p.error}`)
          : [],
      );
      if (runnable.length > 0) {
        const cells = await executor.run({
          ...req,
          codes: runnable.map((i) => (placements[i] as { file: string }).file),
          repo: { root: target.root, path: target.path },
        });
        runnable.forEach((i, k) => (rows[i] = cells[k]!));
      }
      return rows;
    },
  };
}

/** How a function or method of a repository file is run: where candidates go, what the tests construct. */
export interface SymbolRun {
  target: RepoTarget;
  place: Placer;
  /** An expression that is true when the symbol resolves in the loaded module. */
  probe: string;
  /** For functionTask: the function (a method: the method itself) and, for a method, its class. */
  fn: { name: string; signature: string };
  className?: string;
}

/**
 * A function or method (from the source model) as a CoSPlay target in repository context. A method's task
 * has its class as the entry point (tests construct it) and its candidates replace the method in the class.
 */
export function symbolRun(
  where: Pick<RepoTarget, 'root' | 'path' | 'language'> & { base: string },
  symbol: CodeSymbol,
): SymbolRun {
  const { language } = where;
  const probe =
    language === 'python' ? `callable(${symbol.access})` : `typeof ${symbol.access} === 'function'`;
  if (symbol.kind === 'method' && symbol.className) {
    const target: RepoTarget = { ...where, entryPoint: symbol.className };
    return {
      target,
      place: (code) =>
        code.trim() === symbol.text.trim() ? where.base : replaceSymbol(where.base, language, symbol, code),
      probe,
      fn: { name: symbol.member ?? symbol.name.split('.').pop()!, signature: symbol.signature },
      className: symbol.className,
    };
  }
  const target: RepoTarget = { ...where, entryPoint: symbol.name };
  return {
    target,
    // A TypeScript function with overloads: the candidate replaces its implementation, the signatures stay.
    place: symbol.implementationLine
      ? (code) =>
          code.trim() === symbol.text.trim() ? where.base : replaceSymbol(where.base, language, symbol, code)
      : placeFunction(target),
    probe,
    fn: { name: symbol.name, signature: symbol.signature },
  };
}

/** An expression that is true when `name` (a function, or `Class.method`) resolves in the module. */
export function resolvesExpression(name: string, language: Language): string {
  const parts = name.split('.');
  if (language === 'python') return `callable(${parts.join('.')})`;
  if (parts.length === 1) return `typeof ${name} === 'function'`;
  const [cls, member] = [parts.slice(0, -1).join('.'), parts[parts.length - 1]!];
  return `typeof ${cls} === 'function' && (typeof ${cls}.prototype.${member} === 'function' || typeof ${cls}.${member} === 'function')`;
}

export type LoadCheck = { loads: true } | { loads: false; reason: string };

/** The last meaningful line of an error (`ModuleNotFoundError: No module named 'yaml'`). */
export function errorHeadline(error: string | undefined): string {
  const lines = (error ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Traceback|File |at |\^+$|~+$|\.\.\.)/.test(l));
  return lines.find((l) => /^[\w.]*(Error|Exception)\b/.test(l)) ?? lines.pop() ?? 'an error';
}

/**
 * Loads the repository's own version of the target file in the sandbox and checks that `name` resolves in
 * it. Nothing is generated: this is the preflight that keeps a run from spending on a module the runner
 * cannot import (a dependency the workflow did not install, a TypeScript-only path alias, ...).
 */
export async function loadTarget(
  executor: Executor,
  target: RepoTarget,
  probe = resolvesExpression(target.entryPoint, target.language),
): Promise<LoadCheck> {
  if (target.base === null) return { loads: true };
  const [row] = await executor.run({
    language: target.language,
    kind: 'function',
    codes: [target.base],
    tests: [{ call: probe }],
    repo: { root: target.root, path: target.path },
  });
  const cell = row?.[0];
  if (!cell) return { loads: false, reason: 'the module was not run' };
  if (cell.verdict === 'pass') {
    const truthy = /^\["b",true\]$/.test(cell.output);
    return truthy ? { loads: true } : { loads: false, reason: `\`${probe}\` is not true in the module` };
  }
  return { loads: false, reason: errorHeadline(cell.error) };
}

/**
 * True when a failing cell of the PR's (or the current) code is the environment's doing rather than a wrong
 * answer: a module that cannot be imported, or an error that the repository's base version of the function
 * shows on the same test too (a name or import the base also lacks).
 */
export function environmentProblem(cell: CellResult, baseCell?: CellResult | null): boolean {
  if (cell.verdict !== 'error') return false;
  if (isEnvironmentError(cell.error)) return true;
  if (!baseCell || baseCell.verdict !== 'error') return false;
  const kind = (e?: string) =>
    /\b(NameError|ReferenceError|ImportError|AttributeError)\b[^\n]*/.exec(e ?? '')?.[0];
  const mine = kind(cell.error);
  return mine !== undefined && mine === kind(baseCell.error);
}

/**
 * For a method: what the prompt shows of its class, never the method's own body: the constructor in full
 * (the object's attributes) and the signatures of the other methods.
 */
export async function classContext(
  source: string,
  language: Language,
  path: string,
  symbol: CodeSymbol,
  maxChars = 3000,
): Promise<string> {
  if (symbol.kind !== 'method' || !symbol.className) return '';
  const all = await listSymbols(source, language, { path }).catch(() => []);
  const siblings = all.filter((s) => s.className === symbol.className && s.name !== symbol.name);
  if (siblings.length === 0) return '';
  const lines = siblings.map((s) =>
    s.member === '__init__' || s.member === 'constructor' ? s.text : `${s.indent}${s.signature}`,
  );
  const text = `The class \`${symbol.className}\` (its constructor and the signatures of its other methods; the method to write replaces \`${symbol.member}\`):\n${lines.join('\n')}`;
  return text.length > maxChars ? text.slice(0, maxChars - 1) + '…' : text;
}

/**
 * `content` (a file's text) with `code` in place of its function or method `name` ('f' or 'Class.method');
 * a function the file does not define yet is appended. What a repair writes, alone or grouped with others.
 */
export async function placeSymbol(
  content: string,
  where: Pick<RepoTarget, 'root' | 'path' | 'language'>,
  name: string,
  code: string,
): Promise<string> {
  const symbol = (await listSymbols(content, where.language, { path: where.path })).find(
    (s) => s.name === name,
  );
  if (!symbol) return placeFunction({ ...where, base: content, entryPoint: name })(code);
  return symbolRun({ ...where, base: content }, symbol).place(code);
}

/**
 * Where the codes for `Class.member` go in `base`: in place of the method when the class has it, else as a new
 * method after the class's last one. Throws (a UserError: nothing was spent yet) when the class is not there.
 */
export async function methodPlacer(
  where: Pick<RepoTarget, 'root' | 'path' | 'language'> & { base: string },
  className: string,
  member: string,
): Promise<Placer> {
  const symbols = await listSymbols(where.base, where.language, { path: where.path });
  const existing = symbols.find((s) => s.name === `${className}.${member}`);
  if (existing) return symbolRun(where, existing).place;
  const methods = symbols.filter((s) => s.kind === 'method' && s.className === className);
  if (methods.length === 0)
    throw new UserError(
      `${where.path} has no class \`${className}\` with a method to place \`${member}\` beside: name an existing class (entry_point: Class.method), or write the class first`,
    );
  const last = methods.reduce((a, b) => (b.endLine > a.endLine ? b : a));
  // A blank line after the class's last method, then an empty range there: replaceSymbol puts the candidate
  // into it at the methods' indentation (and its imports at the top of the file).
  const lines = where.base.split('\n');
  lines.splice(last.endLine, 0, '');
  const spaced = lines.join('\n');
  const slot: CodeSymbol = {
    ...last,
    name: `${className}.${member}`,
    member,
    access: `${className}.${member}`,
    startLine: last.endLine + 2,
    endLine: last.endLine + 1,
    text: '',
    doc: '',
    decorators: [],
  };
  return (code) => replaceSymbol(spaced, where.language, slot, code);
}
