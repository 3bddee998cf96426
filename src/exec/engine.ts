// The execution engine: runs a Code x UT matrix on the worker pool and computes every verdict in the parent.
//
// Candidates never see what they are judged against: stdio expected outputs never enter a sandbox, and a
// function test's `expected` expression is evaluated in a separate sandboxed run that contains no candidate
// code (its value is cached per expression). Only when that fails (the expression needs the code's own
// names, e.g. `f(2) + 1`) is it evaluated next to the call, in the code's namespace.
import { availableParallelism } from 'node:os';
import type { CellResult, ExecRequest, Executor, Language, TaskKind, UnitTest, Verdict } from '../types.js';
import { UserError } from '../types.js';
import { DEFAULT_FLOAT_TOLERANCE, stdoutAgree, valuesAgree } from './compare.js';
import { toScript } from './esm.js';
import {
  checkSandbox,
  findBwrap,
  SandboxUnavailableError,
  FIX_INSTALL,
  type SandboxMode,
} from './sandbox.js';
import { WorkerPool, type Chunk, type ChunkRepo, type HarnessTest, type RawCell } from './workers.js';
import { harnessRepo, validateRepoContext } from './repo.js';
import { repoSnapshot, type RepoSnapshot } from './sandbox.js';
import { createCachingExecutor } from './cache.js';
import { CellStore, sha256, STORE_FORMAT } from './store.js';
import { PYTHON_SUPERVISOR } from './harness-python.js';
import { JS_HARNESS } from './harness-js.js';
import { JS_REPO_HARNESS } from './harness-js-repo.js';
import { transpileExpression, transpileModule } from './typescript.js';
import { resolveNode, resolvePython } from './runtime.js';
import { resolve } from 'node:path';

export interface ExecutorOptions {
  sandbox: SandboxMode;
  /** Sandboxed workers running at once (default: os.availableParallelism()). */
  workers?: number;
  /** Default time limit per cell when a request sets none (default 4000 ms; Python: time not spent waiting for a CPU). */
  timeoutMs?: number;
  /** Memory limit per test process (default 512 MiB). */
  memoryMb?: number;
  /** Cap on a cell's stdout / serialised return value (default 1 MiB); beyond it the verdict is output_limit. */
  outputLimitBytes?: number;
  /** Float tolerance of the comparisons (default 1e-6). */
  floatTolerance?: number;
  /** Python interpreter (default $COSPLAY_PYTHON or python3 on PATH). */
  python?: string;
  /**
   * Memoise cells in memory for the executor's lifetime (src/exec/cache.ts); implied by `cacheDir`. Lets a
   * matrix that grows by rows or columns execute only its new cells.
   */
  memo?: boolean;
  /** The persistent execution cache's folder (src/exec/store.ts); see resolveCacheDir. */
  cacheDir?: string;
  /** Raw cells remembered by code and harness test (what the sandbox ran), most (default 200000). */
  rawMemoCells?: number;
}

export interface SandboxExecutor extends Executor {
  close(): Promise<void>;
  /**
   * With `memo` or `cacheDir`: cells executed, served from memory, served from the persistent cache; chunks that
   * stopped at a timeout and handed their tests left back (Chunk.handBack).
   */
  stats?(): { executed: number; cached: number; stored: number; handedBack?: number };
}

/** The persistent cache's folder: the flag (`--exec-cache DIR`), else $COSPLAY_EXEC_CACHE, else none. */
export function resolveCacheDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = flag || env.COSPLAY_EXEC_CACHE;
  return dir ? resolve(dir) : undefined;
}

/** What every verdict depends on besides the request: the harnesses and the rules that judge their cells. */
const HARNESS_VERSION = sha256(
  [
    PYTHON_SUPERVISOR,
    JS_HARNESS,
    JS_REPO_HARNESS,
    String(judge),
    String(valuesAgree),
    String(stdoutAgree),
  ].join('\0'),
);

export const DEFAULT_TIMEOUT_MS = 4000;
export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_OUTPUT_LIMIT = 1 << 20;
/** Output kept in a cell whose verdict is output_limit (the rest is noise). */
const FLOOD_KEEP = 4096;

function isFunctionTest(t: UnitTest): t is { call: string; expected?: string } {
  return typeof (t as { call?: unknown }).call === 'string';
}

/** The distinct items by `key` (first occurrences, in order) and, for each item, its distinct one's index. */
function dedupeBy<T>(items: readonly T[], key: (item: T) => string): { unique: T[]; indexOf: number[] } {
  const index = new Map<string, number>();
  const unique: T[] = [];
  const indexOf = items.map((item) => {
    const k = key(item);
    let i = index.get(k);
    if (i === undefined) {
      i = unique.length;
      unique.push(item);
      index.set(k, i);
    }
    return i;
  });
  return { unique, indexOf };
}

