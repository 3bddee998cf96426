// Sandboxed worker processes and the pool that runs chunks (one code x a range of tests) on them.
//
// Python: one long-lived supervisor per worker slot (see harness-python.ts), restarted when it dies or stops
// answering. JavaScript: a single-use harness process per chunk (see harness-js.ts); a few are started ahead
// of time so that a chunk rarely waits for Node to boot. At most `workers` chunks run at once.
//
// Whatever happens inside a sandbox, the parent keeps a watchdog per cell: a worker that dies or stops
// answering is killed, the cell in flight gets a verdict (timeout / memory / crash), and the chunk's remaining
// tests are re-run on a fresh worker, so a matrix always completes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Language } from '../types.js';
import { JS_HARNESS } from './harness-js.js';
import { JS_REPO_HARNESS } from './harness-js-repo.js';
import { PYTHON_SUPERVISOR } from './harness-python.js';
import type { HarnessRepo } from './repo.js';
import { locateTranspiler } from './typescript.js';
import { resolveNode, resolvePrlimit, resolvePython, type Runtime } from './runtime.js';
import {
  bwrapArgs,
  sandboxedPath,
  harnessEnv,
  sandboxUid,
  SANDBOX_WORKDIR,
  SandboxUnavailableError,
  FIX_USERNS,
  type Bwrap,
  type RepoSnapshot,
  type SandboxMode,
} from './sandbox.js';

/**
 * RLIMIT_DATA headroom above the V8 heap limit for the JavaScript harness: Node 24 reserves more than 512 MB
 * of data mappings before it runs a line (Node 20 starts in less), so a tighter limit kills every test process
 * at start-up. The heap itself is capped by --max-old-space-size.
 */
const JS_DATA_HEADROOM_MB = 1024;

export type RawStatus = 'ok' | 'exception' | 'timeout' | 'memory' | 'output_limit' | 'crash';

/** A cell as a harness reports it; the parent turns it into a verdict. */
export interface RawCell {
  status: RawStatus;
  stdout?: string;
  value?: string;
  expectedValue?: string;
  expectedError?: string;
  error?: string;
  /** CPU time of the test process (Python), in ms. */
  cpuMs?: number;
}

export type HarnessMode = 'stdio' | 'function' | 'expected';

/** What a harness gets per test: stdin (stdio), a call (+ an expected expression to evaluate in the code's
 * namespace, only when it cannot be evaluated on its own), or a lone expression (mode 'expected'). */
export interface HarnessTest {
  input?: string;
  call?: string;
  expected?: string;
  expr?: string;
}

export interface Chunk {
  language: Language;
  mode: HarnessMode;
  code: string;
  entryPoint?: string;
  tests: HarnessTest[];
  timeoutMs: number;
  /** Repository context: the code is the text of `harness.file`, loaded as that module of the repository. */
  repo?: ChunkRepo;
  /**
   * Python: after a test that runs out of time, stop and return the cells so far (fewer than `tests`); the
   * caller runs the rest, split over its idle workers, instead of one worker running a looping code's tests one
   * after another while the others wait.
   */
  handBack?: boolean;
}

export interface ChunkRepo {
  /** What the sandbox shows (null without a sandbox: the harness reads the repository in place). */
  snapshot: RepoSnapshot | null;
  harness: HarnessRepo;
  /** JavaScript: the identifiers the tests use (the module's bindings the harness looks up). */
  names: string[];
}

export interface PoolOptions {
  sandbox: SandboxMode;
  bwrap?: Bwrap;
  workers: number;
  memoryMb: number;
  outputLimit: number;
  python?: string;
}

const STATUSES = new Set<RawStatus>(['ok', 'exception', 'timeout', 'memory', 'output_limit', 'crash']);
const ERRCAP = 4000;

function tail(s: string, n = ERRCAP): string {
  return s.length <= n ? s : '...' + s.slice(s.length - n);
}

