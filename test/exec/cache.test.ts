// Incremental execution: growing a matrix by rows or columns only executes the new cells.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CellResult, ExecRequest, Executor } from '../../src/types.js';
import { createCachingExecutor, createExecutor, type SandboxExecutor } from '../../src/exec/index.js';

/** A fake executor: cell = code + '|' + input; records every cell it is asked to run. */
function fake(): Executor & { cells: string[]; requests: number } {
  const f = {
    cells: [] as string[],
    requests: 0,
    async run(req: ExecRequest): Promise<CellResult[][]> {
      f.requests++;
      await new Promise((r) => setTimeout(r, 5));
      return req.codes.map((c) =>
        req.tests.map((t) => {
          const input = (t as { input: string }).input;
          f.cells.push(`${c}|${input}`);
          return { verdict: 'pass', output: `${c}|${input}` };
        }),
      );
    },
  };
  return f;
}

const req = (codes: string[], inputs: string[]): ExecRequest => ({
  language: 'python',
  kind: 'stdio',
  codes,
  tests: inputs.map((input) => ({ input })),
});

describe('createCachingExecutor', () => {
  it('executes only new rows and new columns', async () => {
    const inner = fake();
    const ex = createCachingExecutor(inner);
    const m1 = await ex.run(req(['a', 'b'], ['1', '2']));
    expect(m1.map((r) => r.map((c) => c.output))).toEqual([
      ['a|1', 'a|2'],
      ['b|1', 'b|2'],
    ]);
    expect(ex.stats()).toEqual({ executed: 4, cached: 0, stored: 0 });

    // One new row and one new column: 2x3 -> 3x3 needs 3 + 2 = 5 new cells.
    inner.cells = [];
    const m2 = await ex.run(req(['a', 'b', 'c'], ['1', '2', '3']));
    expect(m2[2].map((c) => c.output)).toEqual(['c|1', 'c|2', 'c|3']);
    expect(m2[0][2].output).toBe('a|3');
    expect(inner.cells.sort()).toEqual(['a|3', 'b|3', 'c|1', 'c|2', 'c|3']);
    expect(ex.stats()).toEqual({ executed: 9, cached: 4, stored: 0 });

    // Reordered rows and columns: nothing new.
    inner.cells = [];
    const m3 = await ex.run(req(['c', 'a'], ['3', '1']));
    expect(m3.map((r) => r.map((c) => c.output))).toEqual([
      ['c|3', 'c|1'],
      ['a|3', 'a|1'],
    ]);
    expect(inner.cells).toEqual([]);
  });

  it('keys cells by language, kind, entry point, timeout and the whole test', async () => {
    const inner = fake();
    const ex = createCachingExecutor(inner);
    await ex.run(req(['a'], ['1']));
    await ex.run({ ...req(['a'], ['1']), timeoutMs: 99 });
    await ex.run({ ...req(['a'], ['1']), language: 'javascript' });
    await ex.run({ ...req(['a'], []), tests: [{ input: '1', expected: 'x' }] });
    expect(inner.cells.length).toBe(4);
  });

  it('shares cells between concurrent requests and duplicates within one', async () => {
    const inner = fake();
    const ex = createCachingExecutor(inner);
    const [x, y] = await Promise.all([ex.run(req(['a', 'a'], ['1', '1'])), ex.run(req(['a'], ['1']))]);
    expect(x.flat().map((c) => c.output)).toEqual(['a|1', 'a|1', 'a|1', 'a|1']);
    expect(y[0][0].output).toBe('a|1');
    expect(inner.cells).toEqual(['a|1']);
  });

  it('returns copies, so callers cannot corrupt the cache', async () => {
    const ex = createCachingExecutor(fake());
    const m = await ex.run(req(['a'], ['1']));
    m[0][0].verdict = 'fail';
    expect((await ex.run(req(['a'], ['1'])))[0][0].verdict).toBe('pass');
  });

  it('does not cache a failed execution', async () => {
    let fail = true;
    const inner: Executor = {
      async run(r) {
        if (fail) throw new Error('boom');
        return r.codes.map(() => r.tests.map(() => ({ verdict: 'pass' as const, output: 'ok' })));
      },
    };
    const ex = createCachingExecutor(inner);
    await expect(ex.run(req(['a'], ['1']))).rejects.toThrow('boom');
    fail = false;
    expect((await ex.run(req(['a'], ['1'])))[0][0].output).toBe('ok');
  });
});

describe('createCachingExecutor over the sandboxed engine', () => {
  let engine: SandboxExecutor;
  beforeAll(async () => {
    engine = await createExecutor({ sandbox: 'bwrap', workers: 2 });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('gives the same matrix as running everything, for function tasks too', async () => {
    const ex = createCachingExecutor(engine);
    const codes = ['def f(x):\n    return x + 1', 'def f(x):\n    return x * 2', 'def f(x):\n    return 2'];
    const tests = [{ call: 'f(1)', expected: '2' }, { call: 'f(3)', expected: '4' }, { call: 'f(0)' }];
    const base = { language: 'python', kind: 'function', entryPoint: 'f' } as const;
    await ex.run({ ...base, codes: codes.slice(0, 2), tests: tests.slice(0, 2) });
    const grown = await ex.run({ ...base, codes, tests });
    const direct = await engine.run({ ...base, codes, tests });
    expect(grown).toEqual(direct);
    expect(ex.stats()).toEqual({ executed: 9, cached: 4, stored: 0 });
  });
});
