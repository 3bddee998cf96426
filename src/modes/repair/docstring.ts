// A repair replaces a function's definition with the candidate's. Candidates often come without the
// docstring; the repair keeps the original one (JavaScript's JSDoc sits above the function and is kept by the
// writer already).
import { splitStatements } from '../../repo/index.js';

const HEADER_END = /\)\s*(?:->\s*[^:\n]+)?:[ \t]*(?:#[^\n]*)?\n/;
const DOCSTRING = /^([ \t]*)([rRuUbB]{0,2}("""|'''|"|')[\s\S]*?\3)[ \t]*\n/;

/** The docstring literal of a Python function's text (with its quotes and indentation), or null. */
export function docstringOf(fnText: string): { indent: string; literal: string } | null {
  const h = HEADER_END.exec(fnText);
  if (!h) return null;
  const rest = fnText.slice(h.index + h[0].length).replace(/^(?:[ \t]*\n)*/, '');
  const m = DOCSTRING.exec(rest + '\n');
  return m ? { indent: m[1]!, literal: m[2]! } : null;
}

/**
 * `program` with the docstring of `originalFn` put into its top-level function `entryPoint` when that function
 * has none. Unchanged when the original has none, the candidate has one, or the shapes are unusual.
 */
export function keepDocstring(program: string, originalFn: string, entryPoint: string): string {
  const doc = docstringOf(originalFn);
  if (!doc) return program;
  const split = splitStatements(program, 'python');
  const st = split.statements.find((s) => s.kind === 'function' && s.name === entryPoint);
  if (!st) return program;
  const start = split.lines[st.startLine]!.offset;
  const last = split.lines[st.endLine]!;
  const end = last.offset + last.text.length;
  const text = program.slice(start, end);
  if (docstringOf(text + '\n')) return program;
  const h = HEADER_END.exec(text);
  if (!h) return program;
  const bodyStart = h.index + h[0].length;
  const firstBody = /^(?:[ \t]*\n)*([ \t]+)\S/.exec(text.slice(bodyStart));
  if (!firstBody) return program;
  const indent = firstBody[1]!;
  const literal = doc.literal
    .split('\n')
    .map((l, i) => (i === 0 || !l.startsWith(doc.indent) ? l : indent + l.slice(doc.indent.length)))
    .join('\n');
  const withDoc = text.slice(0, bodyStart) + `${indent}${literal}\n` + text.slice(bodyStart);
  return program.slice(0, start) + withDoc + program.slice(end);
}