/** Validates a cell from a harness (which may be under a candidate's control). */
export function toRawCell(c: unknown, outputLimit: number): RawCell {
  if (!c || typeof c !== 'object' || !STATUSES.has((c as RawCell).status))
    return { status: 'crash', error: 'the test harness sent a malformed result' };
  const src = c as Record<string, unknown>;
  const cell: RawCell = { status: src.status as RawStatus };
  for (const k of ['stdout', 'value', 'expectedValue'] as const)
    if (typeof src[k] === 'string') cell[k] = (src[k] as string).slice(0, outputLimit + 1);
  for (const k of ['expectedError', 'error'] as const)
    if (typeof src[k] === 'string') cell[k] = tail(src[k] as string);
  if (Number.isSafeInteger(src.cpuMs) && (src.cpuMs as number) >= 0) cell.cpuMs = src.cpuMs as number;
  return cell;
}

// ---------------------------------------------------------------------------------------------- processes

interface Launch {
  cmd: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Unsandboxed runs: own process group (killed as a group) and a temp dir removed afterwards. */
  detached: boolean;
  workdir?: string;
}

class Proc {
  readonly child: ChildProcess;
  onMessage?: (m: Record<string, unknown>) => void;
  onExit?: () => void;
  exited = false;
  stderr = '';
  private buf = '';

