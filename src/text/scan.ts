// The one scanner of string literals and brackets, shared by the task-spec parser (src/taskspec/), the
// source lexer (src/repo/lex.ts) and the repair's assertion reader (src/modes/repair/assertions.ts): where a
// string literal ends, an expression split at a top-level operator (outside strings and brackets), bracket
// balance; and a fenced-code-block finder for Markdown.

export interface Fence {
  /** Info string's first word, lower case (`yaml`, `python`, ''). */
  info: string;
  content: string;
  /** Line index of the opening fence and of the closing fence (or lines.length when unterminated). */
  startLine: number;
  endLine: number;
}

/** Fenced code blocks of a Markdown text (``` or ~~~, at most 3 spaces of indentation). */
export function findFences(text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const marker = open[2]!;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) break;
      body.push(indent > 0 ? lines[j]!.replace(new RegExp(`^ {0,${indent}}`), '') : lines[j]!);
    }
    fences.push({ info: open[3]!.toLowerCase(), content: body.join('\n'), startLine: i, endLine: j });
    i = j;
  }
  return fences;
}

/** If the whole text is one fenced block (surrounding blank lines allowed), its content; else the text. */
export function unwrapFence(text: string): string {
  const trimmed = text.replace(/^\s*\n/, '').replace(/\n\s*$/, '');
  const fences = findFences(trimmed);
  if (fences.length === 1) {
    const lines = trimmed.split('\n');
    const f = fences[0]!;
    if (f.startLine === 0 && (f.endLine === lines.length - 1 || f.endLine === lines.length)) return f.content;
  }
  return text;
}

/**
 * Finds the first occurrence of one of `operators` at bracket depth 0 and outside string literals
 * (Python and JavaScript quoting: '', "", triple quotes, template literals; # and // comments end the scan).
 * Returns [left, operator, right] or null. Operators are tried longest first at each position.
 */
export function splitTopLevel(
  source: string,
  operators: string[],
  options: { stopAtComments?: boolean } = {},
): [string, string, string] | null {
  const ops = [...operators].sort((a, b) => b.length - a.length);
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(source, i);
      continue;
    }
    if (options.stopAtComments !== false) {
      if (c === '#' && !ops.some((o) => source.startsWith(o, i))) return null;
      if (c === '/' && source[i + 1] === '/' && !ops.some((o) => source.startsWith(o, i))) return null;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      for (const op of ops) {
        if (!source.startsWith(op, i)) continue;
        // `==` must not be part of `===`/`!==`/`<==`; `=>` must not follow `=`/`!`/`<`/`>`.
        const prev = source[i - 1] ?? '';
        const next = source[i + op.length] ?? '';
        if ((op === '==' || op === '===') && (/[=!<>]/.test(prev) || next === '=')) continue;
        if (op === '=>' && /[=!<>]/.test(prev)) continue;
        if (op === '->' && prev === '-') continue;
        if (/^[a-z]/i.test(op) && (/\w/.test(prev) || /\w/.test(next))) continue;
        return [source.slice(0, i), op, source.slice(i + op.length)];
      }
    }
  }
  return null;
}

/** Index of the last character of the string literal that starts at `start`. */
export function skipString(source: string, start: number): number {
  return scanString(source, start).end;
}

/**
 * The string literal that starts at `start` (its quote: ', " or `): index of its last character, and whether
 * it is closed. A backslash escapes the next character; '' and "" strings end at a newline (unclosed), template
 * literals and Python triple-quoted strings ('''...''', """...""") do not. `triple: false` reads ''' as an
 * empty string and a quote (JavaScript); `multiline: true` lets every string run past newlines to its closing
 * quote. Template substitutions (`${...}`) are not parsed.
 */
export function scanString(
  source: string,
  start: number,
  options: { triple?: boolean; multiline?: boolean } = {},
): { end: number; closed: boolean } {
  const q = source[start]!;
  const triple =
    options.triple !== false && (q === '"' || q === "'") && source.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  for (let i = start + close.length; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (source.startsWith(close, i)) return { end: i + close.length - 1, closed: true };
    if (c === '\n' && !triple && q !== '`' && !options.multiline) return { end: i - 1, closed: false };
  }
  return { end: source.length - 1, closed: false };
}

/** True when brackets balance and strings close. */
export function isBalanced(source: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const s = scanString(source, i);
      if (!s.closed) return false;
      i = s.end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return false;
    }
  }
  return stack.length === 0;
}
