// The adoption preflight (`cosplay gate --repo DIR --all --dry-run`): which documented functions and methods of
// a repository the gate would check, and whether each one resolves when its module is loaded the way the gate
// runs it (repository context in the sandbox). No LLM. Every module loads ONCE, with one test that looks all
// its targets up at once (Python: inspect.getattr_static along the dotted path, which runs no descriptor;
// JavaScript: typeof along the access path, each in its own try), and the modules load concurrently on the
// executor's workers, so a repository with a thousand documented functions takes seconds.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Executor, Language } from '../../types.js';
import { git } from '../../github/index.js';
import { isTypeScriptPath, listSymbolsOfFiles, type CodeSymbol } from '../../repo/index.js';
import { isTestPath, isVendoredPath } from '../../repo/source.js';

export type PreflightLanguage = 'python' | 'javascript' | 'typescript';

export interface PreflightTarget {
  /** Relative to the repository root. */
  path: string;
  name: string;
  kind: 'function' | 'method';
  language: PreflightLanguage;
  loads: boolean;
  /** When it does not load: the module's load error's last line, or 'not found in the module'. */
  reason?: string;
}

export interface PreflightFileError {
  path: string;
  error: string;
}

export interface PreflightResult {
  targets: PreflightTarget[];
  /** Files that do not parse (their functions cannot be listed). */
  unparsed: PreflightFileError[];
  files: number;
}

export interface PreflightOptions {
  root: string;
  executor: Executor;
  /** Changed-only: the base ref (git diff BASE [HEAD]); without it every source file counts. */
  base?: string;
  head?: string;
  python?: string;
  /** Wall-clock limit for loading one module (default 20 s). */
  timeoutMs?: number;
}

export const NOT_FOUND_REASON = 'not found in the module';

/** Directories whose code is not the repository's own source (dependencies, environments, build output). */
const SKIP_DIRS = new Set([
  'node_modules',
  'site-packages',
  'dist-packages',
  '.venv',
  'venv',
  'env',
  '.tox',
  '.nox',
  '.git',
  'dist',
  'build',
  '__pycache__',
  'coverage',
  'vendor',
  'bower_components',
  '.next',
  '.eggs',
]);

/** Largest source file listed (bigger ones are generated or data). */
const MAX_SOURCE_BYTES = 1024 * 1024;

export function preflightLanguageOf(p: string): PreflightLanguage | null {
  if (/\.py$/i.test(p)) return 'python';
  if (/\.(m|c)?jsx?$/i.test(p)) return 'javascript';
  if (isTypeScriptPath(p)) return 'typescript';
  return null;
}

/** Generated bundles and minified files: `.min.js`, `.bundle.js`, or very long lines. */
export function looksGenerated(p: string, source: string): boolean {
  if (/\.(min|bundle)\.(m|c)?js$/i.test(p)) return true;
  const lines = source.split('\n');
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return longest > 5000 || (lines.length > 0 && source.length / lines.length > 300);
}

/** Whether a repository path is a source file the gate would check (not a test, vendored or a build script). */
export function isGateSourcePath(rel: string): boolean {
  const parts = rel.split('/');
  if (parts.slice(0, -1).some((d) => SKIP_DIRS.has(d) || (d.startsWith('.') && d !== '.'))) return false;
  if (isTestPath(rel) || isVendoredPath(rel)) return false;
  const base = parts[parts.length - 1]!;
  if (/^(setup|noxfile|fabfile|conftest)\.py$/.test(base)) return false;
  return preflightLanguageOf(rel) !== null;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      out.push(...(await walk(root, r)));
    } else if (e.isFile() && isGateSourcePath(r)) out.push(r);
  }
  return out.sort();
}

interface SourceFile {
  path: string;
  language: PreflightLanguage;
  source: string;
  /** Changed-only listings: the base version (null when the file is new). */
  before?: string | null;
}

async function readSources(root: string, rels: string[]): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const rel of rels) {
    const language = preflightLanguageOf(rel);
    if (!language) continue;
    try {
      const st = await stat(path.join(root, rel));
      if (st.size > MAX_SOURCE_BYTES) continue;
      const source = await readFile(path.join(root, rel), 'utf8');
      if (language !== 'python' && looksGenerated(rel, source)) continue;
      out.push({ path: rel, language, source });
    } catch {
      // unreadable: not a source file the gate can use
    }
  }
  return out;
}