  constructor(private readonly launch: Launch) {
    this.child = spawn(launch.cmd, launch.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: launch.env,
      cwd: launch.cwd,
      detached: launch.detached,
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => this.data(d));
    this.child.stderr!.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-16384);
    });
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (err) => {
      this.stderr += `\n${err.message}`;
      this.exit();
    });
    this.child.on('close', () => this.exit());
  }

  private data(d: string): void {
    this.buf += d;
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i < 0) break;
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        msg = { bad: true };
      }
      if (msg && typeof msg === 'object') this.onMessage?.(msg as Record<string, unknown>);
    }
  }

  private exit(): void {
    if (this.exited) return;
    this.exited = true;
    if (this.launch.workdir) rmSync(this.launch.workdir, { recursive: true, force: true });
    this.onExit?.();
  }

  send(line: string, end = false): void {
    if (this.exited) return;
    if (end) this.child.stdin!.end(line);
    else this.child.stdin!.write(line);
  }

  /** Keeps the parent's event loop from waiting on an idle worker. */
  idle(idle: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{
      ref?: () => void;
      unref?: () => void;
    } | null>;
    for (const h of handles) (idle ? h?.unref : h?.ref)?.call(h);
  }

  kill(): void {
    if (this.exited) return;
    try {
      if (this.launch.detached && this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
      else this.child.kill('SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}

function heapOom(stderr: string): boolean {
  return /heap out of memory|Reached heap limit|Allocation failed|OutOfMemory|MemoryError/i.test(stderr);
}

function lastLines(s: string, n = 6): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

/**
 * The crash verdict of the test in flight when its process (`who`) died, with the end of its stderr, or broke
 * its protocol.
 */
function lostProcessCell(who: string, died: boolean, stderr: string, protocol: string): RawCell {
  return {
    status: 'crash',
    error: tail(
      died ? `${who} died${stderr.trim() ? ': ' + lastLines(stderr) : ''}` : `${who} broke the ${protocol}`,
    ),
  };
}

// ---------------------------------------------------------------------------------------------- launchers

/**
 * Standalone Python workers start without `site` (-S) and add its site-packages folders themselves (the
 * harness's `sitePaths`): the .pth files that `site` runs import modules (threading, among others, with most
 * Python installs) that make every fork of the code process, one per test, several times slower. A repository's
 * module keeps the whole `site` (a virtual environment, editable installs of its dependencies).
 */
function leanFlag(forRepo: boolean): string[] {
  return forRepo ? [] : ['-S'];
}

class Launcher {
  private python?: Promise<Runtime>;
  private node?: Runtime;
  private prlimit?: string | null;

  constructor(private readonly opts: PoolOptions) {}

  private tmpMb(): number {
    return Math.max(16, Math.min(256, this.opts.memoryMb));
  }

  /** A Python supervisor; `forRepo`: it loads modules of a repository (shown by `snapshot` in the sandbox). */
  async pythonLaunch(snapshot: RepoSnapshot | null = null, forRepo = snapshot !== null): Promise<Launch> {
    const py = await (this.python ??= resolvePython(this.opts.python));
    const o = this.opts;
    if (o.sandbox === 'bwrap') {
      const bw = o.bwrap!;
      const cfg = {
        sandboxed: true,
        workdir: SANDBOX_WORKDIR,
        memoryMb: o.memoryMb,
        outputLimit: o.outputLimit,
        nproc: 64,
        dropTo: bw.root ? sandboxUid() : null,
        ...(forRepo ? {} : { sitePaths: py.sitePaths ?? [] }),
      };
      const args = bwrapArgs(bw, {
        readOnly: py.readOnly,
        asPid1: true,
        tmpMb: this.tmpMb(),
        env: harnessEnv(SANDBOX_WORKDIR),
        ...(snapshot ? { repo: snapshot } : {}),
      });
      return {
        cmd: bw.path,
        args: [
          ...args,
          sandboxedPath(py.exe),
          ...leanFlag(forRepo),
          '-c',
          PYTHON_SUPERVISOR,
          JSON.stringify(cfg),
        ],
        env: {},
        detached: false,
      };
    }
    const workdir = mkdtempSync(join(tmpdir(), 'cosplay-exec-'));
    const cfg = {
      sandboxed: false,
      workdir,
      memoryMb: o.memoryMb,
      outputLimit: o.outputLimit,
      nproc: 0,
      ...(forRepo ? {} : { sitePaths: py.sitePaths ?? [] }),
    };
    return {
      cmd: py.exe,
      args: [...leanFlag(forRepo), '-c', PYTHON_SUPERVISOR, JSON.stringify(cfg)],
      env: harnessEnv(workdir),
      cwd: workdir,
      detached: true,
      workdir,
    };
  }

  /** A JavaScript harness: the standalone one, or (`repo`) the repository-context one with its snapshot. */
  jsLaunch(repo?: { snapshot: RepoSnapshot | null }): Launch {
    const node = (this.node ??= resolveNode());
    const o = this.opts;
    const script = repo ? JS_REPO_HARNESS : JS_HARNESS;
    const nodeArgs = [`--max-old-space-size=${o.memoryMb}`, '--no-warnings', '-e', script];
    if (o.sandbox === 'bwrap') {
      const bw = o.bwrap!;
      const cfg = {
        workdir: SANDBOX_WORKDIR,
        outputLimit: o.outputLimit,
        memoryMb: o.memoryMb,
        dropTo: bw.root ? sandboxUid() : null,
      };
      if (this.prlimit === undefined) this.prlimit = resolvePrlimit() ?? null;
      const limits = this.prlimit
        ? [
            this.prlimit,
            '--nproc=64',
            `--data=${(o.memoryMb + JS_DATA_HEADROOM_MB) * 1024 * 1024}`,
            `--fsize=${2 * o.outputLimit + 65536}`,
            '--nofile=256',
            '--core=0',
            '--cpu=3600',
            '--',
          ]
        : [];
      // Repository context may be TypeScript: the transpiler is shown read-only (one file in the bundle).
      const transpiler = repo ? locateTranspiler() : null;
      const args = bwrapArgs(bw, {
        readOnly: transpiler ? [...node.readOnly, transpiler.bind] : node.readOnly,
        asPid1: false,
        tmpMb: this.tmpMb(),
        env: harnessEnv(SANDBOX_WORKDIR),
        ...(repo?.snapshot ? { repo: repo.snapshot } : {}),
      });
      return {
        cmd: bw.path,
        args: [...args, ...limits, sandboxedPath(node.exe), ...nodeArgs, JSON.stringify(cfg)],
        env: {},
        detached: false,
      };
    }
    const workdir = mkdtempSync(join(tmpdir(), 'cosplay-exec-'));
    const cfg = { workdir, outputLimit: o.outputLimit, memoryMb: o.memoryMb, dropTo: null };
    return {
      cmd: node.exe,
      args: [...nodeArgs, JSON.stringify(cfg)],
      env: harnessEnv(workdir),
      cwd: workdir,
      detached: true,
      workdir,
    };
  }
}

function startupError(what: string, proc: Proc, sandbox: SandboxMode): Error {
  const why = lastLines(proc.stderr) || 'no output';
  if (sandbox === 'bwrap' && /^bwrap:/m.test(proc.stderr))
    return new SandboxUnavailableError(`the ${what} sandbox did not start (${why})`, FIX_USERNS);
  return new Error(`the ${what} worker did not start: ${why}`);
}

// ---------------------------------------------------------------------------------------------- python

const STARTUP_MS = 60_000;
/** Margin over the per-test limit before the parent declares a worker stuck (its own timers come first). */
const WATCHDOG_MARGIN_MS = 5_000;

/**
 * A Python test's limit counts its own time, not the time it waits for a CPU (harness-python.ts `wait_timeout`),
 * so that a verdict does not depend on how busy the machine is. A test starved of the CPU for good is stopped
 * after this much wall-clock time.
 */
export function pythonWallMs(timeoutMs: number): number {
  return 10 * timeoutMs;
}

class PythonWorker {
  private proc?: Proc;
  private starting?: Promise<Proc>;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly launcher: Launcher,
    private readonly opts: PoolOptions,
    /** The repository this worker's sandbox shows (null: none). */
    private readonly snapshot: RepoSnapshot | null = null,
    /** Whether it loads a repository's modules (also without a sandbox, where there is no snapshot). */
    private readonly forRepo = snapshot !== null,
  ) {}

  private ensure(): Promise<Proc> {
    if (this.proc && !this.proc.exited) return Promise.resolve(this.proc);
    this.starting ??= (async () => {
      const launch = await this.launcher.pythonLaunch(this.snapshot, this.forRepo);
      const proc = new Proc(launch);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            proc.kill();
            reject(new Error(`the Python worker did not start within ${STARTUP_MS} ms`));
          }, STARTUP_MS);
          proc.onMessage = (m) => {
            clearTimeout(timer);
            if (m.ready === true) resolve();
            else reject(new Error(`the Python worker sent ${JSON.stringify(m)} instead of a greeting`));
          };
          proc.onExit = () => {
            clearTimeout(timer);
            reject(startupError('Python', proc, this.opts.sandbox));
          };
        });
      } finally {
        proc.onMessage = undefined;
        proc.onExit = undefined;
        this.starting = undefined;
      }
      proc.idle(true);
      this.proc = proc;
      return proc;
    })();
    return this.starting;
  }

  async run(chunk: Chunk): Promise<RawCell[]> {
    const n = chunk.tests.length;
    const cells: RawCell[] = [];
    let handedBack = false;
    while (cells.length < n) {
      if (this.closed) throw new Error('the executor is closed');
      const proc = await this.ensure();
      const start = cells.length;
      const id = ++this.seq;
      proc.idle(false);
      const outcome = await new Promise<'done' | 'late' | 'died' | 'protocol'>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (r: 'done' | 'late' | 'died' | 'protocol') => {
          clearTimeout(timer);
          proc.onMessage = undefined;
          proc.onExit = undefined;
          resolve(r);
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => finish('late'), pythonWallMs(chunk.timeoutMs) + WATCHDOG_MARGIN_MS);
        };
        proc.onMessage = (m) => {
          if (m.id !== id) return finish('protocol');
          if (m.done === true) {
            // handed back after a timeout: the tests left go back to the caller (see Chunk.handBack)
            const rest = m.rest;
            if (
              chunk.handBack &&
              typeof rest === 'number' &&
              rest > 0 &&
              cells.length > start &&
              cells.length + rest === n
            ) {
              handedBack = true;
              return finish('done');
            }
            return finish(cells.length === n ? 'done' : 'protocol');
          }
          if (m.j !== cells.length - start || cells.length >= n) return finish('protocol');
          cells.push(toRawCell(m.cell, this.opts.outputLimit));
          arm();
        };
        proc.onExit = () => finish('died');
        arm();
        proc.send(
          JSON.stringify({
            id,
            mode: chunk.mode,
            code: chunk.code,
            tests: chunk.tests.slice(start),
            timeoutMs: chunk.timeoutMs,
            wallMs: pythonWallMs(chunk.timeoutMs),
            ...(chunk.handBack ? { handBack: true } : {}),
            ...(chunk.repo ? { repo: chunk.repo.harness } : {}),
          }) + '\n',
        );
      });
      if (outcome === 'done') {
        proc.idle(true);
        if (handedBack) return cells;
        break;
      }
      // Stuck, dead or talking nonsense: replace the worker; the test in flight gets a verdict.
      proc.kill();
      this.proc = undefined;
      if (cells.length < n) {
        if (outcome === 'late')
          cells.push({
            status: 'timeout',
            error: `timed out after ${pythonWallMs(chunk.timeoutMs)} ms of wall-clock time (the sandbox stopped answering)`,
          });
        else if (outcome === 'died' && heapOom(proc.stderr))
          cells.push({ status: 'memory', error: 'the sandbox worker ran out of memory' });
        else cells.push(lostProcessCell('the sandbox worker', outcome === 'died', proc.stderr, 'protocol'));
      }
    }
    return cells;
  }

  close(): void {
    this.closed = true;
    this.proc?.kill();
    this.proc = undefined;
    void this.starting?.then((p) => p.kill()).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------- javascript

class JsRunner {
  private warm: Proc[] = [];
  private used = false;
  private closed = false;

  constructor(
    private readonly launcher: Launcher,
    private readonly opts: PoolOptions,
    /** Repository context: the repository-context harness, with this snapshot (see harness-js-repo.ts). */
    private readonly repo?: { snapshot: RepoSnapshot | null },
  ) {}

  private spawn(): Proc {
    return new Proc(this.launcher.jsLaunch(this.repo));
  }

  private take(): Proc {
    let proc: Proc | undefined;
    while ((proc = this.warm.shift())) if (!proc.exited) break;
    this.used = true;
    if (!proc) proc = this.spawn();
    this.refill();
    return proc;
  }

  /** Keeps up to `workers` harnesses booted and waiting for a job. */
  private refill(): void {
    if (this.closed || !this.used) return;
    this.warm = this.warm.filter((p) => !p.exited);
    while (this.warm.length < this.opts.workers) {
      const p = this.spawn();
      p.idle(true);
      this.warm.push(p);
    }
  }

  async run(chunk: Chunk): Promise<RawCell[]> {
    const n = chunk.tests.length;
    const cells: RawCell[] = [];
    let starts = 0;
    while (cells.length < n) {
      if (this.closed) throw new Error('the executor is closed');
      const proc = this.take();
      proc.idle(false);
      const start = cells.length;
      const outcome = await new Promise<'done' | 'late' | 'died' | 'protocol'>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (r: 'done' | 'late' | 'died' | 'protocol') => {
          clearTimeout(timer);
          proc.onMessage = undefined;
          proc.onExit = undefined;
          resolve(r);
        };
        const arm = (ms: number) => {
          clearTimeout(timer);
          timer = setTimeout(() => finish('late'), ms);
        };
        let loaded = false;
        proc.onMessage = (m) => {
          if (!loaded) {
            if (m.load === 'ok') {
              loaded = true;
              arm(chunk.timeoutMs + WATCHDOG_MARGIN_MS);
              return;
            }
            if (m.load === 'fail') {
              const cell = toRawCell(m.cell, this.opts.outputLimit);
              while (cells.length < n) cells.push(cell);
              return finish('done');
            }
            return finish('protocol');
          }
          if (m.j !== cells.length - start || cells.length >= n) return finish('protocol');
          cells.push(toRawCell(m.cell, this.opts.outputLimit));
          if (cells.length === n) return finish('done');
          arm(chunk.timeoutMs + WATCHDOG_MARGIN_MS);
        };
        proc.onExit = () => finish('died');
        arm(STARTUP_MS + chunk.timeoutMs);
        const job = {
          mode: chunk.mode,
          code: chunk.code,
          entryPoint: chunk.entryPoint,
          tests: chunk.tests.slice(start),
          timeoutMs: chunk.timeoutMs,
          ...(chunk.repo ? { repo: chunk.repo.harness, names: chunk.repo.names } : {}),
        };
        proc.send(JSON.stringify(job), true);
      });
      proc.kill();
      if (outcome === 'done') break;
      if (cells.length === start && outcome === 'died' && ++starts >= 3 && /^bwrap:/m.test(proc.stderr))
        throw startupError('JavaScript', proc, this.opts.sandbox);
      if (cells.length < n) {
        if (outcome === 'late')
          cells.push({
            status: 'timeout',
            error: `timed out after ${chunk.timeoutMs} ms (the test stopped answering)`,
          });
        else if (heapOom(proc.stderr))
          cells.push({
            status: 'memory',
            error: `JavaScript heap out of memory (limit ${this.opts.memoryMb} MB)`,
          });
        else
          cells.push(
            lostProcessCell('the test process', outcome === 'died', proc.stderr, 'harness protocol'),
          );
      }
    }
    return cells;
  }

  close(): void {
    this.closed = true;
    for (const p of this.warm) p.kill();
    this.warm = [];
  }
}

