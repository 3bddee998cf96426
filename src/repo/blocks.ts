// Top-level statements of a Python or JavaScript file, by line: where each starts and ends, what it is
// (import, function, class, binding, export, main guard, other) and the name it defines.
import type { Language } from '../types.js';
import { lex, type LineInfo } from './lex.js';

export type StatementKind =
  | 'import'
  | 'function'
  | 'class'
  | 'binding' // NAME = ... (Python) / const|let|var NAME = ... (JavaScript), not a function
  | 'export-assign' // module.exports.NAME = ... / exports.NAME = ...
  | 'export' // module.exports = ..., export { ... }, export default NAME
  | 'main' // if __name__ == '__main__':
  | 'directive' // 'use strict', from __future__ import ...
  | 'docstring' // a module docstring
  | 'other';

export interface Statement {
  kind: StatementKind;
  /** The name a function/class/binding/export-assign defines. */
  name?: string;
  /** For JavaScript declarations: `export ` or `export default ` written before them. */
  exportPrefix?: string;
  /** First and last line (inclusive, 0-based) of the statement itself. */
  startLine: number;
  endLine: number;
  /** First line of the comment block directly above it (no blank line between), or startLine. */
  commentStartLine: number;
  /** Names bound by an import statement. */
  imports?: string[];
}

export interface SplitSource {
  lines: LineInfo[];
  statements: Statement[];
  eol: '\n' | '\r\n';
}