async function changedSources(root: string, base: string, head?: string): Promise<SourceFile[]> {
  const range = head ? [base, head] : [base];
  const { stdout } = await git(root, ['diff', '--name-only', '--diff-filter=AM', ...range, '--']);
  const rels = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && isGateSourcePath(l));
  const show = async (ref: string, rel: string): Promise<string | null> => {
    const { stdout: text, exitCode } = await git(root, ['show', `${ref}:${rel}`], { okCodes: [128] });
    return exitCode === 0 ? text : null;
  };
  const out: SourceFile[] = [];
  for (const rel of rels) {
    const language = preflightLanguageOf(rel)!;
    const source = head
      ? await show(head, rel)
      : await readFile(path.join(root, rel), 'utf8').catch(() => null);
    if (source === null || (language !== 'python' && looksGenerated(rel, source))) continue;
    out.push({ path: rel, language, source, before: await show(base, rel) });
  }
  return out;
}

/** The documented symbols of each file (first definition of a name), keyed by path; files that do not parse. */
async function documentedSymbols(
  files: SourceFile[],
  python?: string,
): Promise<{ symbols: Map<string, CodeSymbol[]>; unparsed: PreflightFileError[] }> {
  const symbols = new Map<string, CodeSymbol[]>();
  const unparsed: PreflightFileError[] = [];
  const inputs = files.flatMap((f) => [
    { path: f.path, source: f.source },
    ...(f.before ? [{ path: `\0before\0${f.path}`, source: f.before }] : []),
  ]);
  // Python files (the base versions too) in one parser process; JavaScript and TypeScript by their extension.
  const listed = await listSymbolsOfFiles(inputs, undefined, { python });
  for (const f of files) {
    const r = listed.get(f.path)!;
    if ('error' in r) {
      unparsed.push({ path: f.path, error: r.error });
      continue;
    }
    let syms = r;
    if (f.before !== undefined) {
      // Changed-only: symbols that are new or whose text changed.
      const old = f.before !== null ? listed.get(`\0before\0${f.path}`) : undefined;
      const oldText = new Map<string, string>();
      if (old && !('error' in old))
        for (const s of old) if (!oldText.has(s.name)) oldText.set(s.name, trimEnds(s.text));
      syms = syms.filter((s) => oldText.get(s.name) !== trimEnds(s.text));
    }
    const seen = new Set<string>();
    const documented: CodeSymbol[] = [];
    for (const s of syms) {
      if (s.doc.trim() === '' || seen.has(s.name)) continue;
      seen.add(s.name);
      documented.push(s);
    }
    if (documented.length > 0) symbols.set(f.path, documented);
  }
  return { symbols, unparsed };
}

