// Top-level functions of a source file with their line ranges and documentation (Python docstring, JSDoc
// block), and which of them a change adds or modifies, read by the statement splitter (synchronous, no parser).
// The source model (symbols.ts) reads methods too, with real parsers; the gate's targets come from it.
import type { Language } from '../types.js';
import { splitStatements } from './blocks.js';
import type { CodeSymbol } from './symbols.js';

/**
 * A top-level function as the statement splitter reads it (the fields of the source model's CodeSymbol that it
 * can tell without a parser; see symbols.ts for what each means).
 */
export type FunctionInfo = Pick<
  CodeSymbol,
  'name' | 'startLine' | 'endLine' | 'text' | 'signature' | 'doc' | 'exported'
>;

export function listFunctions(source: string, language: Language): FunctionInfo[] {
  const split = splitStatements(source, language);
  const out: FunctionInfo[] = [];
  for (const st of split.statements) {
    if (st.kind !== 'function' || !st.name) continue;
    const lines = split.lines.slice(st.startLine, st.endLine + 1).map((l) => l.text);
    const text = lines.join('\n');
    const above = split.lines.slice(st.commentStartLine, st.startLine).map((l) => l.text);
    out.push({
      name: st.name,
      startLine: st.startLine + 1,
      endLine: st.endLine + 1,
      text,
      signature: signatureOf(text, language),
      doc: language === 'python' ? pythonDocstring(text) : jsDoc(above),
      exported:
        language === 'python'
          ? !st.name.startsWith('_')
          : Boolean(st.exportPrefix) || isCommonJsExported(source, st.name),
    });
  }
  return out;
}

function signatureOf(text: string, language: Language): string {
  if (language === 'python') {
    const lines = text.split('\n').filter((l) => !/^\s*@/.test(l));
    const joined = lines.join('\n');
    const m = /^[\s\S]*?\)\s*(?:->\s*[^:]+)?:/.exec(joined);
    return (m ? m[0] : lines[0]!).replace(/\s+/g, ' ').trim();
  }
  const brace = text.indexOf('{');
  const arrow = text.indexOf('=>');
  const cut =
    arrow !== -1 && (brace === -1 || arrow < brace) ? arrow + 2 : brace === -1 ? text.length : brace;
  return text.slice(0, cut).replace(/\s+/g, ' ').trim();
}

function pythonDocstring(text: string): string {
  const m =
    /\)\s*(?:->\s*[^:]+)?:\s*\n\s*[rRuU]?("""|''')([\s\S]*?)\1/.exec(text) ??
    /\)\s*(?:->\s*[^:]+)?:\s*\n\s*[rRuU]?(["'])((?:\\.|(?!\1).)*)\1/.exec(text);
  if (!m) return '';
  return dedent(m[2]!).trim();
}

function jsDoc(above: string[]): string {
  const text = above.join('\n');
  const m = /\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!m) return '';
  return m[1]!
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, ''))
    .join('\n')
    .trim();
}

function dedent(s: string): string {
  const lines = s.split('\n');
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => /^\s*/.exec(l)![0].length);
  const n = indents.length > 0 ? Math.min(...indents) : 0;
  return [lines[0]!, ...lines.slice(1).map((l) => l.slice(Math.min(n, /^\s*/.exec(l)![0].length)))].join(
    '\n',
  );
}

function isCommonJsExported(source: string, name: string): boolean {
  return (
    new RegExp(`(?:module\\.)?exports\\.${name}\\s*=`).test(source) ||
    new RegExp(`module\\.exports\\s*=\\s*\\{[^}]*\\b${name}\\b`).test(source) ||
    new RegExp(`module\\.exports\\s*=\\s*${name}\\s*;?\\s*$`, 'm').test(source)
  );
}

export interface ChangedFunction extends FunctionInfo {
  change: 'added' | 'modified';
}

/**
 * Functions of `after` that are new or whose text differs from `before` (white space at line ends ignored).
 * `before` null: the file is new, every function is added.
 */
export function changedFunctions(
  before: string | null,
  after: string,
  language: Language,
): ChangedFunction[] {
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  const old = new Map(
    (before === null ? [] : listFunctions(before, language)).map((f) => [f.name, norm(f.text)]),
  );
  return listFunctions(after, language)
    .filter((f) => old.get(f.name) !== norm(f.text))
    .map((f) => ({ ...f, change: old.has(f.name) ? 'modified' : 'added' }));
}
