// Robust extraction of code and JSON from model replies that wrap them in prose and fences.
// An unusable reply yields null: the caller records a failure, it never crashes.
import type { Language } from '../types.js';

const FENCE = /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n([\s\S]*?)(?:\n[ \t]*\2[ \t]*(?=\n|$)|$)/g;

export interface FencedBlock {
  lang: string;
  body: string;
  /** False when the reply ended before the closing fence (a truncated block). */
  closed: boolean;
}

/** All fenced blocks in order, including a last one cut off by a length limit. */
export function fencedBlocks(text: string): FencedBlock[] {
  const out: FencedBlock[] = [];
  for (const m of text.replace(/\r\n/g, '\n').matchAll(FENCE)) {
    const whole = m[0];
    const fence = m[2];
    const closed = new RegExp(`\\n[ \\t]*${fence.replace(/[`~]/g, (c) => `\\${c}`)}[ \\t]*$`).test(whole);
    out.push({ lang: m[3].toLowerCase(), body: m[4], closed });
  }
  return out;
}

const LANG_TAGS: Record<Language, string[]> = {
  python: ['python', 'py', 'python3'],
  javascript: ['javascript', 'js', 'node', 'mjs', 'cjs', 'typescript', 'ts', 'jsx'],
  typescript: ['typescript', 'ts', 'tsx', 'mts', 'cts', 'javascript', 'js'],
};

/**
 * The program in a reply: the longest closed fenced block tagged with the language (or untagged);
 * if the reply has no fence at all and looks like bare code, the reply itself. Truncated blocks are
 * rejected (a program cut off by the token limit is not a program).
 */
export function extractCodeBlock(text: string, language: Language): string | null {
  const blocks = fencedBlocks(text);
  if (blocks.length === 0) {
    const bare = text.trim();
    if (!bare) return null;
    const looksLikeCode =
      language === 'python'
        ? /^(def |class |import |from |[A-Za-z_]\w*\s*=|for |while |if |print\()/m.test(bare)
        : /^(function |const |let |var |class |import |export |module\.exports|'use strict')/m.test(bare);
    return looksLikeCode ? bare + '\n' : null;
  }
  const wanted = blocks.filter((b) => b.closed && (b.lang === '' || LANG_TAGS[language].includes(b.lang)));
  if (wanted.length === 0) return null;
  const best = wanted.reduce((a, b) => (b.body.length > a.body.length ? b : a));
  const body = best.body.replace(/\s+$/, '');
  return body ? body + '\n' : null;
}

/**
 * The first JSON value in a reply: a ```json block, else any fenced block that parses, else the first
 * balanced {...} or [...] in the text. Returns null when nothing parses.
 */
export function extractJson<T = unknown>(text: string): T | null {
  const blocks = fencedBlocks(text);
  const ordered = [...blocks.filter((b) => b.lang === 'json'), ...blocks.filter((b) => b.lang !== 'json')];
  for (const b of ordered) {
    const v = tryParse(b.body);
    if (v !== undefined) return v as T;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const v = tryParse(text.slice(i, end + 1));
    if (v !== undefined) return v as T;
  }
  return null;
}

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s.trim());
  } catch {
    return undefined;
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when unbalanced. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * An expression with the whitespace outside string literals removed (`f([1, 2], 3)` -> `f([1,2],3)`): the key
 * under which two writings of the same call or value (Python or JavaScript) compare equal.
 */
export function stripSpaceOutsideStrings(s: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      out += c;
      if (c === '\\' && i + 1 < s.length) out += s[++i];
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}
