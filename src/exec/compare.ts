// Output comparison, shared by the verdict (parent side, outside the sandbox), stage-3 clustering and MBR-exec.
//
// Stdio outputs: normalised (CRLF, trailing spaces, trailing blank lines), then compared token by token:
// integers exactly, other numbers within a tolerance, everything else as text.
//
// Function outputs: the canonical serialisation of a value as a tagged tree, written by the language harness
// inside the sandbox and compared here structurally (floats within the tolerance). The tree is JSON:
//   ["n"] None/null          ["u"] undefined (JS)       ["b", true]           ["i", "123"] integer (decimal text)
//   ["f", 1.5] / ["f", "nan" | "inf" | "-inf"] float   ["c", re, im] complex  ["s", "text"]
//   ["y", "hex"] bytes       ["l", [..]] list / array   ["t", [..]] tuple      ["S", [..]] set (sorted)
//   ["d", [[k, v], ..]] dict / object / Map (sorted by key)
//   ["o", "TypeName", tree | "repr"] other object      ["x", "why"] not serialisable (cycle, depth, size)
import type { Language, TaskKind } from '../types.js';

export const DEFAULT_FLOAT_TOLERANCE = 1e-6;

export type ValueTree = [string, ...unknown[]];

// ---------------------------------------------------------------------------------------------- stdio

