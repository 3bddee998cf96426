// Just enough lexing of Python and JavaScript source to find top-level statements: which characters are
// code, string or comment, and which lines continue an earlier line (open brackets, multi-line strings or
// comments, backslash continuations). No parsing beyond that. String literals are read by the shared scanner
// (src/text/scan.ts).
import { scanString } from '../text/scan.js';
import type { Language } from '../types.js';

export type CharClass = 0 | 1 | 2; // 0 code, 1 string, 2 comment
export const CODE: CharClass = 0;
export const STRING: CharClass = 1;
export const COMMENT: CharClass = 2;

export interface LineInfo {
  /** Offset of the line's first character in the source. */
  offset: number;
  text: string;
  /** Leading white-space width (tabs count as 1). */
  indent: number;
  blank: boolean;
  /** Has at least one code character (not only comment / white space). */
  hasCode: boolean;
  /** The line continues a statement from an earlier line (inside brackets, a string, a block comment, or after `\`). */
  continuation: boolean;
}

export interface Lexed {
  source: string;
  classes: CharClass[];
  lines: LineInfo[];
}

function splitLines(source: string): Array<{ offset: number; text: string }> {
  const out: Array<{ offset: number; text: string }> = [];
  let offset = 0;
  for (const raw of source.split('\n')) {
    out.push({ offset, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw });
    offset += raw.length + 1;
  }
  return out;
}

export function lex(source: string, language: Language): Lexed {
  return language === 'python' ? lexPython(source) : lexJavaScript(source);
}

function finishLines(source: string, classes: CharClass[], continuationAt: Map<number, boolean>): LineInfo[] {
  return splitLines(source).map(({ offset, text }) => {
    let hasCode = false;
    for (let i = 0; i < text.length; i++) {
      if (classes[offset + i] !== COMMENT && !/\s/.test(text[i]!)) {
        hasCode = true;
        break;
      }
    }
    const indentMatch = /^[ \t]*/.exec(text)![0];
    return {
      offset,
      text,
      indent: indentMatch.length,
      blank: text.trim() === '',
      hasCode,
      continuation: continuationAt.get(offset) ?? false,
    };
  });
}