export function detectEol(source: string): '\n' | '\r\n' {
  const crlf = (source.match(/\r\n/g) ?? []).length;
  const lf = (source.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

export function splitStatements(source: string, language: Language): SplitSource {
  const { lines } = lex(source, language);
  const starts: number[] = [];
  let lastCodeChar = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const isStart =
      !l.continuation &&
      l.hasCode &&
      l.indent === 0 &&
      (language === 'python'
        ? !/^(else|elif|except|finally)\b/.test(l.text)
        : jsStartsStatement(l.text, lastCodeChar));
    if (isStart) {
      // A decorator's statement continues into the decorated definition.
      const prev = starts.length > 0 ? lines[starts[starts.length - 1]!]! : undefined;
      const prevIsDecorator =
        language === 'python' &&
        prev !== undefined &&
        /^@/.test(prev.text) &&
        lastCodeLineIsDecorator(lines, starts[starts.length - 1]!, i);
      if (!prevIsDecorator) starts.push(i);
    }
    if (l.hasCode) lastCodeChar = lastCode(l.text, language);
  }
  const statements: Statement[] = [];
  for (let s = 0; s < starts.length; s++) {
    const startLine = starts[s]!;
    let endLine = (s + 1 < starts.length ? starts[s + 1]! : lines.length) - 1;
    // Trailing blank lines and column-0 comments belong to the gap, not to the statement.
    // (Python keeps indented comments: they are part of the body above.)
    const gap = (l: LineInfo) =>
      l.blank || (!l.hasCode && (language !== 'python' || (l.indent === 0 && !l.continuation)));
    while (endLine > startLine && gap(lines[endLine]!)) endLine--;
    let commentStartLine = startLine;
    while (commentStartLine > 0) {
      const above = lines[commentStartLine - 1]!;
      if (above.blank || above.hasCode) break;
      if (s > 0 && commentStartLine - 1 <= statements[s - 1]!.endLine) break;
      commentStartLine--;
    }
    const text = lines
      .slice(startLine, endLine + 1)
      .map((l) => l.text)
      .join('\n');
    statements.push({ ...classify(text, language, s === 0), startLine, endLine, commentStartLine });
  }
  return { lines, statements, eol: detectEol(source) };
}

function lastCodeLineIsDecorator(lines: LineInfo[], from: number, to: number): boolean {
  for (let k = to - 1; k >= from; k--) {
    const l = lines[k]!;
    if (!l.hasCode) continue;
    return /^@/.test(l.text) || l.continuation;
  }
  return false;
}

function lastCode(text: string, language: Language): string {
  const stripped =
    language === 'python'
      ? text.replace(/#.*$/, '')
      : text.replace(/\/\/.*$/, '').replace(/\/\*.*?\*\//g, '');
  const t = stripped.trimEnd();
  return t.length > 0 ? t[t.length - 1]! : '';
}

function jsStartsStatement(text: string, previousLastChar: string): boolean {
  if (/^[.)\]}?:+\-*/%&|,=<>^]/.test(text) && !/^(\+\+|--)/.test(text)) return false;
  if (previousLastChar !== '' && /[=,([{+\-*/%&|?:.<>!^~]/.test(previousLastChar)) return false;
  return true;
}

const PY_IDENT = '[A-Za-z_][A-Za-z0-9_]*';

function classify(
  text: string,
  language: Language,
  first: boolean,
): Omit<Statement, 'startLine' | 'endLine' | 'commentStartLine'> {
  if (language === 'python') return classifyPython(text, first);
  return classifyJavaScript(text);
}

function classifyPython(
  text: string,
  first: boolean,
): Omit<Statement, 'startLine' | 'endLine' | 'commentStartLine'> {
  // Decorators (possibly spanning lines) stay part of the statement: the decorated definition is the first
  // def/class at column 0 (a decorated class's indented methods are not it).
  if (/^(@|(async\s+)?def\s|class\s)/.test(text)) {
    const m = new RegExp(`^(?:(?:async\\s+)?def\\s+(${PY_IDENT})|class\\s+(${PY_IDENT}))`, 'm').exec(text);
    if (m?.[1]) return { kind: 'function', name: m[1] };
    if (m?.[2]) return { kind: 'class', name: m[2] };
  }
  if (/^from\s+__future__\s+import\b/.test(text))
    return { kind: 'directive', imports: pythonImportNames(text) };
  if (/^(import|from)\s/.test(text)) return { kind: 'import', imports: pythonImportNames(text) };
  if (/^if\s+__name__\s*==\s*['"]__main__['"]\s*:/.test(text)) return { kind: 'main' };
  if (first && /^[rRuUbB]?("""|''')/.test(text)) return { kind: 'docstring' };
  const bind = new RegExp(`^(${PY_IDENT})\\s*(?::[^=]+)?=(?!=)`).exec(text);
  if (bind) return { kind: 'binding', name: bind[1]! };
  return { kind: 'other' };
}

function pythonImportNames(text: string): string[] {
  const t = text
    .replace(/\\\n/g, ' ')
    .replace(/[()]/g, ' ')
    .replace(/#.*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  const names: string[] = [];
  const from = /^from\s+\S+\s+import\s+(.*)$/.exec(t);
  const parts = from ? from[1]!.split(',') : t.replace(/^import\s+/, '').split(',');
  for (const p of parts) {
    const x = p.trim();
    if (x === '' || x === '*') continue;
    const as = /\s+as\s+(\S+)$/.exec(x);
    names.push(as ? as[1]! : from ? x : x.split('.')[0]!);
  }
  return names;
}

const JS_IDENT = '[A-Za-z_$][\\w$]*';

function classifyJavaScript(text: string): Omit<Statement, 'startLine' | 'endLine' | 'commentStartLine'> {
  if (/^(['"])use strict\1;?\s*$/.test(text)) return { kind: 'directive' };
  if (/^#!/.test(text)) return { kind: 'directive' };
  if (/^import[\s{*'"]/.test(text) && !/^import\s*\(/.test(text))
    return { kind: 'import', imports: jsImportNames(text) };
  const req = new RegExp(`^(?:const|let|var)\\s+([\\s\\S]+?)\\s*=\\s*require\\s*\\(`).exec(text);
  if (req) return { kind: 'import', imports: bindingNames(req[1]!) };
  let m = new RegExp(`^(?:module\\.)?exports\\.(${JS_IDENT})\\s*=`).exec(text);
  if (m) return { kind: 'export-assign', name: m[1]! };
  if (
    /^module\.exports\s*=|^export\s*\{|^export\s+\*|^export\s+default\s+[A-Za-z_$][\w$]*\s*;?\s*$/.test(text)
  )
    return { kind: 'export' };
  const prefixMatch = /^(export\s+default\s+|export\s+)?/.exec(text)!;
  const exportPrefix = prefixMatch[0] ? prefixMatch[0].replace(/\s+/g, ' ') : undefined;
  const rest = text.slice(prefixMatch[0].length);
  const withPrefix = (s: Omit<Statement, 'startLine' | 'endLine' | 'commentStartLine'>) =>
    exportPrefix ? { ...s, exportPrefix } : s;
  m = new RegExp(`^(?:async\\s+)?function\\s*\\*?\\s*(${JS_IDENT})\\s*\\(`).exec(rest);
  if (m) return withPrefix({ kind: 'function', name: m[1]! });
  m = new RegExp(`^class\\s+(${JS_IDENT})`).exec(rest);
  if (m) return withPrefix({ kind: 'class', name: m[1]! });
  m = new RegExp(`^(?:const|let|var)\\s+(${JS_IDENT})\\s*=\\s*([\\s\\S]*)$`).exec(rest);
  if (m) {
    const rhs = m[2]!;
    const isFn = new RegExp(
      `^(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*=>|${JS_IDENT}\\s*=>|\\([\\s\\S]*?\\)\\s*=>)`,
    ).test(rhs);
    return withPrefix({ kind: isFn ? 'function' : 'binding', name: m[1]! });
  }
  return { kind: 'other' };
}

function jsImportNames(text: string): string[] {
  const t = text.replace(/\s+/g, ' ');
  const m = /^import\s+(.*?)\s+from\s/.exec(t);
  if (!m) return [];
  const names: string[] = [];
  const clause = m[1]!;
  const ns = /\*\s+as\s+([A-Za-z_$][\w$]*)/.exec(clause);
  if (ns) names.push(ns[1]!);
  const named = /\{([^}]*)\}/.exec(clause);
  if (named) {
    for (const part of named[1]!.split(',')) {
      const x = part.trim();
      if (!x) continue;
      const as = /\s+as\s+(\S+)$/.exec(x);
      names.push(as ? as[1]! : x);
    }
  }
  const def = /^([A-Za-z_$][\w$]*)/.exec(clause);
  if (def) names.push(def[1]!);
  return names;
}

function bindingNames(pattern: string): string[] {
  const p = pattern.trim();
  if (/^[A-Za-z_$][\w$]*$/.test(p)) return [p];
  return (p.match(/[A-Za-z_$][\w$]*(?=\s*[,}]|\s*$)/g) ?? []).filter((x) => x !== 'as');
}