/** CRLF -> LF, trailing whitespace of every line removed, trailing blank lines removed. */
export function normaliseStdout(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].replace(/[ \t\f\v\r]+$/, '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Two numbers agree when |a - b| <= tol, or relatively |a - b| <= tol * max(|a|, |b|). */
export function floatsAgree(a: number, b: number, tolerance: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const d = Math.abs(a - b);
  return d <= tolerance || d <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

function tokensAgree(a: string, b: string, tolerance: number): boolean {
  if (a === b) return true;
  const ai = INT_RE.test(a);
  const bi = INT_RE.test(b);
  if (ai && bi) return BigInt(a) === BigInt(b);
  if ((ai || FLOAT_RE.test(a)) && (bi || FLOAT_RE.test(b)))
    return floatsAgree(Number(a), Number(b), tolerance);
  return false;
}

/** Stdio comparison: normalised text equal, or equal token by token (integers exact, floats within tolerance). */
export function stdoutAgree(a: string, b: string, tolerance = DEFAULT_FLOAT_TOLERANCE): boolean {
  if (a === b) return true;
  const na = normaliseStdout(a);
  const nb = normaliseStdout(b);
  if (na === nb) return true;
  const ta = na.split(/\s+/).filter((t) => t !== '');
  const tb = nb.split(/\s+/).filter((t) => t !== '');
  if (ta.length !== tb.length) return false;
  for (let i = 0; i < ta.length; i++) if (!tokensAgree(ta[i], tb[i], tolerance)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------- values

export function parseValueTree(text: string): ValueTree | undefined {
  // selection compares each output with many others (output classes, clustering): parse each text once
  if (parsed.has(text)) return parsed.get(text);
  let tree: ValueTree | undefined;
  try {
    const v = JSON.parse(text) as unknown;
    tree = Array.isArray(v) && typeof v[0] === 'string' ? (v as ValueTree) : undefined;
  } catch {
    tree = undefined;
  }
  if (text.length <= PARSED_MAX_TEXT) {
    if (parsed.size >= PARSED_MAX_ENTRIES) parsed.clear();
    parsed.set(text, tree);
  }
  return tree;
}

/** Parsed value trees (read-only: nothing mutates a tree), bounded by count and by text size. */
const parsed = new Map<string, ValueTree | undefined>();
const PARSED_MAX_ENTRIES = 20_000;
const PARSED_MAX_TEXT = 4096;

function numberOf(t: ValueTree): { big?: bigint; num: number } | undefined {
  switch (t[0]) {
    case 'i': {
      const s = String(t[1]);
      try {
        const big = BigInt(s);
        return { big, num: Number(s) };
      } catch {
        return undefined;
      }
    }
    case 'f': {
      const v = t[1];
      if (typeof v === 'number') return { num: v };
      if (v === 'nan') return { num: NaN };
      if (v === 'inf') return { num: Infinity };
      if (v === '-inf') return { num: -Infinity };
      return undefined;
    }
    case 'b':
      // Python semantics: True == 1, False == 0.
      return { big: t[1] ? 1n : 0n, num: t[1] ? 1 : 0 };
    default:
      return undefined;
  }
}

const NUMERIC = new Set(['i', 'f', 'b']);

/** Canonical text of a tree: used to sort and index set elements and dict keys. */
function canon(t: unknown): string {
  return JSON.stringify(t);
}

function listsAgree(a: unknown[], b: unknown[], tol: number, depth: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (!treesAgree(a[i] as ValueTree, b[i] as ValueTree, tol, depth + 1)) return false;
  return true;
}

/** Unordered collections (set elements, dict entries): matched within the same canonical key first, then
 * tolerantly across keys (floats that differ in the last digits). */
function bagsAgree(
  a: unknown[],
  b: unknown[],
  same: (x: unknown, y: unknown) => boolean,
  key: (x: unknown) => string,
): boolean {
  if (a.length !== b.length) return false;
  const rest = new Map<string, unknown[]>();
  for (const y of b) {
    const k = key(y);
    const list = rest.get(k);
    if (list) list.push(y);
    else rest.set(k, [y]);
  }
  const unmatched: unknown[] = [];
  for (const x of a) {
    const list = rest.get(key(x));
    const i = list ? list.findIndex((y) => same(x, y)) : -1;
    if (i >= 0) list!.splice(i, 1);
    else unmatched.push(x);
  }
  if (unmatched.length === 0) return true;
  const pool: unknown[] = [];
  for (const list of rest.values()) pool.push(...list);
  if (unmatched.length > 256) return false; // quadratic matching only for small differences
  for (const x of unmatched) {
    const i = pool.findIndex((y) => same(x, y));
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  return true;
}

function treesAgree(a: ValueTree, b: ValueTree, tol: number, depth: number): boolean {
  if (depth > 1000) return canon(a) === canon(b);
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  const ta = a[0];
  const tb = b[0];
  if (NUMERIC.has(ta) && NUMERIC.has(tb)) {
    const na = numberOf(a);
    const nb = numberOf(b);
    if (!na || !nb) return canon(a) === canon(b);
    if (na.big !== undefined && nb.big !== undefined) return na.big === nb.big;
    return floatsAgree(na.num, nb.num, tol);
  }
  if (ta !== tb) return false;
  switch (ta) {
    case 'n':
    case 'u':
      return true;
    case 's':
    case 'y':
      return a[1] === b[1];
    case 'c':
      return floatsAgree(Number(a[1]), Number(b[1]), tol) && floatsAgree(Number(a[2]), Number(b[2]), tol);
    case 'l':
    case 't':
      return Array.isArray(a[1]) && Array.isArray(b[1]) && listsAgree(a[1], b[1], tol, depth);
    case 'S':
      return (
        Array.isArray(a[1]) &&
        Array.isArray(b[1]) &&
        bagsAgree(a[1], b[1], (x, y) => treesAgree(x as ValueTree, y as ValueTree, tol, depth + 1), canon)
      );
    case 'd':
      return (
        Array.isArray(a[1]) &&
        Array.isArray(b[1]) &&
        bagsAgree(
          a[1],
          b[1],
          (x, y) => {
            const [kx, vx] = x as [ValueTree, ValueTree];
            const [ky, vy] = y as [ValueTree, ValueTree];
            return treesAgree(kx, ky, 0, depth + 1) && treesAgree(vx, vy, tol, depth + 1);
          },
          (x) => canon((x as unknown[])[0]),
        )
      );
    case 'o':
      if (a[1] !== b[1]) return false;
      if (typeof a[2] === 'string' || typeof b[2] === 'string') return a[2] === b[2];
      return treesAgree(a[2] as ValueTree, b[2] as ValueTree, tol, depth + 1);
    default:
      return canon(a) === canon(b);
  }
}

/** Structural comparison of two serialised function outputs (see the tree format above). */
export function valuesAgree(a: string, b: string, tolerance = DEFAULT_FLOAT_TOLERANCE): boolean {
  if (a === b) return true;
  const ta = parseValueTree(a);
  const tb = parseValueTree(b);
  if (!ta || !tb) return false;
  return treesAgree(ta, tb, tolerance, 0);
}

/**
 * Compares two `CellResult.output` values of the same task by the verdict's rules: stdio outputs token by
 * token, function outputs structurally; integers exact, floats within `tolerance` (default 1e-6).
 */
export function outputsAgree(
  a: string,
  b: string,
  kind: TaskKind,
  tolerance = DEFAULT_FLOAT_TOLERANCE,
): boolean {
  return kind === 'stdio' ? stdoutAgree(a, b, tolerance) : valuesAgree(a, b, tolerance);
}

// ---------------------------------------------------------------------------------------------- rendering

function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

function render(t: unknown, lang: Language, depth: number): string {
  if (!Array.isArray(t)) return String(t);
  if (depth > 50) return '...';
  const py = lang === 'python';
  const items = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => render(x, lang, depth + 1)) : []);
  switch (t[0]) {
    case 'n':
      return py ? 'None' : 'null';
    case 'u':
      return 'undefined';
    case 'b':
      return py ? (t[1] ? 'True' : 'False') : t[1] ? 'true' : 'false';
    case 'i':
      return String(t[1]) + (!py && Math.abs(Number(t[1])) > Number.MAX_SAFE_INTEGER ? 'n' : '');
    case 'f': {
      const v = t[1];
      if (v === 'nan') return py ? "float('nan')" : 'NaN';
      if (v === 'inf') return py ? "float('inf')" : 'Infinity';
      if (v === '-inf') return py ? "float('-inf')" : '-Infinity';
      const n = Number(v);
      return py && Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
    }
    case 'c':
      return `complex(${t[1]}, ${t[2]})`;
    case 's':
      return py ? pyStr(String(t[1])) : JSON.stringify(t[1]);
    case 'y':
      return py ? `bytes.fromhex('${t[1]}')` : `Buffer.from('${t[1]}', 'hex')`;
    case 'l':
      return `[${items(t[1]).join(', ')}]`;
    case 't': {
      const xs = items(t[1]);
      return py ? (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`) : `[${xs.join(', ')}]`;
    }
    case 'S': {
      const xs = items(t[1]);
      if (py) return xs.length === 0 ? 'set()' : `{${xs.join(', ')}}`;
      return `new Set([${xs.join(', ')}])`;
    }
    case 'd': {
      const pairs = Array.isArray(t[1]) ? (t[1] as unknown[][]) : [];
      const parts = pairs.map((p) => {
        const k = p[0] as unknown[];
        const key = !py && Array.isArray(k) && k[0] === 's' && /^[A-Za-z_$][\w$]*$/.test(String(k[1]));
        return `${key ? String(k[1]) : render(k, lang, depth + 1)}: ${render(p[1], lang, depth + 1)}`;
      });
      return `{${parts.join(', ')}}`;
    }
    case 'o':
      return typeof t[2] === 'string' ? t[2] : `${t[1]}(${render(t[2], lang, depth + 1)})`;
    case 'x':
      return `<${t[1]}>`;
    default:
      return JSON.stringify(t);
  }
}

/** A serialised function output as a literal of the task's language, for prompts and reports. */
export function renderValue(output: string, language: Language): string {
  const t = parseValueTree(output);
  return t ? render(t, language, 0) : output;
}
