// A failing test's assertion, read from the test file at the line its frame names, turned into the calls it
// makes and, where possible, a unit test of the function under repair: `assert f(2, 3) == 5`,
// `assert.strictEqual(f(2, 3), 5)`, `expect(f(2, 3)).toBe(5)` -> { call: 'f(2, 3)', expected: '5' }. Only
// literal arguments and literal expected values qualify (a trusted test must stand on its own).
// String literals are read by the shared scanner (src/text/scan.ts).
import { scanString } from '../../text/scan.js';
import type { FunctionTest, Language } from '../../types.js';

const isQuote = (c: string): boolean => c === '"' || c === "'" || c === '`';
/** A string literal here runs from its quote to the same quote, across lines (a backslash escapes). */
const QUOTED = { triple: false, multiline: true };

/** Splits `s` at top-level occurrences of `sep` (outside strings and brackets). */
function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (isQuote(c)) i = scanString(s, i, QUOTED).end;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Index of the bracket closing the one at `open`, or -1. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (isQuote(c)) i = scanString(s, i, QUOTED).end;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** True when no bracket is left open and no string either (outside strings; backticks are not quotes here). */
export function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const str = scanString(s, i, QUOTED);
      if (!str.closed) return false;
      i = str.end;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  return depth <= 0;
}

/** The statement starting at 1-based `line` of `source` (continued while brackets are open, at most 12 lines). */
export function statementAt(source: string, line: number): string {
  const lines = source.split(/\r?\n/);
  let s = lines[line - 1] ?? '';
  for (let k = line; k < lines.length && k < line + 11 && !balanced(s); k++) s += '\n' + lines[k];
  return s.trim();
}

function identifiersOutsideStrings(s: string): string[] {
  const out: string[] = [];
  let word = '';
  for (let i = 0; i <= s.length; i++) {
    const c = s[i] ?? ' ';
    if (/[A-Za-z0-9_$]/.test(c)) {
      word += c;
      continue;
    }
    if (word && !/^[0-9]/.test(word)) out.push(word);
    word = '';
    if (isQuote(c)) i = scanString(s, i, QUOTED).end;
  }
  return out;
}

const LITERAL_NAMES: Record<Language, Set<string>> = {
  python: new Set(['True', 'False', 'None']),
  javascript: new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']),
  typescript: new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']),
};

