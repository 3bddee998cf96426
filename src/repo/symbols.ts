// The source model: the functions and methods of a source file, read by real parsers (Python's own `ast` in one
// subprocess for many files; @babel/parser for JavaScript and TypeScript), with their line ranges, signature,
// documentation and whether the module exports them; which of them a change adds or modifies; and how a
// candidate definition replaces one of them in the file (a method re-indented into its class, its imports at
// the top). The gate, the repair and the adoption preflight (`cosplay gate --dry-run`) find their targets here.
import { execFile } from 'node:child_process';
import { parse as babelParse, type ParserPlugin } from '@babel/parser';
import type { Language } from '../types.js';
import { resolvePython } from './host.js';
import { lex } from './lex.js';
import { PY_SYMBOLS_SCRIPT } from './symbols-python.js';
import { insertCode, mergeImports, normaliseCode } from './write.js';
import { splitStatements } from './blocks.js';

export interface CodeSymbol {
  /** 'func', or 'Class.method' ('Outer.Inner.method' for nested classes). */
  name: string;
  kind: 'function' | 'method';
  /** Methods: the class path ('Outer.Inner'; for JavaScript assignments `obj.m = function`, the object path). */
  className?: string;
  /** The member's (or function's) own name. */
  member?: string;
  /**
   * The expression that reaches the symbol from the module's top-level scope: 'f', 'Cls.m', Python's mangled
   * 'Cls._Cls__m', JavaScript's 'Cls.prototype.m', 'module.exports.f' (CommonJS `exports.f = function`).
   */
  access: string;
  /** 1-based, inclusive; decorators included (JavaScript: `export` included, the JSDoc block not). */
  startLine: number;
  endLine: number;
  /** The definition's exact text (its lines startLine..endLine). */
  text: string;
  /** The header up to the body, white space collapsed (`def f(a, b) -> int:` / `function f(a, b)`). */
  signature: string;
  /** Docstring (Python, cleaned by ast.get_docstring) or JSDoc text without comment markers; '' when none. */
  doc: string;
  /** Reachable from outside the module (Python: public name, or listed in a literal __all__; JS: exported). */
  exported: boolean;
  /** Leading white space of the definition's first line. */
  indent: string;
  isStatic?: boolean;
  isAsync?: boolean;
  /** Decorator expressions, as written (Python: `staticmethod`, `property`, `functools.lru_cache(None)`). */
  decorators?: string[];
  /** TypeScript overloads: the line where the implementation begins (its signatures are startLine..this - 1). */
  implementationLine?: number;
}

export interface SymbolOptions {
  /** Python interpreter for the parser (default $COSPLAY_PYTHON, else python3 on PATH). */
  python?: string;
  /** The file's path: JavaScript's parser plugins follow its extension (.ts/.tsx/.mts/.cts: TypeScript). */
  path?: string;
}

export type ChangedSymbol = CodeSymbol & { change: 'added' | 'modified' };

function sourceLines(source: string): string[] {
  return source.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function leadingWs(line: string | undefined): string {
  return /^[ \t]*/.exec(line ?? '')![0];
}

/** True for TypeScript paths. */
export function isTypeScriptPath(p: string | undefined): boolean {
  return !!p && /\.(m|c)?tsx?$/i.test(p) && !/\.d\.(m|c)?ts$/i.test(p);
}

// ------------------------------------------------------------------------------------------------- python

interface RawPySymbol {
  name: string;
  kind: 'function' | 'method';
  className: string | null;
  member: string;
  access: string;
  startLine: number;
  endLine: number;
  signature: string;
  doc: string;
  exported: boolean;
  isStatic: boolean;
  isAsync: boolean;
  decorators: string[];
}

/** Runs the ast script on many sources at once. */
async function parsePython(
  sources: string[],
  python?: string,
): Promise<Array<{ symbols: RawPySymbol[] } | { error: string }>> {
  if (sources.length === 0) return [];
  const runtime = await resolvePython(python);
  const input = JSON.stringify(sources.map((source) => ({ source })));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      runtime.exe,
      ['-I', '-S', '-c', PY_SYMBOLS_SCRIPT],
      { maxBuffer: 1 << 30, timeout: 300_000, env: { PATH: '/usr/bin:/bin', PYTHONIOENCODING: 'utf-8' } },
      (err, out, stderr) => {
        if (err) reject(new Error(`the Python parser failed: ${String(stderr || err.message).trim()}`));
        else resolve(out);
      },
    );
    child.stdin!.end(input);
  });
  return JSON.parse(stdout) as Array<{ symbols: RawPySymbol[] } | { error: string }>;
}