function trimEnds(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/**
 * The one test that checks every target of a Python module: a list of booleans, True where the dotted access
 * path resolves. inspect.getattr_static reads attributes without running properties or other descriptors.
 */
export function pythonLookupTest(symbols: CodeSymbol[]): string {
  const paths = JSON.stringify(symbols.map((s) => s.access.split('.')));
  return (
    `(lambda _miss, _get: [(lambda _o: _o is not _miss)(__import__('functools').reduce(` +
    `lambda _o, _a: _miss if _o is _miss else _get(_o, _a, _miss), _p[1:], globals().get(_p[0], _miss))) ` +
    `for _p in ${paths}])(object(), __import__('inspect').getattr_static)`
  );
}

/** The JavaScript counterpart: `typeof` of each access path, each in its own try (a missing object throws). */
export function javascriptLookupTest(symbols: CodeSymbol[]): string {
  const checks = symbols.map((s) => {
    const access = s.access
      .split('.')
      .map((part, i) =>
        i === 0 ? part : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`,
      )
      .join('');
    return `(() => { try { return typeof ${access} === 'function'; } catch (_e) { return false; } })()`;
  });
  return `[${checks.join(', ')}]`;
}

/** The last line of an error text (the exception itself, after a traceback). */
export function lastLine(error: string): string {
  const lines = error
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^at\s/.test(l) && !/^\^+$/.test(l));
  // Node puts the message first and the stack after: the first non-frame line is the message there.
  const pyLike = /Traceback \(most recent call last\)/.test(error) || /^\s*File "/m.test(error);
  const line = pyLike
    ? lines[lines.length - 1]
    : (lines.find((l) => /\w(Error|Exception)\b|^Error\b/.test(l)) ?? lines[lines.length - 1]);
  return (line ?? 'the module did not load').slice(0, 300);
}

function parseBooleans(output: string): boolean[] | null {
  try {
    const tree = JSON.parse(output) as unknown;
    if (!Array.isArray(tree) || tree[0] !== 'l' || !Array.isArray(tree[1])) return null;
    return (tree[1] as unknown[]).map((x) => Array.isArray(x) && x[0] === 'b' && x[1] === true);
  } catch {
    return null;
  }
}

/** Lists the gate's targets of a repository and loads each module once to see whether they resolve. */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const root = path.resolve(options.root);
  const files = options.base
    ? await changedSources(root, options.base, options.head)
    : await readSources(root, await walk(root));
  const { symbols, unparsed } = await documentedSymbols(files, options.python);
  const language = new Map(files.map((f) => [f.path, f]));
  const timeoutMs = options.timeoutMs ?? 20_000;
  const perFile = await Promise.all(
    [...symbols].map(async ([rel, syms]): Promise<PreflightTarget[]> => {
      const file = language.get(rel)!;
      const base = (loads: boolean, s: CodeSymbol, reason?: string): PreflightTarget => ({
        path: rel,
        name: s.name,
        kind: s.kind,
        language: file.language,
        loads,
        ...(reason !== undefined ? { reason } : {}),
      });
      const lang: Language = file.language;
      let cell;
      try {
        const matrix = await options.executor.run({
          language: lang,
          kind: 'function',
          repo: { root, path: rel },
          codes: [file.source],
          tests: [{ call: lang === 'python' ? pythonLookupTest(syms) : javascriptLookupTest(syms) }],
          timeoutMs,
        });
        cell = matrix[0]![0]!;
      } catch (err) {
        return syms.map((s) => base(false, s, lastLine((err as Error).message)));
      }
      if (cell.verdict !== 'pass') {
        const reason =
          cell.verdict === 'timeout'
            ? `loading the module timed out after ${timeoutMs} ms`
            : lastLine(cell.error || cell.verdict);
        return syms.map((s) => base(false, s, reason));
      }
      const found = parseBooleans(cell.output);
      return syms.map((s, i) =>
        found && found[i]
          ? base(true, s)
          : base(false, s, found ? NOT_FOUND_REASON : `unexpected answer ${cell.output.slice(0, 80)}`),
      );
    }),
  );
  return { targets: perFile.flat(), unparsed, files: files.length };
}

/** The human summary: counts, the share that loads, the most common reasons. */
export function summarisePreflight(result: PreflightResult, top = 5): string[] {
  const t = result.targets;
  const loads = t.filter((x) => x.loads).length;
  const methods = t.filter((x) => x.kind === 'method').length;
  const share = t.length > 0 ? ((100 * loads) / t.length).toFixed(1) : '0.0';
  const lines = [
    `${t.length} documented functions and methods (${t.length - methods} functions, ${methods} methods) in ${
      new Set(t.map((x) => x.path)).size
    } of ${result.files} source files`,
    `${loads} of ${t.length} load in repository context (${share} %)`,
  ];
  const reasons = new Map<string, number>();
  for (const x of t) if (!x.loads && x.reason) reasons.set(x.reason, (reasons.get(x.reason) ?? 0) + 1);
  const sorted = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, top);
  if (sorted.length > 0) {
    lines.push('why the others do not:');
    for (const [r, n] of sorted) lines.push(`  ${String(n).padStart(5)}  ${r}`);
  }
  if (result.unparsed.length > 0) {
    lines.push(`${result.unparsed.length} files do not parse:`);
    for (const u of result.unparsed.slice(0, top)) lines.push(`  ${u.path}: ${u.error}`);
  }
  return lines;
}
