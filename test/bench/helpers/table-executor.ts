// A fake Executor for bench tests: function-task codes are names ("A", "B", ...) whose outputs per call come
// from a table; expected expressions evaluate through `values`; ground-truth runs (`code\n<gt test>` with
// `check(f)`) pass when the ground-truth text lists the code's name after "# correct:".
import type { CellResult, ExecRequest, Executor } from '../../../src/types.js';

export type Table = Record<string, Record<string, string | null>>;

export class TableExecutor implements Executor {
  readonly requests: ExecRequest[] = [];
  cells = 0;
  constructor(
    private readonly table: Table,
    private readonly values: Record<string, string> = {},
  ) {}

  async run(req: ExecRequest): Promise<CellResult[][]> {
    this.requests.push(req);
    this.cells += req.codes.length * req.tests.length;
    return req.codes.map((code) =>
      req.tests.map((t): CellResult => {
        const call = 'call' in t ? t.call : t.input;
        const name = code.split('\n')[0];
        if (call.startsWith('check(')) {
          const m = /# correct: (.*)/.exec(code);
          const ok =
            !!m &&
            m[1]
              .split(',')
              .map((s) => s.trim())
              .includes(name);
          return ok
            ? { verdict: 'pass', output: 'None' }
            : { verdict: 'error', output: '', error: 'AssertionError' };
        }
        // the probe (no code) only knows pure expressions; a code knows its table, then pure expressions
        const row = code === 'pass\n' ? {} : (this.table[name] ?? {});
        const out = call in row ? row[call] : this.values[call];
        if (out === null || out === undefined) return { verdict: 'error', output: '', error: 'NameError' };
        if (t.expected === undefined) return { verdict: 'pass', output: out };
        const exp = this.values[t.expected] ?? t.expected;
        return { verdict: out === exp ? 'pass' : 'fail', output: out };
      }),
    );
  }
}