function pythonSymbols(source: string, raw: RawPySymbol[]): CodeSymbol[] {
  const lines = sourceLines(source);
  return raw.map((r) => {
    const s: CodeSymbol = {
      name: r.name,
      kind: r.kind,
      ...(r.className ? { className: r.className } : {}),
      member: r.member,
      access: r.access,
      startLine: r.startLine,
      endLine: r.endLine,
      text: lines.slice(r.startLine - 1, r.endLine).join('\n'),
      signature: r.signature,
      doc: r.doc,
      exported: r.exported,
      indent: leadingWs(lines[r.startLine - 1]),
    };
    if (r.isStatic) s.isStatic = true;
    if (r.isAsync) s.isAsync = true;
    if (r.decorators.length > 0) s.decorators = r.decorators;
    return s;
  });
}

// --------------------------------------------------------------------------------------------- javascript

// Babel's AST, as far as this file reads it.
interface Loc {
  start: { line: number };
  end: { line: number };
}
interface Comment {
  type: 'CommentBlock' | 'CommentLine';
  value: string;
  loc: Loc;
}
interface Node {
  type: string;
  start: number;
  end: number;
  loc: Loc;
  leadingComments?: Comment[];
  [key: string]: unknown;
}

const BASE_PLUGINS: ParserPlugin[] = [
  'decorators-legacy',
  'classProperties',
  'classPrivateProperties',
  'classPrivateMethods',
  'classStaticBlock',
  'importAttributes',
  'explicitResourceManagement',
];

function parseJs(source: string, path?: string): { program: Node } {
  const ts = isTypeScriptPath(path);
  const sourceType =
    path && /\.mjs$|\.mts$/i.test(path)
      ? 'module'
      : path && /\.c[jt]s$/i.test(path)
        ? 'script'
        : 'unambiguous';
  const attempts: ParserPlugin[][] = ts
    ? [
        [...BASE_PLUGINS, 'typescript'],
        [...BASE_PLUGINS, 'typescript', 'jsx'],
      ]
    : [
        [...BASE_PLUGINS, 'jsx'],
        [...BASE_PLUGINS, 'flow', 'jsx'],
        [...BASE_PLUGINS, 'typescript'],
      ];
  if (ts && path && /\.tsx$/i.test(path)) attempts.reverse();
  let first: Error | undefined;
  for (const plugins of attempts) {
    try {
      const file = babelParse(source, {
        sourceType,
        errorRecovery: true,
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true,
        allowImportExportEverywhere: true,
        allowSuperOutsideMethod: true,
        allowUndeclaredExports: true,
        plugins,
      }) as unknown as { program: Node };
      return file;
    } catch (err) {
      first ??= err as Error;
    }
  }
  throw first!;
}

function jsDocOf(node: Node | undefined, startLine: number): string {
  const comments = node?.leadingComments ?? [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i]!;
    if (c.type !== 'CommentBlock' || !c.value.startsWith('*')) continue;
    // The nearest block: at most one blank line between it and the definition.
    if (startLine - c.loc.end.line > 2) return '';
    return c.value
      .replace(/^\*/, '')
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim();
  }
  return '';
}

/** `a.b.c` of a member expression (identifiers and string keys only), or null. */
function memberPath(node: Node | undefined): string[] | null {
  if (!node) return null;
  if (node.type === 'Identifier') return [node.name as string];
  if (node.type === 'ThisExpression') return null;
  if (node.type === 'MemberExpression') {
    const obj = memberPath(node.object as Node);
    if (!obj) return null;
    const prop = node.property as Node;
    if (!node.computed && prop.type === 'Identifier') return [...obj, prop.name as string];
    if (node.computed && prop.type === 'StringLiteral' && /^[A-Za-z_$][\w$]*$/.test(prop.value as string))
      return [...obj, prop.value as string];
  }
  return null;
}