/** Checks the request's shape; a malformed request is the caller's mistake (UserError). */
export function validateRequest(req: ExecRequest): void {
  if (!req || typeof req !== 'object') throw new UserError('the request must be an object');
  if (req.language !== 'python' && req.language !== 'javascript' && req.language !== 'typescript')
    throw new UserError(
      `"language" must be "python", "javascript" or "typescript", not ${JSON.stringify(req.language)}`,
    );
  if (req.kind !== 'stdio' && req.kind !== 'function')
    throw new UserError(`"kind" must be "stdio" or "function", not ${JSON.stringify(req.kind)}`);
  if (!Array.isArray(req.codes) || req.codes.some((c) => typeof c !== 'string'))
    throw new UserError('"codes" must be an array of source strings');
  if (!Array.isArray(req.tests)) throw new UserError('"tests" must be an array');
  req.tests.forEach((t, j) => {
    const o = t as unknown as Record<string, unknown>;
    if (!o || typeof o !== 'object') throw new UserError(`test ${j} must be an object`);
    if (o.expected !== undefined && typeof o.expected !== 'string')
      throw new UserError(`test ${j}: "expected" must be a string when present`);
    if (req.kind === 'stdio' && typeof o.input !== 'string')
      throw new UserError(`test ${j}: stdio tests need a string "input" (the whole stdin)`);
    if (req.kind === 'function' && typeof o.call !== 'string')
      throw new UserError(
        `test ${j}: function tests need a string "call" (an expression, e.g. "f([1, 2], 3)")`,
      );
  });
  if (
    req.entryPoint !== undefined &&
    (typeof req.entryPoint !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(req.entryPoint))
  )
    throw new UserError(`"entryPoint" must be an identifier, not ${JSON.stringify(req.entryPoint)}`);
  if (req.repo !== undefined) {
    validateRepoContext(req.repo);
    if (req.kind !== 'function')
      throw new UserError('repository context ("repo") is for function tasks: stdio programs run standalone');
  }
  if (
    req.timeoutMs !== undefined &&
    !(typeof req.timeoutMs === 'number' && req.timeoutMs > 0 && req.timeoutMs <= 600_000)
  )
    throw new UserError('"timeoutMs" must be a number of milliseconds between 1 and 600000');
}

/** Splits each row into chunks so that every worker has work even when there are few codes. */
export function planChunks(
  codes: number,
  tests: number,
  workers: number,
  language: Language,
): Array<{ code: number; from: number; to: number }> {
  const rows = planRows(
    Array.from({ length: codes }, () => Array.from({ length: tests }, (_, j) => j)),
    workers,
    language,
  );
  return rows.map(({ code, tests: js }) => ({ code, from: js[0], to: js[js.length - 1] + 1 }));
}

/**
 * Chunks for rows of different lengths (each code's tests still to run, in order): a row is split so that every
 * worker has work even when there are few codes, never into chunks smaller than a fork (Python) or a Node start
 * (JavaScript) is worth.
 */
export function planRows(
  rows: number[][],
  workers: number,
  language: Language,
): Array<{ code: number; tests: number[] }> {
  const out: Array<{ code: number; tests: number[] }> = [];
  const busy = rows.filter((r) => r.length > 0);
  if (busy.length === 0) return out;
  // A Python chunk costs a fork; a JavaScript chunk costs a Node start (about as much as 25 tests).
  const target = language === 'python' ? 2 * workers : workers;
  const minSize = language === 'python' ? 2 : 8;
  rows.forEach((js, code) => {
    if (js.length === 0) return;
    let splits = Math.max(1, Math.ceil(target / busy.length));
    splits = Math.max(1, Math.min(splits, Math.floor(js.length / minSize) || 1));
    const size = Math.ceil(js.length / splits);
    for (let f = 0; f < js.length; f += size) out.push({ code, tests: js.slice(f, f + size) });
  });
  return out;
}

interface ExpectedValue {
  value?: string;
  error?: string;
}

