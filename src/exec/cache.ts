// Incremental execution: a matrix that grows by rows (new codes) or columns (new tests) only executes the new
// cells. Cells are memoised by (language, kind, entryPoint, timeout, code, test); concurrent requests for the
// same cell share one execution.
import type { CellResult, ExecRequest, Executor, UnitTest } from '../types.js';

export interface CachingExecutor extends Executor {
  stats(): { executed: number; cached: number };
}

export interface CacheOptions {
  /** Most cells kept (oldest evicted first). Default 200000. */
  maxCells?: number;
}

function testKey(t: UnitTest): string {
  const o = t as { call?: string; input?: string; expected?: string };
  return JSON.stringify(
    o.call !== undefined ? ['f', o.call, o.expected ?? null] : ['s', o.input ?? '', o.expected ?? null],
  );
}

export function createCachingExecutor(inner: Executor, options: CacheOptions = {}): CachingExecutor {
  const maxCells = options.maxCells ?? 200_000;
  const cache = new Map<string, CellResult>();
  const inflight = new Map<string, Promise<CellResult>>();
  let executed = 0;
  let cached = 0;

  const remember = (key: string, cell: CellResult) => {
    cache.delete(key);
    cache.set(key, cell);
    while (cache.size > maxCells) cache.delete(cache.keys().next().value as string);
  };

  return {
    stats: () => ({ executed, cached }),

    async run(req: ExecRequest): Promise<CellResult[][]> {
      const prefix = JSON.stringify([req.language, req.kind, req.entryPoint ?? null, req.timeoutMs ?? null]);
      const tkeys = req.tests.map(testKey);
      const key = (i: number, j: number) => `${prefix}\0${req.codes[i]}\0${tkeys[j]}`;
      const out: Array<Array<CellResult | Promise<CellResult> | undefined>> = req.codes.map(
        () => new Array(req.tests.length),
      );

      // Cells neither cached nor running, grouped by code; codes needing the same tests share one request.
      const missing = new Map<number, number[]>();
      const claimed = new Set<string>();
      const mine = new Map<string, Promise<CellResult>>();
      req.codes.forEach((_, i) =>
        req.tests.forEach((_, j) => {
          const k = key(i, j);
          const hit = cache.get(k);
          if (hit) {
            cached++;
            out[i][j] = hit;
            return;
          }
          const running = inflight.get(k);
          if (running) {
            cached++;
            out[i][j] = running;
            return;
          }
          if (claimed.has(k)) {
            cached++; // a duplicate cell of this very request: filled from its twin below
            return;
          }
          claimed.add(k);
          const list = missing.get(i);
          if (list) list.push(j);
          else missing.set(i, [j]);
        }),
      );

      const groups = new Map<string, { codes: number[]; tests: number[] }>();
      for (const [i, js] of missing) {
        const sig = js.join(',');
        const g = groups.get(sig);
        if (g) g.codes.push(i);
        else groups.set(sig, { codes: [i], tests: js });
      }

      const jobs: Array<Promise<void>> = [];
      for (const g of groups.values()) {
        const sub: ExecRequest = {
          ...req,
          codes: g.codes.map((i) => req.codes[i]),
          tests: g.tests.map((j) => req.tests[j]),
        };
        const run = inner.run(sub);
        executed += g.codes.length * g.tests.length;
        g.codes.forEach((i, a) =>
          g.tests.forEach((j, b) => {
            const k = key(i, j);
            const p = run.then((m) => {
              const cell = m[a][b];
              remember(k, cell);
              return cell;
            });
            p.catch(() => undefined).finally(() => inflight.delete(k));
            inflight.set(k, p);
            mine.set(k, p);
            out[i][j] = p;
          }),
        );
        jobs.push(run.then(() => undefined));
      }
      await Promise.all(jobs);

      const rows: CellResult[][] = [];
      for (let i = 0; i < req.codes.length; i++) {
        const row: CellResult[] = [];
        for (let j = 0; j < req.tests.length; j++) {
          const v = out[i][j] ?? mine.get(key(i, j));
          row.push({ ...(await v!) });
        }
        rows.push(row);
      }
      return rows;
    },
  };
}