function keyName(node: Node): string | null {
  const key = node.key as Node | undefined;
  if (!key || node.computed) {
    if (key?.type === 'StringLiteral' && /^[A-Za-z_$][\w$]*$/.test(key.value as string))
      return key.value as string;
    return null;
  }
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'StringLiteral' && /^[A-Za-z_$][\w$]*$/.test(key.value as string))
    return key.value as string;
  return null;
}

/** The name of a top-level TS overload signature (`function f(a: string): string;`, exported or not). */
function overloadName(st: Node): string | undefined {
  const d = st.type === 'ExportNamedDeclaration' ? (st.declaration as Node) : st;
  return (d.id as Node | null)?.name as string | undefined;
}

const isFunctionNode = (n: Node | undefined | null): boolean =>
  !!n && (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');

/** Names the module exports (ESM export lists and CommonJS assignments of identifiers). */
function jsExportedNames(body: Node[]): Set<string> {
  const out = new Set<string>();
  const fromValue = (v: Node | undefined) => {
    if (v?.type === 'Identifier') out.add(v.name as string);
  };
  for (const st of body) {
    if (st.type === 'ExportNamedDeclaration' && !st.source && !st.declaration) {
      for (const sp of (st.specifiers as Node[]) ?? []) fromValue(sp.local as Node);
    } else if (st.type === 'ExportDefaultDeclaration') fromValue(st.declaration as Node);
    else if (st.type === 'ExpressionStatement' && (st.expression as Node).type === 'AssignmentExpression') {
      const a = st.expression as Node;
      const left = memberPath(a.left as Node);
      if (!left) continue;
      const isModuleExports = left[0] === 'module' && left[1] === 'exports';
      const isExports = left[0] === 'exports';
      if (!isModuleExports && !isExports) continue;
      const right = a.right as Node;
      if (right.type === 'ObjectExpression') {
        if (isModuleExports && left.length === 2)
          for (const p of (right.properties as Node[]) ?? [])
            if (p.type === 'ObjectProperty') fromValue(p.value as Node);
      } else fromValue(right);
    }
  }
  return out;
}

function javascriptSymbols(source: string, path?: string): CodeSymbol[] {
  const { program } = parseJs(source, path);
  const body = (program.body as Node[]) ?? [];
  const lines = sourceLines(source);
  const exportedNames = jsExportedNames(body);
  const out: CodeSymbol[] = [];

  const signatureOf = (from: number, fn: Node): string => {
    const b = fn.body as Node | undefined;
    let to: number;
    if (b && b.type === 'BlockStatement') to = b.start;
    else if (b) {
      const arrow = source.lastIndexOf('=>', b.start);
      to = arrow >= from ? arrow + 2 : b.start;
    } else to = fn.end;
    return source.slice(from, to).replace(/\s+/g, ' ').trim();
  };
  const add = (
    s: Omit<CodeSymbol, 'text' | 'indent' | 'startLine' | 'endLine'>,
    outer: Node,
    docNode: Node,
    extra: { isStatic?: boolean; isAsync?: boolean; decorators?: Node[]; overloads?: Node[] } = {},
  ) => {
    const decoStarts = (extra.decorators ?? []).map((d) => d.loc.start.line);
    const overloads = extra.overloads ?? [];
    const ownStart = Math.min(outer.loc.start.line, ...decoStarts);
    // TypeScript overloads: their signatures belong to the implementation (its lines, and their JSDoc when the
    // implementation has none).
    const startLine = Math.min(ownStart, ...overloads.map((o) => o.loc.start.line));
    const endLine = outer.loc.end.line;
    const overloadDocs = [...new Set(overloads.map((o) => jsDocOf(o, o.loc.start.line)).filter(Boolean))];
    const sym: CodeSymbol = {
      ...s,
      startLine,
      endLine,
      text: lines.slice(startLine - 1, endLine).join('\n'),
      doc: s.doc || jsDocOf(docNode, ownStart) || overloadDocs.join('\n\n'),
      indent: leadingWs(lines[startLine - 1]),
    };
    if (extra.isStatic) sym.isStatic = true;
    if (extra.isAsync) sym.isAsync = true;
    if (extra.decorators && extra.decorators.length > 0)
      sym.decorators = extra.decorators.map((d) => source.slice(d.start, d.end).replace(/^@/, ''));
    if (overloads.length > 0) sym.implementationLine = ownStart;
    out.push(sym);
  };

  /** A function (not a method): `fn` is its function node, `outer` the node whose lines it spans. */
  const addFunction = (
    name: string,
    access: string,
    fn: Node,
    outer: Node,
    docNode: Node,
    exported: boolean,
    overloads: Node[] = [],
  ) =>
    add(
      {
        name,
        kind: 'function',
        member: name,
        access,
        signature: signatureOf(outer.start, fn),
        doc: '',
        exported,
      },
      outer,
      docNode,
      { isAsync: Boolean(fn.async), overloads },
    );

  const classMembers = (cls: Node, className: string, exported: boolean) => {
    let overloads: Node[] = [];
    for (const m of ((cls.body as Node).body as Node[]) ?? []) {
      // TS overload signatures (and abstract methods): gathered for the implementation that follows them.
      if (m.type === 'TSDeclareMethod') {
        if (overloads.length > 0 && keyName(overloads[0]!) !== keyName(m)) overloads = [];
        overloads.push(m);
        continue;
      }
      const mine = overloads.length > 0 && keyName(overloads[0]!) === keyName(m) ? overloads : [];
      overloads = [];
      if (m.type !== 'ClassMethod') continue; // private #methods, fields: not targets
      const kind = m.kind as string;
      if (kind === 'get' || kind === 'set') continue;
      const member = kind === 'constructor' ? 'constructor' : keyName(m);
      if (!member) continue;
      const isStatic = Boolean(m.static);
      add(
        {
          name: `${className}.${member}`,
          kind: 'method',
          className,
          member,
          access: isStatic ? `${className}.${member}` : `${className}.prototype.${member}`,
          signature: signatureOf(m.start, m),
          doc: '',
          exported,
        },
        m,
        m,
        { isStatic, isAsync: Boolean(m.async), decorators: (m.decorators as Node[]) ?? [], overloads: mine },
      );
    }
  };

  let overloads: Node[] = [];
  for (const st of body) {
    let decl: Node = st;
    let exportedHere = false;
    const declared = (st.type === 'ExportNamedDeclaration' ? (st.declaration as Node | null) : st) ?? st;
    if (declared.type === 'TSDeclareFunction' && !declared.declare) {
      const name = (declared.id as Node | null)?.name as string | undefined;
      if (overloads.length > 0 && overloadName(overloads[0]!) !== name) overloads = [];
      overloads.push(st);
      continue;
    }
    const pending = overloads;
    overloads = [];
    if (st.type === 'ExportNamedDeclaration' && st.declaration) {
      decl = st.declaration as Node;
      exportedHere = true;
    } else if (st.type === 'ExportDefaultDeclaration') {
      decl = st.declaration as Node;
      exportedHere = true;
    }
    const docNode = st;
    if ((decl.type === 'FunctionDeclaration' || decl.type === 'FunctionExpression') && (decl.body as Node)) {
      const id = decl.id as Node | null;
      const name = id?.name as string | undefined;
      if (!name) continue; // `export default function () {}`: no name to reach it by
      const mine = pending.length > 0 && overloadName(pending[0]!) === name ? pending : [];
      addFunction(name, name, decl, st, docNode, exportedHere || exportedNames.has(name), mine);
    } else if (decl.type === 'ClassDeclaration' || decl.type === 'ClassExpression') {
      const id = decl.id as Node | null;
      const name = (id?.name as string | undefined) ?? null;
      if (!name) continue; // `export default class {}`: no name to reach it by
      classMembers(decl, name, exportedHere || exportedNames.has(name));
    } else if (decl.type === 'VariableDeclaration') {
      const decls = (decl.declarations as Node[]) ?? [];
      for (const d of decls) {
        const id = d.id as Node;
        if (id.type !== 'Identifier') continue;
        const name = id.name as string;
        const init = d.init as Node | null;
        const outer = decls.length === 1 ? st : d;
        const exported = exportedHere || exportedNames.has(name);
        if (isFunctionNode(init)) addFunction(name, name, init!, outer, docNode, exported);
        else if (init?.type === 'ClassExpression') classMembers(init, name, exported);
      }
    } else if (st.type === 'ExpressionStatement' && (st.expression as Node).type === 'AssignmentExpression') {
      const a = st.expression as Node;
      if (a.operator !== '=') continue;
      const left = memberPath(a.left as Node);
      const right = a.right as Node;
      if (!left || left.length < 2) continue;
      const isModuleExports = left[0] === 'module' && left[1] === 'exports';
      if (isModuleExports && left.length === 2) {
        // module.exports = function name() {} / module.exports = { f() {}, g: function () {} }
        if (isFunctionNode(right)) {
          const id = right.id as Node | null | undefined;
          const name = (id?.name as string | undefined) ?? 'module.exports';
          addFunction(name, 'module.exports', right, st, docNode, true);
        } else if (right.type === 'ObjectExpression') {
          for (const p of (right.properties as Node[]) ?? []) {
            const fn =
              p.type === 'ObjectMethod'
                ? p
                : p.type === 'ObjectProperty' && isFunctionNode(p.value as Node)
                  ? (p.value as Node)
                  : null;
            if (!fn || (p.type === 'ObjectMethod' && p.kind !== 'method')) continue;
            const name = keyName(p);
            if (!name) continue;
            addFunction(name, `module.exports.${name}`, fn, p, p, true);
          }
        }
        continue;
      }
      if (!isFunctionNode(right)) continue;
      const member = left[left.length - 1]!;
      const isExportsAssign = left[0] === 'exports' || isModuleExports;
      if (isExportsAssign && left.length === (left[0] === 'exports' ? 2 : 3)) {
        // exports.f = function () {} / module.exports.f = ...: an exported function reached through the exports.
        addFunction(member, left.join('.'), right, st, docNode, true);
        continue;
      }
      // Obj.prototype.m = function / Obj.m = function: a method of Obj.
      const owner = left[left.length - 2] === 'prototype' ? left.slice(0, -2) : left.slice(0, -1);
      const className = owner.join('.');
      const root = owner[0]!;
      add(
        {
          name: `${className}.${member}`,
          kind: 'method',
          className,
          member,
          access: left.join('.'),
          signature: signatureOf(st.start, right),
          doc: '',
          exported: exportedNames.has(root) || root === 'exports' || isModuleExports,
        },
        st,
        docNode,
        { isAsync: Boolean(right.async), isStatic: left[left.length - 2] !== 'prototype' },
      );
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- public

/** The functions and methods of one file. Throws (with the parser's message) when the file does not parse. */
export async function listSymbols(
  source: string,
  language: Language,
  options: SymbolOptions = {},
): Promise<CodeSymbol[]> {
  const [result] = [
    ...(await listSymbolsOfFiles([{ path: options.path ?? '', source }], language, options)).values(),
  ];
  if (!result || 'error' in result) throw new Error(result ? result.error : 'no result');
  return result;
}

/**
 * The functions and methods of many files, keyed by path: all the Python ones in ONE interpreter process. The
 * language is `language` for every file, or (undefined) each file's by its extension (.py: Python; else
 * JavaScript, TypeScript by .ts/.tsx/.mts/.cts). A file that does not parse gets {error} (e.g.
 * "SyntaxError: invalid syntax (line 3)").
 */
export async function listSymbolsOfFiles(
  files: Array<{ path: string; source: string }>,
  language?: Language,
  options: { python?: string } = {},
): Promise<Map<string, CodeSymbol[] | { error: string }>> {
  const out = new Map<string, CodeSymbol[] | { error: string }>();
  const isPython = (f: { path: string }) => (language ? language === 'python' : /\.pyw?$/i.test(f.path));
  const python = files.filter(isPython);
  const results = await parsePython(
    python.map((f) => f.source),
    options.python,
  );
  python.forEach((f, i) => {
    const r = results[i]!;
    out.set(f.path, 'error' in r ? { error: r.error } : pythonSymbols(f.source, r.symbols));
  });
  for (const f of files) {
    if (isPython(f)) continue;
    try {
      out.set(f.path, javascriptSymbols(f.source, f.path || undefined));
    } catch (err) {
      const e = err as Error & { loc?: { line: number } };
      out.set(f.path, {
        error: `SyntaxError: ${e.message.replace(/\s*\(\d+:\d+\)$/, '')}${e.loc ? ` (line ${e.loc.line})` : ''}`,
      });
    }
  }
  // In the callers' order.
  return new Map(files.map((f) => [f.path, out.get(f.path)!]));
}

/**
 * Symbols of `after` that are new or whose text differs from `before` (white space at line ends ignored).
 * `before` null (a new file) or unparsable: every symbol is added. Same-named symbols (a property's getter and
 * setter, alternative definitions in if/else) are matched in order.
 */
export async function changedSymbols(
  before: string | null,
  after: string,
  language: Language,
  options: SymbolOptions = {},
): Promise<ChangedSymbol[]> {
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  const keyed = (syms: CodeSymbol[]) => {
    const seen = new Map<string, number>();
    return syms.map((s) => {
      const n = seen.get(s.name) ?? 0;
      seen.set(s.name, n + 1);
      return { key: `${s.name}#${n}`, s };
    });
  };
  let old = new Map<string, string>();
  if (before !== null) {
    try {
      old = new Map(
        keyed(await listSymbols(before, language, options)).map(({ key, s }) => [key, norm(s.text)]),
      );
    } catch {
      old = new Map();
    }
  }
  return keyed(await listSymbols(after, language, options))
    .filter(({ key, s }) => old.get(key) !== norm(s.text))
    .map(({ key, s }) => ({ ...s, change: old.has(key) ? 'modified' : 'added' }));
}

// ------------------------------------------------------------------------------------------------ replace

/** A (TypeScript) candidate's own overload signatures of `name` (their text) and the candidate without them. */
function splitOverloads(candidate: string, name: string): { signatures: string[]; rest: string } {
  const code = normaliseCode(candidate);
  try {
    const body = (parseJs(code, 'candidate.ts').program.body as Node[]) ?? [];
    const cut = body.filter((st) => {
      const d = st.type === 'ExportNamedDeclaration' ? ((st.declaration as Node | null) ?? st) : st;
      return d.type === 'TSDeclareFunction' && (d.id as Node | null)?.name === name;
    });
    if (cut.length === 0) return { signatures: [], rest: candidate };
    let rest = code;
    for (const st of [...cut].reverse()) rest = rest.slice(0, st.start) + rest.slice(st.end);
    return { signatures: cut.map((st) => code.slice(st.start, st.end)), rest };
  } catch {
    return { signatures: [], rest: candidate };
  }
}

/**
 * A top-level TypeScript function with overloads: the candidate goes in as for any function (insertCode, with its
 * helpers and imports) in place of the implementation; the overload signatures stay in front of it, unless the
 * candidate brings its own.
 */
function replaceOverloaded(
  source: string,
  language: Language,
  symbol: CodeSymbol,
  candidate: string,
): string {
  const eol = /\r\n/.test(source) ? '\r\n' : '\n';
  const lines = source.split('\n');
  const own = splitOverloads(candidate, symbol.name);
  const signatures =
    own.signatures.length > 0
      ? own.signatures.join('\n').split('\n')
      : lines.slice(symbol.startLine - 1, symbol.implementationLine! - 1);
  const without = [
    ...lines.slice(0, symbol.startLine - 1),
    ...lines.slice(symbol.implementationLine! - 1),
  ].join('\n');
  const placed = insertCode(without, own.rest, {
    language,
    kind: 'function',
    entryPoint: symbol.name,
  }).content;
  const out = placed.split('\n');
  const def = new RegExp(
    `^(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${symbol.name}\\s*[<(]`,
  );
  const at = out.findIndex((l) => def.test(l));
  if (at < 0) return placed;
  out.splice(at, 0, ...signatures.map((l) => (eol === '\r\n' && !l.endsWith('\r') ? l + '\r' : l)));
  return out.join('\n');
}

/** Lines of `text` that begin inside a string literal (multi-line strings, template literals): never re-indented. */
function linesInsideStrings(text: string, language: Language): boolean[] {
  const { lines, classes } = lex(text, language);
  return lines.map((l) => l.offset > 0 && classes[l.offset - 1] === 1);
}

/** Re-indents a definition (its first line at column 0 after normaliseCode) to `indent`, strings untouched. */
/**
 * `def` moved to `indent`: on each code line its first line's indentation is replaced by `indent`. Lines
 * inside multi-line strings are the string's content and stay exactly as they are.
 */
function reindent(def: string, indent: string, language: Language): string {
  const text = def.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
  const inside = linesInsideStrings(text, language);
  const lines = text.split('\n');
  const k = /^[ \t]*/.exec(lines[0] ?? '')![0];
  return lines
    .map((l, i) => {
      if (inside[i]) return l;
      if (l.trim() === '') return '';
      return l.startsWith(k) ? indent + l.slice(k.length) : indent + l.trimStart();
    })
    .join('\n');
}

/**
 * The definition of `member` in a candidate reply (Python): a `def member` (with its decorators) at the
 * smallest indentation where one appears, as lines; plus the candidate's top-level imports.
 */
function pythonMemberOf(code: string, member: string): { def: string; imports: string[] } | null {
  const { lines, classes } = lex(code, 'python');
  const re = new RegExp(`^\\s*(?:async\\s+)?def\\s+${member}\\s*\\(`);
  let best = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.continuation || !l.hasCode || classes[l.offset + l.indent] !== 0 || !re.test(l.text)) continue;
    if (best === -1 || l.indent < lines[best]!.indent) best = i;
  }
  if (best === -1) return null;
  const ind = lines[best]!.indent;
  let start = best;
  while (start > 0) {
    const above = lines[start - 1]!;
    if (!above.continuation && above.indent === ind && /^\s*@/.test(above.text)) start--;
    else if (above.continuation && start - 1 > 0) {
      // a decorator's continuation line: keep going up to its first line
      let k = start - 1;
      while (k > 0 && lines[k]!.continuation) k--;
      if (lines[k]!.indent === ind && /^\s*@/.test(lines[k]!.text)) start = k;
      else break;
    } else break;
  }
  let end = best;
  for (let i = best + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.blank) continue;
    if (l.continuation || l.indent > ind || (!l.hasCode && l.indent > ind)) end = i;
    else break;
  }
  const def = lines
    .slice(start, end + 1)
    .map((l) => l.text)
    .join('\n');
  const imports = importsOf(code, 'python');
  return { def, imports };
}

function importsOf(code: string, language: Language): string[] {
  const split = splitStatements(normaliseCode(code), language);
  return split.statements
    .filter((s) => s.kind === 'import' || (language === 'python' && s.kind === 'directive'))
    .map((s) =>
      split.lines
        .slice(s.startLine, s.endLine + 1)
        .map((l) => l.text)
        .join('\n'),
    );
}

/** The definition of a JavaScript method `member` in a candidate: a class member, a function, an assignment. */
function javascriptMemberOf(code: string, symbol: CodeSymbol): { def: string; imports: string[] } | null {
  const member = symbol.member ?? symbol.name.split('.').pop()!;
  const clean = normaliseCode(code);
  const imports = importsOf(clean, 'javascript');
  // Class members and object-literal methods are written in method syntax; `obj.m = function` as assignments.
  const isClassMethod = !symbol.text.trimStart().startsWith(symbol.access);
  const slice = (src: string, n: Node) => src.slice(n.start, n.end);
  const tryParse = (src: string): Node[] | null => {
    try {
      return (parseJs(src).program.body as Node[]) ?? [];
    } catch {
      return null;
    }
  };
  const fromBody = (src: string, body: Node[]): string | null => {
    for (const st of body) {
      const decl =
        st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration'
          ? ((st.declaration as Node) ?? st)
          : st;
      const cls =
        decl.type === 'ClassDeclaration' || decl.type === 'ClassExpression'
          ? decl
          : decl.type === 'VariableDeclaration'
            ? (((decl.declarations as Node[])[0]?.init as Node | null) ?? null)
            : null;
      if (cls && (cls.type === 'ClassDeclaration' || cls.type === 'ClassExpression')) {
        for (const m of ((cls.body as Node).body as Node[]) ?? []) {
          if (
            m.type === 'ClassMethod' &&
            (keyName(m) === member || (member === 'constructor' && m.kind === 'constructor'))
          ) {
            const decos = (m.decorators as Node[]) ?? [];
            let from = Math.min(m.start, ...decos.map((d) => d.start));
            // From the start of its line, so that normaliseCode sees the member's own indentation.
            const lineStart = src.lastIndexOf('\n', from - 1) + 1;
            if (/^[ \t]*$/.test(src.slice(lineStart, from))) from = lineStart;
            const text = src.slice(from, m.end);
            return isClassMethod ? text : null;
          }
        }
      }
      if (decl.type === 'FunctionDeclaration' && (decl.id as Node | null)?.name === member) {
        const text = slice(src, decl);
        if (isClassMethod)
          return text.replace(
            /^(async\s+)?function\s*(\*?)\s*/,
            (_m, a: string | undefined, star: string) => `${a ?? ''}${star}`,
          );
        return `${symbol.access} = ${text};`;
      }
      if (st.type === 'ExpressionStatement' && (st.expression as Node).type === 'AssignmentExpression') {
        const left = memberPath((st.expression as Node).left as Node);
        if (left && left.join('.') === symbol.access && !isClassMethod) return slice(src, st);
      }
    }
    return null;
  };
  const direct = tryParse(clean);
  let def = direct ? fromBody(clean, direct) : null;
  if (!def && isClassMethod) {
    const wrapped = `class __Cosplay__ {\n${clean}\n}`;
    const body = tryParse(wrapped);
    if (body) def = fromBody(wrapped, body);
  }
  if (!def) return null;
  return { def, imports };
}

/**
 * `source` with `symbol` replaced by the candidate definition (an LLM reply: the definition, possibly
 * unindented, wrapped in its class, with imports above it). A top-level function goes through insertCode (its
 * helpers and imports come along); a method (or a function inside a top-level block) is cut out of the
 * candidate, re-indented to the symbol's indentation and put in place of the symbol's lines, and the imports
 * the candidate adds go to the top of the file. Throws when the candidate does not define the symbol.
 */
export function replaceSymbol(
  source: string,
  language: Language,
  symbol: CodeSymbol,
  candidate: string,
): string {
  if (symbol.kind === 'function' && symbol.indent === '' && symbol.access === symbol.name) {
    if (symbol.implementationLine) return replaceOverloaded(source, language, symbol, candidate);
    return insertCode(source, candidate, { language, kind: 'function', entryPoint: symbol.name }).content;
  }
  // A TS method with overloads: the candidate is its implementation; the overload signatures stay.
  if (symbol.implementationLine && symbol.kind === 'method') {
    const from = symbol.implementationLine;
    const { implementationLine: _, ...implementation } = symbol;
    return replaceSymbol(
      source,
      language,
      { ...implementation, startLine: from, indent: leadingWs(source.split('\n')[from - 1]) },
      candidate,
    );
  }
  const member = symbol.member ?? symbol.name.split('.').pop()!;
  const found =
    language === 'python' ? pythonMemberOf(candidate, member) : javascriptMemberOf(candidate, symbol);
  if (!found) throw new Error(`The candidate does not define ${symbol.name}.`);
  const eol = /\r\n/.test(source) ? '\r\n' : '\n';
  const lines = source.split('\n');
  const replacement = reindent(found.def, symbol.indent, language).split('\n');
  const next = [
    ...lines.slice(0, symbol.startLine - 1),
    ...replacement.map((l) => (eol === '\r\n' ? l + '\r' : l)),
    ...lines.slice(symbol.endLine),
  ];
  // An object literal's member keeps the comma that followed it on its last line.
  if (
    /,\s*$/.test(lines[symbol.endLine - 1] ?? '') &&
    !/,\s*$/.test(replacement[replacement.length - 1] ?? '')
  )
    next[symbol.startLine - 1 + replacement.length - 1] += ',';
  let content = next.join('\n');
  if (found.imports.length > 0) content = mergeImports(content, language, found.imports);
  return content;
}