/** A literal expression of the language (numbers, strings, lists, dicts, tuples of those; no names). */
export function isLiteral(expr: string, language: Language): boolean {
  const e = expr.trim();
  if (e === '') return false;
  if (language === 'python' && /\bf["']|\blambda\b/.test(e)) return false;
  if (language !== 'python' && /`/.test(e)) return false;
  // Numbers (1e5, 0x1f, 3j, 10n) start with a digit and are not identifiers.
  return identifiersOutsideStrings(e).every((w) => LITERAL_NAMES[language].has(w));
}

/** `f(args)` or `obj.f(args)` covering all of `expr`: the function name and the call without the receiver. */
export function asCall(expr: string): { name: string; call: string } | null {
  const e = expr.trim();
  const m = /^(?:[A-Za-z_$][\w$]*\.)*([A-Za-z_$][\w$]*)\s*\(/.exec(e);
  if (!m) return null;
  const open = m[0].length - 1;
  if (closing(e, open) !== e.length - 1) return null;
  return { name: m[1]!, call: `${m[1]}${e.slice(open)}` };
}

/** Names called in a statement, in order of appearance (receivers stripped: `mod.f(` -> `f`). */
export function calledNames(statement: string): Array<{ name: string; receiver?: string }> {
  const out: Array<{ name: string; receiver?: string }> = [];
  const re = /(?:([A-Za-z_$][\w$]*)\.)?([A-Za-z_$][\w$]*)\s*\(/g;
  // Blank out strings (all but the opening quote) so that calls inside them are not taken.
  let bare = '';
  for (let i = 0; i < statement.length; i++) {
    const c = statement[i]!;
    bare += c;
    if (!isQuote(c)) continue;
    const end = scanString(statement, i, QUOTED).end;
    bare += ' '.repeat(end - i);
    i = end;
  }
  for (const m of bare.matchAll(re)) out.push({ name: m[2]!, ...(m[1] ? { receiver: m[1] } : {}) });
  return out;
}

/** The pair (call side, expected side) of an equality assertion, or null. */
function equalitySides(statement: string, language: Language): [string, string] | null {
  const s = statement.replace(/;\s*$/, '').trim();
  if (language === 'python') {
    const m = /^assert\s+([\s\S]+)$/.exec(s);
    if (!m) return null;
    let body = m[1]!.trim();
    // `assert x == y, "message"`: drop a top-level message.
    body = splitTop(body, ',')[0]!.trim();
    if (body.startsWith('(') && closing(body, 0) === body.length - 1) body = body.slice(1, -1).trim();
    for (const op of [' == ', ' is ']) {
      const parts = splitTop(body, op);
      if (parts.length === 2) {
        const [a, b] = parts.map((p) => p.trim()) as [string, string];
        if (op === ' is ' && !['None', 'True', 'False'].includes(b) && !['None', 'True', 'False'].includes(a))
          return null;
        return [a, b];
      }
    }
    return null;
  }
  let m = /^(?:assert\.)?(?:strictEqual|equal|deepStrictEqual|deepEqual)\s*\(([\s\S]*)\)$/.exec(s);
  if (m && /^assert\./.test(s)) {
    const args = splitTop(m[1]!, ',').map((x) => x.trim());
    if (args.length >= 2) return [args[0]!, args[1]!];
  }
  m = /^expect\s*\(([\s\S]*)\)\s*\.\s*(?:toBe|toEqual|toStrictEqual)\s*\(([\s\S]*)\)$/.exec(s);
  if (m) {
    const open = s.indexOf('(');
    const close = closing(s, open);
    const actual = s.slice(open + 1, close);
    const rest = /^\s*\.\s*(?:toBe|toEqual|toStrictEqual)\s*\(([\s\S]*)\)$/.exec(s.slice(close + 1));
    if (rest) return [actual.trim(), rest[1]!.trim()];
  }
  return null;
}

/**
 * The unit test an assertion statement amounts to for `entryPoint`, or null when it is not a literal
 * equality on one call of it.
 */
export function assertionToTest(
  statement: string,
  language: Language,
  entryPoint: string,
): FunctionTest | null {
  const sides = equalitySides(statement, language);
  if (!sides) return null;
  for (const [a, b] of [sides, [sides[1], sides[0]] as [string, string]]) {
    const call = asCall(a);
    if (!call || call.name !== entryPoint) continue;
    const args = call.call.slice(call.call.indexOf('(') + 1, -1);
    if (!literalArgs(args, language)) return null;
    if (!isLiteral(b, language)) return null;
    return { call: call.call, expected: b };
  }
  return null;
}

/** True when a call's argument list holds literals only (Python keyword arguments: their values). */
function literalArgs(args: string, language: Language): boolean {
  const values = splitTop(args, ',').map((a) =>
    language === 'python' ? a.replace(/^\s*[A-Za-z_]\w*\s*=(?!=)/, '') : a,
  );
  return args.trim() === '' || isLiteral(`[${values.join(',')}]`, language);
}

/**
 * An assertion on a method as a unit test: `Cls(args).member(args) == literal` (JavaScript `new Cls(...)`), or
 * a static call `Cls.member(args)`, with literal arguments; the call is rewritten to use the class's own name.
 */
export function assertionToMethodTest(
  statement: string,
  language: Language,
  local: string,
  owner: string,
  member: string,
): FunctionTest | null {
  const sides = equalitySides(statement, language);
  if (!sides) return null;
  for (const [a, b] of [sides, [sides[1], sides[0]] as [string, string]]) {
    if (!isLiteral(b, language)) continue;
    const text = a.trim();
    const isNew = /^new\s/.test(text);
    const e = text.replace(/^new\s+/, '');
    if (!e.startsWith(local)) continue;
    let at = local.length;
    const argLists: string[] = [];
    const ctor = /^\s*\(/.exec(e.slice(at));
    if (ctor) {
      const open = at + ctor[0].length - 1;
      const close = closing(e, open);
      if (close < 0) continue;
      argLists.push(e.slice(open + 1, close));
      at = close + 1;
    }
    const call = new RegExp(`^\\s*\\.\\s*${member}\\s*\\(`).exec(e.slice(at));
    if (!call) continue;
    const open = at + call[0].length - 1;
    if (closing(e, open) !== e.length - 1) continue;
    argLists.push(e.slice(open + 1, -1));
    if (!argLists.every((l) => literalArgs(l, language))) continue;
    return { call: `${isNew ? 'new ' : ''}${owner}${e.slice(local.length)}`, expected: b };
  }
  return null;
}
