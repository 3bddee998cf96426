// Incremental execution: a matrix that grows by rows (new codes) or columns (new tests) only executes the new
// cells. Cells are memoised by (language, kind, entryPoint, timeout, repository file, code, test); concurrent
// requests for the same cell share one execution. With a `store` (src/exec/store.ts), standalone cells missing
// from memory are looked up on disk before they are executed, and what was executed is written back.
import type { CellResult, ExecRequest, Executor, Language, UnitTest } from '../types.js';
import { sha256, type CellStore } from './store.js';

export interface CachingExecutor extends Executor {
  /** Cells executed, served from memory (or shared with a running twin), and served from the store. */
  stats(): { executed: number; cached: number; stored: number };
}

export interface CacheOptions {
  /** Most cells kept (oldest evicted first). Default 200000. */
  maxCells?: number;
  /** The persistent cache, for standalone requests (never for repository context). */
  store?: CellStore;
  /**
   * What else a verdict depends on, per language (harness, interpreter version, limits; see
   * Engine.fingerprint): part of every stored cell's key. Required with `store`.
   */
  fingerprint?: (language: Language) => Promise<string>;
}

function testKey(t: UnitTest): string {
  const o = t as { call?: string; input?: string; expected?: string };
  return JSON.stringify(
    o.call !== undefined ? ['f', o.call, o.expected ?? null] : ['s', o.input ?? '', o.expected ?? null],
  );
}

/** A promise and the function that settles it (a cell, or the error of the request that was to run it). */
function deferred(): { promise: Promise<CellResult>; settle: (c: CellResult | Error) => void } {
  let settle!: (c: CellResult | Error) => void;
  const promise = new Promise<CellResult>((resolve, reject) => {
    settle = (c) => (c instanceof Error ? reject(c) : resolve(c));
  });
  return { promise, settle };
}

export function createCachingExecutor(inner: Executor, options: CacheOptions = {}): CachingExecutor {
  const maxCells = options.maxCells ?? 200_000;
  const cache = new Map<string, CellResult>();
  const inflight = new Map<string, Promise<CellResult>>();
  let executed = 0;
  let cached = 0;
  let stored = 0;
  const { store, fingerprint } = options;
  if (store && !fingerprint) throw new Error('a persistent cell store needs the executor fingerprint');

  const remember = (key: string, cell: CellResult) => {
    cache.delete(key);
    cache.set(key, cell);
    while (cache.size > maxCells) cache.delete(cache.keys().next().value as string);
  };

  return {
    stats: () => ({ executed, cached, stored }),

    async run(req: ExecRequest): Promise<CellResult[][]> {
      const prefix = JSON.stringify([
        req.language,
        req.kind,
        req.entryPoint ?? null,
        req.timeoutMs ?? null,
        req.repo ? [req.repo.root, req.repo.path] : null,
      ]);
      const tkeys = req.tests.map(testKey);
      const key = (i: number, j: number) => `${prefix}\0${req.codes[i]}\0${tkeys[j]}`;
      const out: Array<Array<CellResult | Promise<CellResult> | undefined>> = req.codes.map(
        () => new Array(req.tests.length),
      );

      // Cells neither cached nor running are claimed (a deferred in `inflight`, so that a concurrent request
      // waits for them instead of running them again), grouped by code.
      const missing = new Map<number, number[]>();
      const mine = new Map<
        string,
        { promise: Promise<CellResult>; settle: (c: CellResult | Error) => void }
      >();
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
          const claim = deferred();
          claim.promise.catch(() => undefined).finally(() => inflight.delete(k));
          inflight.set(k, claim.promise);
          mine.set(k, claim);
          out[i][j] = claim.promise;
          const list = missing.get(i);
          if (list) list.push(j);
          else missing.set(i, [j]);
        }),
      );

      // The store: standalone requests only (a repository's files are not part of the key).
      const disk = store && !req.repo && missing.size > 0 ? await fingerprint!(req.language) : undefined;
      const diskKey = (k: string) => sha256(`${disk}\0${k}`);
      if (disk !== undefined) {
        const found = await Promise.all(
          [...missing].flatMap(([i, js]) =>
            js.map(async (j) => ({ i, j, cell: await store!.get(diskKey(key(i, j))) })),
          ),
        );
        for (const { i, j, cell } of found) {
          if (!cell) continue;
          stored++;
          const k = key(i, j);
          remember(k, cell);
          mine.get(k)!.settle(cell);
          const left = missing.get(i)!.filter((x) => x !== j);
          if (left.length) missing.set(i, left);
          else missing.delete(i);
        }
      }

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
        executed += g.codes.length * g.tests.length;
        const cellsOf = (m: CellResult[][]) =>
          g.codes.flatMap((i, a) => g.tests.map((j, b) => ({ k: key(i, j), cell: m[a][b] })));
        jobs.push(
          inner.run(sub).then(
            async (m) => {
              const cells = cellsOf(m);
              for (const { k, cell } of cells) {
                remember(k, cell);
                mine.get(k)!.settle(cell);
              }
              if (disk !== undefined)
                await Promise.all(cells.map(({ k, cell }) => store!.put(diskKey(k), cell)));
            },
            (err: Error) => {
              for (const i of g.codes) for (const j of g.tests) mine.get(key(i, j))!.settle(err);
              throw err;
            },
          ),
        );
      }
      await Promise.all(jobs);

      const rows: CellResult[][] = [];
      for (let i = 0; i < req.codes.length; i++) {
        const row: CellResult[] = [];
        for (let j = 0; j < req.tests.length; j++) row.push({ ...(await out[i][j]!) });
        rows.push(row);
      }
      return rows;
    },
  };
}
