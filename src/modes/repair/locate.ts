// From a failing test to the function under repair. The failure's traceback is read innermost frame first:
// the innermost frame in one of the repository's own source files (not a test, not a dependency) names the
// function whose line range holds it. When the failure never left the test file (a plain assertion such as
// `assert f(2) == 3`), the failing statement is read from the test file and the function it calls is resolved
// through the test file's imports (or, failing that, a unique top-level definition of that name).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionTest, Language } from '../../types.js';
import { git } from '../../github/index.js';
import { listFunctions, listSymbols, listSymbolsOfFiles, type FunctionInfo } from '../../repo/index.js';
import { isTestPath, isVendoredPath, languageOfPath } from '../../repo/source.js';
import { assertionToMethodTest, assertionToTest, calledNames, statementAt } from './assertions.js';
import { parseFrames, type Frame } from './traceback.js';
import type { TestCaseResult } from './report.js';

export interface RepairTarget {
  path: string;
  language: Language;
  name: string;
}

export interface LocatedFailure {
  case: TestCaseResult;
  target: RepairTarget | null;
  via?: 'traceback' | 'assertion';
  /** The failing statement of the test, when it could be read. */
  statement?: string;
  testFrame?: { path: string; line: number };
  /** The failing assertion as a unit test of the target, when it is a literal equality on one call. */
  trusted?: FunctionTest;
  /** Why no target was found. */
  reason?: string;
}

/** The repository's tracked source files, read on demand. */
export class SourceIndex {
  private readonly contents = new Map<string, Promise<string | null>>();
  private readonly fns = new Map<string, Promise<FunctionInfo[]>>();
  readonly files: Set<string>;

  constructor(
    readonly root: string,
    files: string[],
  ) {
    this.files = new Set(files);
  }

  static async open(root: string): Promise<SourceIndex> {
    const { stdout } = await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
    const files = stdout
      .split('\0')
      .filter((f) => f !== '' && languageOfPath(f) !== null && !isVendoredPath(f));
    return new SourceIndex(root, files);
  }

  read(rel: string): Promise<string | null> {
    let p = this.contents.get(rel);
    if (!p) {
      p = readFile(path.join(this.root, rel), 'utf8').catch(() => null);
      this.contents.set(rel, p);
    }
    return p;
  }

  /** Reads every source file's functions and methods at once (one Python process for all Python files). */
  private everything?: Promise<void>;
  loadAll(): Promise<void> {
    this.everything ??= (async () => {
      const todo = [...this.files].filter((f) => !this.fns.has(f));
      const sources = await Promise.all(todo.map(async (f) => ({ path: f, source: await this.read(f) })));
      const readable = sources.filter((s): s is { path: string; source: string } => s.source !== null);
      const parsed = await listSymbolsOfFiles(readable).catch(() => new Map());
      for (const f of readable) {
        const r = parsed.get(f.path);
        if (Array.isArray(r)) this.fns.set(f.path, Promise.resolve(r));
      }
    })();
    return this.everything;
  }

  functions(rel: string): Promise<FunctionInfo[]> {
    let p = this.fns.get(rel);
    if (!p) {
      p = this.read(rel).then((src) => {
        const lang = languageOfPath(rel);
        // Functions and methods ('Class.method'), by the source model; the statement splitter as a fallback.
        if (src === null || !lang) return [];
        return listSymbols(src, lang, { path: rel }).catch(() => listFunctions(src, lang));
      });
      this.fns.set(rel, p);
    }
    return p;
  }

