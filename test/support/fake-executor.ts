// An in-memory Executor for tests of the method: programs are JS functions standing in for code texts (keyed by
// the trimmed code), or a table of cells. Function tasks: the call `name(args)` is parsed (JSON-like literals,
// Python's True/False/None accepted) and the program gets the argument array; the output is the JSON of the
// returned value and a test passes when it equals the parsed `expected`. Stdio tasks: the program gets stdin
// and returns stdout; a test passes when the texts agree modulo trailing whitespace.
import type { CellResult, ExecRequest, Executor, UnitTest } from '../../src/types.js';

export const TIMEOUT = Symbol('timeout');
export type Program = (input: any) => unknown;

/** Parses a JSON-like literal, accepting Python's True / False / None and single-quoted strings. */
export function parseLiteral(s: string): unknown {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') {
        out += c + s[++i];
        continue;
      }
      if (c === quote) {
        out += '"';
        quote = null;
      } else out += c === '"' ? '\\"' : c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      out += '"';
      continue;
    }
    const rest = s.slice(i);
    const m = /^(True|False|None)\b/.exec(rest);
    if (m && !/[\w]/.test(s[i - 1] ?? '')) {
      out += m[1] === 'True' ? 'true' : m[1] === 'False' ? 'false' : 'null';
      i += m[1].length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out);
}

/** The argument array of a call expression `name(a, b)`. */
export function parseCall(call: string): { name: string; args: unknown[] } {
  const m = /^\s*([A-Za-z_$][\w$]*)\s*\(([\s\S]*)\)\s*$/.exec(call);
  if (!m) throw new SyntaxError(`not a call: ${call}`);
  return { name: m[1], args: parseLiteral(`[${m[2]}]`) as unknown[] };
}

const key = (code: string) => code.trim();

export class FakeExecutor implements Executor {
  readonly runs: ExecRequest[] = [];
  cellsRun = 0;
  private readonly programs = new Map<string, Program>();

  constructor(programs: Record<string, Program> = {}) {
    for (const [code, p] of Object.entries(programs)) this.programs.set(key(code), p);
  }

  add(code: string, p: Program): this {
    this.programs.set(key(code), p);
    return this;
  }

  /** Codes run so far, one entry per row executed (to check incremental execution). */
  rowsRun(): string[] {
    return this.runs.flatMap((r) => r.codes.map(key));
  }

  async run(req: ExecRequest): Promise<CellResult[][]> {
    this.runs.push(req);
    this.cellsRun += req.codes.length * req.tests.length;
    await Promise.resolve();
    return req.codes.map((code) => req.tests.map((t) => this.cell(req, code, t)));
  }

  private cell(req: ExecRequest, code: string, t: UnitTest): CellResult {
    const p = this.programs.get(key(code));
    if (!p)
      return {
        verdict: 'error',
        output: '',
        error: `FakeExecutor: unknown program ${JSON.stringify(code.slice(0, 60))}`,
      };
    let value: unknown;
    try {
      value =
        req.kind === 'function'
          ? p(parseCall((t as { call: string }).call).args)
          : p((t as { input: string }).input);
    } catch (e) {
      return { verdict: 'error', output: '', error: String((e as Error).message ?? e) };
    }
    if (value === TIMEOUT) return { verdict: 'timeout', output: '', error: 'time limit' };
    const output = req.kind === 'function' ? JSON.stringify(value ?? null) : String(value);
    if (t.expected === undefined) return { verdict: 'pass', output };
    let ok: boolean;
    if (req.kind === 'function') {
      try {
        ok = JSON.stringify(parseLiteral(t.expected)) === output;
      } catch {
        return { verdict: 'error', output, error: `cannot evaluate expected ${t.expected}` };
      }
    } else ok = output.replace(/\s+$/, '') === t.expected.replace(/\s+$/, '');
    return { verdict: ok ? 'pass' : 'fail', output };
  }
}

/** A cell for hand-written tables. */
export function cell(verdict: CellResult['verdict'], output = ''): CellResult {
  return { verdict, output };
}
