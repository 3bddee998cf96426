// The persistent execution cache (src/exec/store.ts through src/exec/cache.ts): what the key covers, which
// outcomes are stored, atomic writes shared by two executors, corrupt entries ignored and rewritten.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellResult, ExecRequest, Executor, Language } from '../../src/types.js';
import { CellStore, createCachingExecutor, createExecutor, persistable } from '../../src/exec/index.js';
import { tempDir } from '../support/temp-dir.js';

type Outcome = (code: string, input: string) => CellResult;

/** A fake executor: records every cell it runs; `outcome` decides the verdict. */
function fake(outcome: Outcome = (c, i) => ({ verdict: 'pass', output: `${c}|${i}` })) {
  const f = {
    cells: [] as string[],
    async run(req: ExecRequest): Promise<CellResult[][]> {
      await new Promise((r) => setTimeout(r, 2));
      return req.codes.map((c) =>
        req.tests.map((t) => {
          const input = (t as { input?: string; call?: string }).input ?? (t as { call: string }).call;
          f.cells.push(`${c}|${input}`);
          return outcome(c, input);
        }),
      );
    },
  };
  return f;
}

const tmp = () => tempDir('cosplay-store-');
const req = (codes: string[], inputs: string[], extra: Partial<ExecRequest> = {}): ExecRequest => ({
  language: 'python',
  kind: 'stdio',
  codes,
  tests: inputs.map((input) => ({ input })),
  ...extra,
});

function cached(inner: Executor, dir: string, fp: (l: Language) => string = (l) => `fp-${l}`) {
  return createCachingExecutor(inner, { store: new CellStore(dir), fingerprint: async (l) => fp(l) });
}