/** Turns a raw cell into the verdict, comparing with the expected output in the parent. */
export function judge(
  raw: RawCell,
  kind: TaskKind,
  test: UnitTest,
  expected: ExpectedValue | undefined,
  tolerance: number,
): CellResult {
  const out = kind === 'stdio' ? (raw.stdout ?? '') : (raw.value ?? '');
  const cell = (verdict: Verdict, output: string, error?: string): CellResult =>
    error ? { verdict, output, error } : { verdict, output };
  switch (raw.status) {
    case 'ok':
      break;
    case 'timeout':
      return cell('timeout', out, raw.error || 'timed out');
    case 'memory':
      return cell('memory', out, raw.error || 'memory limit exceeded');
    case 'output_limit':
      return cell('output_limit', out.slice(0, FLOOD_KEEP), raw.error || 'output limit exceeded');
    default:
      return cell('error', out, raw.error || 'the test failed');
  }
  if (test.expected === undefined) return cell('pass', out);
  if (kind === 'stdio') return cell(stdoutAgree(out, test.expected, tolerance) ? 'pass' : 'fail', out);
  const exp = expected?.value ?? raw.expectedValue;
  if (exp === undefined)
    return cell(
      'error',
      out,
      `the test's expected value \`${test.expected}\` could not be evaluated: ${raw.expectedError ?? expected?.error ?? 'unknown error'}`,
    );
  if (raw.value === undefined) return cell('error', out, 'the test produced no value');
  return cell(valuesAgree(raw.value, exp, tolerance) ? 'pass' : 'fail', out);
}

/**
 * A TypeScript request as the JavaScript harnesses run it: the tests' expressions without their types; standalone
 * codes transpiled here (an ES module, then made a script as JavaScript's are); in repository context the codes
 * stay TypeScript, since the harness transpiles the target and every TypeScript file it imports (the path says
 * it is TypeScript).
 */
function asJavaScript(req: ExecRequest): ExecRequest {
  const tests = req.tests.map((t) => {
    if (!isFunctionTest(t)) return t;
    return {
      ...t,
      call: transpileExpression(t.call),
      ...(t.expected !== undefined ? { expected: transpileExpression(t.expected) } : {}),
    };
  });
  const codes = req.repo
    ? req.codes
    : req.codes.map((c) => {
        try {
          return transpileModule(c, 'esm');
        } catch {
          return c; // the harness reports the syntax error
        }
      });
  return { ...req, language: 'javascript', codes, tests };
}

export class Engine implements SandboxExecutor {
  private readonly pool: WorkerPool;
  private readonly expectedCache = new Map<string, ExpectedValue>();
  /** What the sandbox shows of each repository, worked out once per executor. */
  private readonly snapshots = new Map<string, RepoSnapshot>();
  private readonly timeoutMs: number;
  private readonly tolerance: number;
  /** Raw cells by what the harness ran (see run), oldest first; bounded. */
  private readonly rawMemo = new Map<string, Promise<RawCell>>();
  private readonly rawMemoMax: number;
  /** Cells the sandbox ran (what the memo did not serve). */
  ranCells = 0;
  /** Chunks that stopped at a timeout and handed the tests left back (Chunk.handBack). */
  handedBack = 0;

  constructor(
    private readonly opts: Required<Pick<ExecutorOptions, 'sandbox'>> & ExecutorOptions,
    pool: WorkerPool,
  ) {
    this.pool = pool;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tolerance = opts.floatTolerance ?? DEFAULT_FLOAT_TOLERANCE;
    this.rawMemoMax = opts.rawMemoCells ?? 200_000;
  }

  private remember(memo: Map<string, Promise<RawCell>>, key: string, cell: Promise<RawCell>): void {
    memo.set(key, cell);
    while (memo.size > this.rawMemoMax) memo.delete(memo.keys().next().value as string);
  }

  /** Values of `expected` expressions, evaluated without any candidate code (cached per expression). */
  private async expectedValues(
    language: Language,
    exprs: string[],
    timeoutMs: number,
  ): Promise<Map<string, ExpectedValue>> {
    const key = (e: string) => `${language}\0${e}`;
    const missing = [...new Set(exprs)].filter((e) => !this.expectedCache.has(key(e)));
    if (missing.length > 0) {
      const plan = planChunks(1, missing.length, this.pool.workers, language);
      await Promise.all(
        plan.map(async ({ from, to }) => {
          const part = missing.slice(from, to);
          const cells = await this.pool.run({
            language,
            mode: 'expected',
            code: '',
            tests: part.map((expr) => ({ expr })),
            timeoutMs,
          });
          part.forEach((e, i) => {
            const c = cells[i];
            this.expectedCache.set(
              key(e),
              c.status === 'ok' && c.value !== undefined
                ? { value: c.value }
                : { error: c.error || c.status },
            );
          });
        }),
      );
    }
    return new Map(exprs.map((e) => [e, this.expectedCache.get(key(e))!]));
  }