  /** A frame's file as a tracked repository path, or null (outside the repository, a dependency, unknown). */
  relative(file: string): string | null {
    let f = file.replace(/\\/g, '/');
    const root = this.root.replace(/\\/g, '/').replace(/\/+$/, '');
    if (path.isAbsolute(f)) {
      if (!f.startsWith(root + '/')) return null;
      f = f.slice(root.length + 1);
    }
    f = path.posix.normalize(f).replace(/^\.\//, '');
    if (f.startsWith('../') || isVendoredPath(f)) return null;
    if (this.files.has(f)) return f;
    // Relative to a subdirectory the test command ran in: a unique tracked path ending with it.
    const hits = [...this.files].filter((x) => x.endsWith('/' + f));
    return hits.length === 1 ? hits[0]! : null;
  }
}

interface Binding {
  module: string;
  /** The imported name (null: the binding is the module itself). */
  imported: string | null;
}

/** Import bindings of a test file: local name -> module and imported name. */
export function importBindings(source: string, language: Language): Map<string, Binding> {
  const out = new Map<string, Binding>();
  if (language === 'python') {
    const text = source
      .replace(/\\\n/g, ' ')
      .replace(/\(\s*([^)]*?)\s*\)/g, (_m, inner: string) => inner.replace(/\s+/g, ' '));
    for (const m of text.matchAll(/^from\s+(\.*[\w.]*)\s+import\s+([^\n#]+)/gm)) {
      for (const part of m[2]!.split(',')) {
        const [name, alias] = part.trim().split(/\s+as\s+/);
        if (name && name !== '*') out.set((alias ?? name).trim(), { module: m[1]!, imported: name.trim() });
      }
    }
    for (const m of text.matchAll(/^import\s+([^\n#]+)/gm)) {
      for (const part of m[1]!.split(',')) {
        const [mod, alias] = part.trim().split(/\s+as\s+/);
        if (mod) out.set((alias ?? mod.split('.')[0]!).trim(), { module: mod.trim(), imported: null });
      }
    }
    return out;
  }
  for (const m of source.matchAll(
    /(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*(['"])([^'"]+)\2\s*\)/g,
  )) {
    for (const part of m[1]!.split(',')) {
      const [name, alias] = part.trim().split(/\s*:\s*/);
      if (name) out.set((alias ?? name).trim(), { module: m[3]!, imported: name.trim() });
    }
  }
  for (const m of source.matchAll(
    /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*(['"])([^'"]+)\2\s*\)/g,
  ))
    out.set(m[1]!, { module: m[3]!, imported: null });
  for (const m of source.matchAll(/import\s+([^'";]*?)\s+from\s+(['"])([^'"]+)\2/g)) {
    const clause = m[1]!;
    const named = /\{([^}]*)\}/.exec(clause);
    if (named)
      for (const part of named[1]!.split(',')) {
        const [name, alias] = part.trim().split(/\s+as\s+/);
        if (name) out.set((alias ?? name).trim(), { module: m[3]!, imported: name.trim() });
      }
    const ns = /\*\s+as\s+([A-Za-z_$][\w$]*)/.exec(clause);
    if (ns) out.set(ns[1]!, { module: m[3]!, imported: null });
    const def = /^([A-Za-z_$][\w$]*)/.exec(clause);
    if (def) out.set(def[1]!, { module: m[3]!, imported: null });
  }
  return out;
}

/** Candidate repository paths of a module imported from `fromFile`. */
function moduleFiles(index: SourceIndex, module: string, fromFile: string, language: Language): string[] {
  const dir = path.posix.dirname(fromFile);
  const candidates: string[] = [];
  if (language === 'python') {
    const dots = /^\.*/.exec(module)![0].length;
    const rest = module.slice(dots).replace(/\./g, '/');
    const bases =
      dots > 0
        ? [path.posix.join(dir, ...Array.from({ length: dots - 1 }, () => '..'), rest)]
        : [rest, `src/${rest}`, path.posix.join(dir, rest)];
    for (const b of bases) candidates.push(`${b}.py`, `${b}/__init__.py`);
  } else {
    if (!module.startsWith('.')) return [];
    const b = path.posix.join(dir, module);
    candidates.push(b, `${b}.js`, `${b}.mjs`, `${b}.cjs`, `${b}/index.js`);
    // TypeScript: './x.js' names './x.ts', and './x' may be './x.ts' or './x/index.ts'.
    const stem = b.replace(/\.(m|c)?js$/, '');
    candidates.push(
      `${b}.ts`,
      `${b}.tsx`,
      `${b}/index.ts`,
      `${stem}.ts`,
      `${stem}.tsx`,
      `${stem}.mts`,
      `${stem}.cts`,
    );
  }
  return candidates.map((c) => path.posix.normalize(c)).filter((c) => index.files.has(c));
}

async function findFunction(index: SourceIndex, files: string[], name: string): Promise<RepairTarget | null> {
  for (const f of files) {
    const lang = languageOfPath(f);
    if (!lang || isTestPath(f)) continue;
    if ((await index.functions(f)).some((fn) => fn.name === name)) return { path: f, language: lang, name };
  }
  return null;
}

/** The function a called name refers to, through the test file's imports, else a unique definition. */
async function resolveCallee(
  index: SourceIndex,
  testFile: string,
  callee: { name: string; receiver?: string },
  bindings: Map<string, Binding>,
  language: Language,
  /** The callee is a class, and this its method called on the object: the target is `Class.member`. */
  member?: string,
): Promise<RepairTarget | null> {
  let binding: Binding | undefined;
  let real = callee.name;
  if (callee.receiver) {
    binding = bindings.get(callee.receiver);
    if (!binding || binding.imported !== null) binding = undefined;
  } else {
    binding = bindings.get(callee.name);
    if (binding?.imported) real = binding.imported;
  }
  if (member) real = `${real}.${member}`;
  if (binding) {
    const hit = await findFunction(index, moduleFiles(index, binding.module, testFile, language), real);
    if (hit) return hit;
  } else if (callee.receiver) return null; // a method of something else (assert.equal, expect(...).toBe)
  // A unique definition anywhere in the repository's own sources.
  await index.loadAll();
  const hits: RepairTarget[] = [];
  for (const f of index.files) {
    if (isTestPath(f) || languageOfPath(f) !== language) continue;
    if ((await index.functions(f)).some((fn) => fn.name === real))
      hits.push({ path: f, language, name: real });
  }
  return hits.length === 1 ? hits[0]! : null;
}

/** Local names under which `target` is called from a test file (its own name and import aliases). */
function localNames(target: RepairTarget, bindings: Map<string, Binding>): string[] {
  const names = [target.name];
  for (const [local, b] of bindings)
    if (b.imported === target.name && local !== target.name) names.push(local);
  return names;
}

export async function locateFailure(index: SourceIndex, c: TestCaseResult): Promise<LocatedFailure> {
  const frames: Array<Frame & { rel: string }> = parseFrames(
    [c.details ?? '', c.message ?? ''].join('\n'),
  ).flatMap((f) => {
    const rel = index.relative(f.file);
    return rel ? [{ ...f, rel }] : [];
  });
  const caseFile = c.file ? index.relative(c.file) : null;
  const isTestFrame = (rel: string) => isTestPath(rel) || rel === caseFile;
  const testFrame = frames.find((f) => isTestFrame(f.rel));
  const out: LocatedFailure = { case: c, target: null };
  let bindings = new Map<string, Binding>();
  let testLanguage: Language | null = null;
  if (testFrame) {
    out.testFrame = { path: testFrame.rel, line: testFrame.line };
    const src = await index.read(testFrame.rel);
    testLanguage = languageOfPath(testFrame.rel);
    if (src !== null && testLanguage) {
      out.statement = statementAt(src, testFrame.line);
      bindings = importBindings(src, testLanguage);
    }
  }

  // 1. The innermost frame in the repository's own (non-test) source.
  for (const f of frames) {
    if (isTestFrame(f.rel)) continue;
    const lang = languageOfPath(f.rel);
    if (!lang) continue;
    const fn = (await index.functions(f.rel)).find((x) => x.startLine <= f.line && f.line <= x.endLine);
    if (fn) {
      out.target = { path: f.rel, language: lang, name: fn.name };
      out.via = 'traceback';
      break;
    }
  }

  // 2. The function the failing statement calls.
  if (!out.target && out.statement && testFrame && testLanguage) {
    const callees = calledNames(out.statement);
    for (const callee of callees) {
      const t = await resolveCallee(index, testFrame.rel, callee, bindings, testLanguage);
      if (t) {
        out.target = t;
        out.via = 'assertion';
        break;
      }
    }
    // A method called on an object the statement constructs: `Cls(...).m(...)`.
    for (let i = 0; !out.target && i < callees.length; i++) {
      if (callees[i]!.receiver) continue;
      for (const m of callees.slice(i + 1)) {
        const t = await resolveCallee(index, testFrame.rel, callees[i]!, bindings, testLanguage, m.name);
        if (t) {
          out.target = t;
          out.via = 'assertion';
          break;
        }
      }
    }
  }
  if (!out.target) {
    out.reason =
      frames.length === 0
        ? 'the failure has no traceback into the repository'
        : out.statement
          ? `neither the traceback nor the failing statement (${out.statement.split('\n')[0]}) leads to a top-level function of the repository`
          : 'the traceback leads to no top-level function of the repository';
    return out;
  }

  // The failing assertion as a trusted unit test of the target (a method's: a call on an object of its class).
  if (out.statement && testLanguage === out.target.language) {
    const dot = out.target.name.lastIndexOf('.');
    const owner = dot > 0 ? out.target.name.slice(0, dot) : out.target.name;
    const member = dot > 0 ? out.target.name.slice(dot + 1) : null;
    for (const local of localNames({ ...out.target, name: owner }, bindings)) {
      if (member !== null) {
        const t = assertionToMethodTest(out.statement, testLanguage, local, owner, member);
        if (t) out.trusted = t;
      } else {
        const t = assertionToTest(out.statement, testLanguage, local);
        if (t) out.trusted = { call: owner + t.call.slice(local.length), expected: t.expected! };
      }
      if (out.trusted) break;
    }
  }
  return out;
}