/** Every entry file under the store. */
function entries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('the persistent execution cache', () => {
  it('serves a second executor (another run) from disk, with identical cells', async () => {
    const dir = tmp();
    const a = fake();
    const first = await cached(a, dir).run(req(['x', 'y'], ['1', '2']));
    expect(a.cells).toHaveLength(4);
    const b = fake();
    const ex = cached(b, dir);
    const second = await ex.run(req(['x', 'y'], ['1', '2']));
    expect(b.cells).toHaveLength(0);
    expect(second).toEqual(first);
    expect(ex.stats()).toEqual({ executed: 0, cached: 0, stored: 4 });
    expect(entries(dir)).toHaveLength(4);
  });

  it('keys every cell on what its verdict depends on', async () => {
    const dir = tmp();
    await cached(fake(), dir).run(req(['x'], ['1']));
    const variants: Array<[string, ExecRequest, ((l: Language) => string)?]> = [
      ['code', req(['x2'], ['1'])],
      ['test', req(['x'], ['2'])],
      ['expected', { ...req(['x'], []), tests: [{ input: '1', expected: '1' }] }],
      ['time limit', req(['x'], ['1'], { timeoutMs: 1234 })],
      ['language', req(['x'], ['1'], { language: 'javascript' })],
      ['kind', { language: 'python', kind: 'function', codes: ['x'], tests: [{ call: '1' }] }],
      [
        'entry point',
        { language: 'python', kind: 'function', entryPoint: 'g', codes: ['x'], tests: [{ call: '1' }] },
      ],
      ['interpreter / harness / limits (fingerprint)', req(['x'], ['1']), (l) => `other-${l}`],
    ];
    for (const [what, r, fp] of variants) {
      const inner = fake();
      await cached(inner, dir, fp).run(r);
      expect([what, inner.cells.length]).toEqual([what, 1]);
    }
    const again = fake();
    await cached(again, dir).run(req(['x'], ['1']));
    expect(again.cells).toHaveLength(0);
  });

  it('never stores outcomes that depend on the machine speed', async () => {
    const dir = tmp();
    const outcome: Outcome = (c) =>
      c === 'slow'
        ? { verdict: 'timeout', output: '', error: 'timed out after 10 ms' }
        : c === 'starved'
          ? {
              verdict: 'timeout',
              output: '',
              error: 'timed out: 1200 ms of CPU time used, the limit is 4000 ms',
            }
          : c === 'loops'
            ? {
                verdict: 'timeout',
                output: '',
                error: 'timed out: 3990 ms of CPU time used, the limit is 4000 ms',
              }
            : c === 'lost'
              ? {
                  verdict: 'error',
                  output: '',
                  error: "the test's expected value `g()` could not be evaluated: timeout",
                }
              : { verdict: 'fail', output: c };
    const codes = ['slow', 'starved', 'loops', 'lost', 'ok'];
    await cached(fake(outcome), dir).run(req(codes, ['1']));
    const inner = fake(outcome);
    await cached(inner, dir).run(req(codes, ['1']));
    // a timeout is kept only when the process ran on a CPU (almost) all along: it needed more time
    expect(inner.cells.sort()).toEqual(['lost|1', 'slow|1', 'starved|1']);
    expect(persistable({ verdict: 'memory', output: '', error: 'MemoryError' })).toBe(true);
    expect(persistable({ verdict: 'timeout', output: '' })).toBe(false);
  });

  it('does not store repository-context requests', async () => {
    const dir = tmp();
    const r = req(['x'], ['1'], { kind: 'function', repo: { root: '/r', path: 'm.py' } });
    r.tests = [{ call: 'f()' }];
    await cached(fake(), dir).run(r);
    expect(entries(dir)).toHaveLength(0);
    const inner = fake();
    await cached(inner, dir).run(r);
    expect(inner.cells).toHaveLength(1);
  });

  it('ignores a corrupt entry, executes the cell again and rewrites the entry', async () => {
    const dir = tmp();
    await cached(fake(), dir).run(req(['x'], ['1']));
    const [file] = entries(dir);
    const good = readFileSync(file, 'utf8');
    const entry = JSON.parse(good);
    const corruptions = [
      good.slice(0, good.length / 2), // truncated
      'not json',
      '',
      JSON.stringify({ ...entry, cell: { ...entry.cell, verdict: 'fail' } }), // checksum no longer matches
      JSON.stringify({ ...entry, key: '0'.repeat(64) }), // another cell's entry
      JSON.stringify({ ...entry, cell: { verdict: 'maybe', output: 1 } }),
    ];
    for (const bad of corruptions) {
      writeFileSync(file, bad);
      const inner = fake();
      const ex = cached(inner, dir);
      const m = await ex.run(req(['x'], ['1']));
      expect(m).toEqual([[{ verdict: 'pass', output: 'x|1' }]]);
      expect(inner.cells).toEqual(['x|1']);
      expect(readFileSync(file, 'utf8')).toBe(good);
    }
  });

  it('writes atomically: two executors sharing one folder never read a partial entry', async () => {
    const dir = tmp();
    const codes = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const inputs = Array.from({ length: 10 }, (_, j) => `${j}`);
    const a = fake();
    const b = fake();
    const exA = cached(a, dir);
    const exB = cached(b, dir);
    const stores = [new CellStore(dir)];
    const [ma, mb] = await Promise.all([
      exA.run(req(codes, inputs)),
      exB.run(req([...codes].reverse(), inputs)),
    ]);
    expect(mb).toEqual([...ma].reverse());
    expect(entries(dir).filter((f) => !f.endsWith('.json'))).toEqual([]); // no temp file left behind
    expect(entries(dir)).toHaveLength(200);
    // a third run: every entry is whole and trusted
    const c = fake();
    const exC = cached(c, dir);
    expect(await exC.run(req(codes, inputs))).toEqual(ma);
    expect(c.cells).toHaveLength(0);
    expect(stores[0].stats.rejected).toBe(0);
  });

  it('the harness reports the CPU time of a timeout: a sleeping test is never stored', async () => {
    const dir = tmp();
    const ex = await createExecutor({ sandbox: 'none', workers: 2, cacheDir: dir });
    try {
      const r = req(['import time\ntime.sleep(30)', 'while True:\n    pass'], ['1'], { timeoutMs: 400 });
      const [[sleeps], [loops]] = await ex.run(r);
      expect(sleeps.verdict).toBe('timeout');
      expect(loops.verdict).toBe('timeout');
      const cpu = (c: CellResult) => Number(/(\d+) ms of CPU time used/.exec(c.error ?? '')![1]);
      expect(cpu(sleeps)).toBeLessThan(200);
      expect(cpu(loops)).toBeGreaterThanOrEqual(0);
      expect(persistable(sleeps)).toBe(false);
      // whether the busy loop is stored depends on the CPU it got: only its format is checked here
      expect(loops.error).toMatch(/^timed out: \d+ ms of CPU time used, the limit is 400 ms$/);
    } finally {
      await ex.close();
    }
  });
});