  async run(req: ExecRequest): Promise<CellResult[][]> {
    validateRequest(req);
    if (req.language === 'typescript') return this.run(asJavaScript(req));
    const { language, kind } = req;
    if (req.codes.length === 0) return [];
    if (req.tests.length === 0) return req.codes.map(() => []);
    const timeoutMs = Math.round(req.timeoutMs ?? this.timeoutMs);

    // Identical codes and identical tests run once.
    const { unique: codes, indexOf: rowOf } = dedupeBy(req.codes, (c) => c);
    const { unique: tests, indexOf: colOf } = dedupeBy(req.tests, (t) =>
      isFunctionTest(t)
        ? JSON.stringify(['f', t.call, t.expected ?? null])
        : JSON.stringify(['s', (t as { input: string }).input, t.expected ?? null]),
    );

    let expected = new Map<string, ExpectedValue>();
    const harnessTests: HarnessTest[] = [];
    if (kind === 'function') {
      const exprs = tests.map((t) => t.expected).filter((e): e is string => e !== undefined);
      if (exprs.length > 0) expected = await this.expectedValues(language, exprs, timeoutMs);
      for (const t of tests as Array<{ call: string; expected?: string }>) {
        const ev = t.expected !== undefined ? expected.get(t.expected) : undefined;
        harnessTests.push(
          ev && ev.value === undefined ? { call: t.call, expected: t.expected } : { call: t.call },
        );
      }
    } else {
      // Only the input goes in; the expected output stays in the parent.
      for (const t of tests as Array<{ input: string }>) harnessTests.push({ input: t.input });
    }

    const repo = req.repo ? this.chunkRepo(req) : undefined;
    const sources = language === 'javascript' && !repo ? codes.map(toScript) : codes;
    // What the harness runs for a cell is the code and the harness test (the call, not the expected value,
    // which is judged here): cells that differ only in what they expect run once per executor.
    const prefix = JSON.stringify([
      language,
      kind,
      req.entryPoint ?? null,
      timeoutMs,
      req.repo ? [req.repo.root, req.repo.path] : null,
    ]);
    const hkeys = harnessTests.map((t) => JSON.stringify(t));
    const raw: Array<Array<Promise<RawCell>>> = codes.map(() => new Array(tests.length));
    const missing: number[][] = codes.map(() => []);
    const claims = new Map<string, (c: RawCell | Error) => void>();
    // Without a memo (opts.memo, cacheDir) only the request's own repeats are shared.
    const memo = this.opts.memo || this.opts.cacheDir ? this.rawMemo : new Map<string, Promise<RawCell>>();
    codes.forEach((code, i) =>
      tests.forEach((_, j) => {
        const k = `${prefix}\0${code}\0${hkeys[j]}`;
        const known = memo.get(k);
        if (known) {
          raw[i][j] = known;
          return;
        }
        let settle!: (c: RawCell | Error) => void;
        const p = new Promise<RawCell>((ok, fail) => {
          settle = (c) => (c instanceof Error ? fail(c) : ok(c));
        });
        p.catch(() => memo.delete(k)); // an infrastructure failure is not remembered
        this.remember(memo, k, p);
        claims.set(k, settle);
        raw[i][j] = p;
        missing[i].push(j);
      }),
    );
    // Repository-context JavaScript runs one process per test (its fresh state); see harness-js-repo.ts.
    const plan =
      repo && language === 'javascript'
        ? missing.flatMap((js, code) => js.map((j) => ({ code, tests: [j] })))
        : planRows(missing, this.pool.workers, language);
    const runChunk = async (code: number, js: number[]): Promise<void> => {
      const keyOf = (j: number) => `${prefix}\0${codes[code]}\0${hkeys[j]}`;
      const chunk: Chunk = {
        language,
        mode: kind,
        code: sources[code],
        entryPoint: req.entryPoint,
        tests: js.map((j) => harnessTests[j]),
        timeoutMs,
        ...(repo ? { repo } : {}),
        ...(language === 'python' && js.length > 1 ? { handBack: true } : {}),
      };
      let cells: RawCell[];
      try {
        cells = await this.pool.run(chunk);
      } catch (err) {
        for (const j of js) claims.get(keyOf(j))!(err as Error);
        throw err;
      }
      this.ranCells += cells.length;
      cells.forEach((c, k) => claims.get(keyOf(js[k]))!(c));
      // a test ran out of time and the chunk handed the rest back: split it over the workers
      const rest = js.slice(cells.length);
      if (rest.length === 0) return;
      this.handedBack++;
      const parts = Math.min(this.pool.workers, rest.length);
      const size = Math.ceil(rest.length / parts);
      const again: Array<Promise<void>> = [];
      for (let f = 0; f < rest.length; f += size) again.push(runChunk(code, rest.slice(f, f + size)));
      await Promise.all(again);
    };
    await Promise.all(plan.map(({ code, tests: js }) => runChunk(code, js)));
    const cellsOf = await Promise.all(raw.map((row) => Promise.all(row)));

    const judged = codes.map((_, i) =>
      tests.map((t, j) =>
        judge(
          cellsOf[i][j],
          kind,
          t,
          t.expected !== undefined ? expected.get(t.expected) : undefined,
          this.tolerance,
        ),
      ),
    );
    return rowOf.map((i) => colOf.map((j) => ({ ...judged[i][j] })));
  }