// ---------------------------------------------------------------------------------------------- pool

/** Runs chunks on at most `workers` sandboxed workers at once. */
export class WorkerPool {
  private readonly launcher: Launcher;
  /**
   * Per slot, a Python worker per repository its sandbox shows ('' for none): a gate or repair run alternates
   * repository-context chunks with standalone ones (expected values), and each keeps its warm worker.
   */
  private readonly python: Array<Map<string, PythonWorker>> = [];
  private readonly js: JsRunner;
  /** Repository-context JavaScript runners, one per repository root. */
  private readonly jsRepo = new Map<string, JsRunner>();
  private readonly free: number[] = [];
  private readonly waiting: Array<(slot: number) => void> = [];
  private closed = false;

  constructor(private readonly opts: PoolOptions) {
    this.launcher = new Launcher(opts);
    this.js = new JsRunner(this.launcher, opts);
    for (let i = 0; i < opts.workers; i++) this.free.push(i);
  }

  get workers(): number {
    return this.opts.workers;
  }

  get options(): Readonly<PoolOptions> {
    return this.opts;
  }

  private acquire(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  async run(chunk: Chunk): Promise<RawCell[]> {
    if (this.closed) throw new Error('the executor is closed');
    if (chunk.tests.length === 0) return [];
    const slot = await this.acquire();
    try {
      if (this.closed) throw new Error('the executor is closed');
      const snapshot = chunk.repo?.snapshot ?? null;
      const root = chunk.repo ? (snapshot?.root ?? chunk.repo.harness.root) : '';
      if (chunk.language === 'python') {
        const workers = (this.python[slot] ??= new Map());
        let w = workers.get(root);
        if (!w) workers.set(root, (w = new PythonWorker(this.launcher, this.opts, snapshot, root !== '')));
        return await w.run(chunk);
      }
      if (!chunk.repo) return await this.js.run(chunk);
      let runner = this.jsRepo.get(root);
      if (!runner) this.jsRepo.set(root, (runner = new JsRunner(this.launcher, this.opts, { snapshot })));
      return await runner.run(chunk);
    } finally {
      this.release(slot);
    }
  }

  close(): void {
    this.closed = true;
    for (const workers of this.python) for (const w of workers?.values() ?? []) w.close();
    this.js.close();
    for (const r of this.jsRepo.values()) r.close();
  }
}
