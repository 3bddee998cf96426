// Parsing of model replies into the method's items. An unusable reply yields nothing (never throws).
import { extractCodeBlock, extractJson, stripSpaceOutsideStrings } from '../llm/parse.js';
import type { Language, Task } from '../types.js';

/** The program in a `code` / `fix` reply, or null. */
export function parseCode(text: string, language: Language): string | null {
  return extractCodeBlock(text, language);
}

function asText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object') {
    // {"idea": "..."} / {"observation": "..."} / {"input": "..."}: take the first string field.
    const s = Object.values(v as Record<string, unknown>).find((x) => typeof x === 'string' && x.trim());
    return (s as string | undefined) ?? null;
  }
  return null;
}

/** A JSON list under `key` (`observations`, `ideas`, `inputs`); a bare JSON array is accepted too. */
export function parseList(text: string, key: 'observations' | 'ideas' | 'inputs'): string[] {
  const j = extractJson<unknown>(text);
  let arr: unknown = null;
  if (Array.isArray(j)) arr = j;
  else if (j && typeof j === 'object') {
    const o = j as Record<string, unknown>;
    arr = o[key] ?? Object.values(o).find((v) => Array.isArray(v)) ?? null;
  }
  if (!Array.isArray(arr)) return [];
  return arr.map(asText).filter((s): s is string => s !== null);
}

/** A JSON value as a literal expression of the task's language (for `expected` given as a non-string). */
export function toLiteral(v: unknown, language: Language): string {
  if (language !== 'python') return JSON.stringify(v);
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => toLiteral(x, language)).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}: ${toLiteral(x, language)}`)
      .join(', ')}}`;
  return String(v);
}

/** The expected output in a `ut-output` reply (function tasks: an expression; stdio: the exact text), or null. */
export function parseExpected(text: string, task: Task): string | null {
  const j = extractJson<unknown>(text);
  if (!j || typeof j !== 'object' || Array.isArray(j) || !('expected' in (j as object))) return null;
  const v = (j as Record<string, unknown>).expected;
  if (typeof v === 'string') {
    if (task.kind === 'function') return v.trim() ? v.trim() : null;
    return v;
  }
  if (v === undefined) return null;
  return task.kind === 'function' ? toLiteral(v, task.language) : typeof v === 'object' ? null : String(v);
}

/** An input as the executor takes it, or null when it cannot be one (function tasks: a call of the entry point). */
export function normaliseInput(task: Task, raw: string): string | null {
  if (task.kind === 'function') {
    let s = raw.trim().replace(/;+$/, '').trim();
    const e = task.entryPoint ?? '';
    if (!s) return null;
    if (task.method) {
      // A method task: build the object (or name the class, for a static method) and call the method.
      const built = s.startsWith(`${e}(`) || s.startsWith(`new ${e}(`) || s.startsWith(`${e}.`);
      if (!e || !built || !s.includes(`.${task.method}(`) || !s.endsWith(')')) return null;
      return s;
    }
    if (s.startsWith('(')) s = e + s;
    if (!e || !s.startsWith(`${e}(`) || !s.endsWith(')')) return null;
    return s;
  }
  if (!raw.trim()) return null;
  return raw.endsWith('\n') ? raw : raw + '\n';
}

/** Key under which two inputs count as the same (whitespace-normalised). */
export function inputKey(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Key under which two self-consistency answers count as the same. Function tasks: the expression without
 * whitespace outside string literals; stdio: lines without trailing whitespace, no trailing blank lines.
 */
export function answerKey(task: Task, s: string): string {
  if (task.kind === 'stdio')
    return s
      .replace(/\r\n/g, '\n')
      .split('\n')
      .map((l) => l.replace(/\s+$/, ''))
      .join('\n')
      .replace(/\n+$/, '')
      .replace(/^\n+/, '');
  return stripSpaceOutsideStrings(s);
}