  /** The harness's view of a request's repository context. */
  private chunkRepo(req: ExecRequest): ChunkRepo {
    const ctx = req.repo!;
    const sandboxed = this.opts.sandbox === 'bwrap';
    let snapshot: RepoSnapshot | null = null;
    if (sandboxed) {
      snapshot = this.snapshots.get(ctx.root) ?? repoSnapshot(ctx.root);
      this.snapshots.set(ctx.root, snapshot);
    }
    const names = new Set<string>(req.entryPoint ? [req.entryPoint] : []);
    for (const t of req.tests as Array<{ call?: string; expected?: string }>)
      for (const text of [t.call ?? '', t.expected ?? ''])
        for (const w of text.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(w);
    return { snapshot, harness: harnessRepo(ctx, req.language, sandboxed), names: [...names] };
  }

  /**
   * What a cell's verdict depends on besides its request, for `language`: the harness version, the interpreter
   * and its version, the sandbox, the limits and the comparison tolerance (part of the persistent cache's key).
   */
  async fingerprint(language: Language): Promise<string> {
    const rt = language === 'python' ? await resolvePython(this.opts.python) : resolveNode();
    return JSON.stringify({
      format: STORE_FORMAT,
      harness: HARNESS_VERSION,
      runtime: [language, rt.exe, rt.version],
      sandbox: this.opts.sandbox,
      memoryMb: this.pool.options.memoryMb,
      outputLimit: this.pool.options.outputLimit,
      tolerance: this.tolerance,
      timeoutMs: this.timeoutMs,
    });
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}

/**
 * The sandboxed executor. Fails closed: unless `sandbox` is explicitly 'none', it throws
 * SandboxUnavailableError (a UserError saying how to fix it) when bubblewrap is missing or cannot run.
 */
export async function createExecutor(opts: ExecutorOptions): Promise<SandboxExecutor> {
  if (opts?.sandbox !== 'bwrap' && opts?.sandbox !== 'none')
    throw new UserError(
      `sandbox must be "bwrap" or "none" (explicitly), not ${JSON.stringify(opts?.sandbox)}`,
    );
  let bwrap;
  if (opts.sandbox === 'bwrap') {
    const check = await checkSandbox();
    if (!check.ok) throw new SandboxUnavailableError(check.reason, check.fix);
    bwrap = await findBwrap();
    if (!bwrap) throw new SandboxUnavailableError('bubblewrap (bwrap) is not installed', FIX_INSTALL);
  }
  const wanted = opts.workers ?? availableParallelism();
  if (!Number.isFinite(wanted) || wanted < 1)
    throw new UserError(`workers must be at least 1, not ${opts.workers}`);
  const workers = Math.floor(wanted);
  const pool = new WorkerPool({
    sandbox: opts.sandbox,
    bwrap,
    workers,
    memoryMb: Math.max(64, Math.floor(Number(opts.memoryMb ?? DEFAULT_MEMORY_MB)) || DEFAULT_MEMORY_MB),
    outputLimit: Math.max(
      1024,
      Math.floor(Number(opts.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT)) || DEFAULT_OUTPUT_LIMIT,
    ),
    python: opts.python,
  });
  const engine = new Engine(opts, pool);
  if (!opts.memo && !opts.cacheDir) return engine;
  const cached = createCachingExecutor(
    engine,
    opts.cacheDir
      ? { store: new CellStore(opts.cacheDir), fingerprint: (language) => engine.fingerprint(language) }
      : {},
  );
  // The memo above the engine counts what it sends down; the engine's own memo (by harness test) serves some.
  const stats = () => {
    const s = cached.stats();
    return {
      executed: engine.ranCells,
      cached: s.cached + s.executed - engine.ranCells,
      stored: s.stored,
      handedBack: engine.handedBack,
    };
  };
  return { run: (req) => cached.run(req), stats, close: () => engine.close() };
}