/** True when the character at `at` follows an odd run of backslashes. */
function escaped(source: string, at: number): boolean {
  let n = 0;
  while (source[at - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

function lexPython(source: string): Lexed {
  const classes: CharClass[] = new Array(source.length).fill(CODE);
  const continuationAt = new Map<number, boolean>();
  let depth = 0;
  let backslash = false;
  let i = 0;
  let lineStart = true;
  while (i < source.length) {
    if (lineStart) {
      continuationAt.set(i, depth > 0 || backslash);
      backslash = false;
      lineStart = false;
    }
    const c = source[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') classes[i++] = COMMENT;
      continue;
    }
    if (c === '\\' && (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n'))) {
      backslash = true;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      // An unterminated single-line string stops before its newline.
      const start = i;
      i = scanString(source, start).end + 1;
      for (let k = start; k < i; k++) classes[k] = STRING;
      // Lines that start inside a triple-quoted string continue the statement; the main loop handles the line
      // after the string (the string may end mid-line). A newline escaped by a backslash is not marked (as
      // before: such a line reads as a statement start).
      if (source.startsWith(c.repeat(3), start))
        for (let k = start; k < i; k++)
          if (source[k] === '\n' && !escaped(source, k)) continuationAt.set(k + 1, true);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    i++;
  }
  // Line starts inside triple-quoted strings were recorded by the string scanner; the main loop never sees
  // them as line starts, so they keep `true`.
  return { source, classes, lines: finishLines(source, classes, continuationAt) };
}

const REGEX_PRECEDERS = new Set([
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);
const REGEX_KEYWORDS = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'instanceof',
]);

function lexJavaScript(source: string): Lexed {
  const classes: CharClass[] = new Array(source.length).fill(CODE);
  const continuationAt = new Map<number, boolean>();
  // Stack of contexts: '{' '(' '[' brackets, and '`' for a template literal (its `${` pushes '${').
  const stack: string[] = [];
  let lastSignificant = ''; // last code token (char or word) for the regex-vs-division decision
  let i = 0;
  let lineStart = true;
  const depth = () => stack.length;
  const markLineStarts = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (source[k] === '\n') continuationAt.set(k + 1, true);
  };
  while (i < source.length) {
    if (lineStart) {
      if (!continuationAt.has(i)) continuationAt.set(i, depth() > 0);
      lineStart = false;
    }
    const c = source[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') classes[i++] = COMMENT;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (let k = i; k < stop; k++) classes[k] = COMMENT;
      markLineStarts(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      const s = scanString(source, start, { triple: false });
      // An unterminated string takes its line's newline with it.
      i = Math.min(s.end + (s.closed ? 1 : 2), source.length);
      for (let k = start; k < i; k++) classes[k] = STRING;
      lastSignificant = 'str';
      continue;
    }
    if (c === '`' || (c === '}' && stack[stack.length - 1] === '${')) {
      // Template literal text, from the backtick (or the `}` closing a substitution) to the next `${` or `.
      if (c === '}') stack.pop();
      const start = i++;
      let opened = false;
      while (i < source.length) {
        if (source[i] === '\\') {
          i += 2;
          continue;
        }
        if (source[i] === '`') {
          i++;
          break;
        }
        if (source[i] === '$' && source[i + 1] === '{') {
          i += 2;
          opened = true;
          break;
        }
        i++;
      }
      for (let k = start; k < i; k++) classes[k] = STRING;
      markLineStarts(start, i);
      if (opened) {
        stack.push('${');
        lastSignificant = '{';
      } else lastSignificant = 'str';
      continue;
    }
    if (c === '/') {
      const isRegex =
        lastSignificant === '' || REGEX_PRECEDERS.has(lastSignificant) || REGEX_KEYWORDS.has(lastSignificant);
      if (isRegex) {
        const start = i++;
        let inClass = false;
        while (i < source.length && source[i] !== '\n') {
          if (source[i] === '\\') {
            i += 2;
            continue;
          }
          if (source[i] === '[') inClass = true;
          else if (source[i] === ']') inClass = false;
          else if (source[i] === '/' && !inClass) {
            i++;
            break;
          }
          i++;
        }
        while (i < source.length && /[a-z]/i.test(source[i]!)) i++;
        for (let k = start; k < i; k++) classes[k] = STRING;
        lastSignificant = 'regex';
        continue;
      }
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.length > 0 && stack[stack.length - 1] !== '${') stack.pop();
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(source.slice(i, i + 64))!;
      lastSignificant = m[0];
      i += m[0].length;
      continue;
    }
    if (/\d/.test(c)) {
      const m = /^[\d.xXa-fA-F_eEnoObB]+/.exec(source.slice(i, i + 64))!;
      lastSignificant = 'num';
      i += m[0].length;
      continue;
    }
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { source, classes, lines: finishLines(source, classes, continuationAt) };
}

/**
 * Renames every code identifier `from` to `to` (not property accesses `x.from`, not inside strings or
 * comments). Python f-string substitutions are strings to this lexer and are not renamed.
 */
export function renameIdentifier(source: string, language: Language, from: string, to: string): string {
  const { classes } = lex(source, language);
  const re = new RegExp(`[A-Za-z_$][\\w$]*`, 'g');
  let out = '';
  let pos = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m[0] !== from || classes[m.index] !== CODE) continue;
    let k = m.index - 1;
    while (k >= 0 && (source[k] === ' ' || source[k] === '\t')) k--;
    if (k >= 0 && source[k] === '.' && source[k - 1] !== '.') continue;
    out += source.slice(pos, m.index) + to;
    pos = m.index + m[0].length;
  }
  return out + source.slice(pos);
}
