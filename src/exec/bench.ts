// exec-bench: the engine against one sandboxed process per (code, test), against the floor (the same
// programs unsandboxed, in one process) and against the isolation floor (one bare fork per cell from a Python
// with the harness's modules imported), side by side on the same matrix of small Python stdio programs; then
// the same for repository context (a module importing a sibling), all in one run.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellResult, ExecRequest, StdioTest } from '../types.js';
import { stdoutAgree, valuesAgree } from './compare.js';
import { createExecutor } from './engine.js';
import { resolvePython } from './runtime.js';
import { PRELOADED_MODULES } from './harness-python.js';
import {
  bwrapArgs,
  findBwrap,
  harnessEnv,
  repoSnapshot,
  SANDBOX_WORKDIR,
  sandboxedPath,
  type SandboxMode,
} from './sandbox.js';

export interface ExecBenchOptions {
  codes?: number;
  tests?: number;
  workers?: number;
  sandbox?: SandboxMode;
  /** Timed runs per method; the median is reported. */
  repeat?: number;
  python?: string;
}

export interface ExecBenchResult {
  engineMsPerCell: number;
  perPairMsPerCell: number;
  floorMsPerCell: number;
  speedupVsPerPair: number;
  engineColdMsPerCell: number;
  codes: number;
  tests: number;
  workers: number;
  repeat: number;
  sandbox: SandboxMode;
  /** Cells whose output differs between the three methods (should be 0). */
  mismatches: number;
  /**
   * The isolation floor: one fork() + waitpid() per cell from a Python that has imported the harness's modules,
   * as many forking processes at once as the engine has workers (the least one fresh process per test costs).
   */
  isolationFloorMsPerCell: number;
  /** engineMsPerCell / isolationFloorMsPerCell. */
  engineToIsolationFloor: number;
  /** Repository context: a module that imports a sibling module (a tiny package written by the bench). */
  repo: {
    codes: number;
    tests: number;
    /** The engine, Python package (`from .helper import base`). */
    engineMsPerCell: number;
    /** The engine, CommonJS package (`require('./helper')`): one Node process per test. */
    jsEngineMsPerCell: number;
    /** One sandboxed Python per (code, test), importing the package and the candidate in its place. */
    perPairMsPerCell: number;
    speedupVsPerPair: number;
    /** Cells whose value differs between the engine and per pair, or from the expected value (should be 0). */
    mismatches: number;
  };
}

const PROGRAMS = [
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(max(a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(min(a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(*sorted(a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(*a[::-1])',
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(x for x in a if x % 2 == 0))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(1 for x in a if x % 2))',
  'n = int(input())\na = list(map(int, input().split()))\np = 1\nfor x in a:\n    p = p * x % 1000000007\nprint(p)',
  'import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\ns = 0\nfor x in data[1:n + 1]:\n    s += int(x)\nprint(s)',
  'n = int(input())\na = list(map(int, input().split()))\nprint(*sorted(a, reverse=True))',
  'n = int(input())\na = list(map(int, input().split()))\nprint("%.6f" % (sum(a) / n))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(len(set(a)))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(max(a) - min(a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(x * x for x in a))',
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(a[1:]))',
  'n = int(input())\na = sorted(set(map(int, input().split())))\nprint(a[-2] if len(a) > 1 else -1)',
];

/** `codes` distinct small Python stdio programs and `tests` distinct inputs (deterministic). */
export function benchMatrix(codes: number, tests: number): { codes: string[]; tests: StdioTest[] } {
  const progs = Array.from({ length: codes }, (_, i) => `${PROGRAMS[i % PROGRAMS.length]}\n# variant ${i}\n`);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const ts = Array.from({ length: tests }, (_, j) => {
    const n = 3 + (j % 7) * 3;
    const a = Array.from({ length: n }, () => Math.floor(rand() * 2000) - 1000);
    return { input: `${n}\n${a.join(' ')}\n` };
  });
  return { codes: progs, tests: ts };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runProcess(
  cmd: string,
  args: string[],
  input: string,
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: stderr + err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

const FLOOR = `
import sys, io, json, time
codes, tests = json.load(sys.stdin)
compiled = [compile(c, '<code>', 'exec') for c in codes]
real_out = sys.stdout
outs = []
t = time.perf_counter()
for c in compiled:
    row = []
    for inp in tests:
        sys.stdin = io.StringIO(inp)
        buf = io.StringIO()
        sys.stdout = buf
        try:
            exec(c, {'__name__': '__main__'})
        except BaseException:
            pass
        sys.stdout = real_out
        row.append(buf.getvalue())
    outs.append(row)
el = time.perf_counter() - t
real_out.write(json.dumps({'seconds': el, 'outputs': outs}))
`;

/**
 * fork() + waitpid() per cell from a Python like the harness's code process: started the same way (-S, see
 * workers.ts) with the supervisor's modules imported (see harness-python.ts).
 */
const ISOLATION_FLOOR = `
import os, sys, time, json
for m in ${JSON.stringify([...PRELOADED_MODULES, 'json', 'signal', 'resource', 'select', 'io', 'traceback', 'linecache', 'shutil', 'math', 'errno', '_sitebuiltins'])}:
    __import__(m)
import gc
gc.collect()
if hasattr(gc, 'freeze'):
    gc.freeze()
n = int(sys.argv[1])
# every process starts forking at the same moment (argv[2], epoch seconds), after its start-up
delay = float(sys.argv[2]) - time.time()
if delay > 0:
    time.sleep(delay)
t = time.time()
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print(json.dumps({'start': t, 'end': time.time()}))
`;

/** The repository of the repository-context rows: a Python package and a CommonJS package, each a module
 * importing a sibling. */
function writeBenchRepo(root: string): void {
  const files: Record<string, string> = {
    'pkg/__init__.py': '',
    'pkg/helper.py': 'def base(x):\n    return 2 * x\n',
    'pkg/mod.py': 'from .helper import base\n\ndef f(x):\n    return base(x) + 0\n',
    'js/helper.js': 'function base(x) {\n  return 2 * x;\n}\nmodule.exports = { base };\n',
    'js/mod.js':
      "const { base } = require('./helper');\nfunction f(x) {\n  return base(x) + 0;\n}\nmodule.exports = { f };\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** Per pair in repository context: the package imported, the candidate executed as pkg.mod, one call. */
const REPO_PER_PAIR = `
import sys, types, importlib
sys.path.insert(0, sys.argv[1])
importlib.import_module('pkg.helper')
m = types.ModuleType('pkg.mod')
m.__package__ = 'pkg'
sys.modules['pkg.mod'] = m
exec(compile(sys.argv[2], 'pkg/mod.py', 'exec'), m.__dict__)
print(repr(eval(sys.argv[3], m.__dict__)))
`;

export async function runExecBench(
  opts: ExecBenchOptions = {},
  log: (line: string) => void = () => undefined,
): Promise<ExecBenchResult> {
  const nCodes = opts.codes ?? 16;
  const nTests = opts.tests ?? 16;
  const workers = opts.workers ?? availableParallelism();
  const repeat = Math.max(1, opts.repeat ?? 3);
  const sandbox = opts.sandbox ?? 'bwrap';
  const cells = nCodes * nTests;
  const { codes, tests } = benchMatrix(nCodes, nTests);
  const py = await resolvePython(opts.python);

  // 1. The engine. The first run includes starting the workers (cold); the timed runs reuse them.
  const executor = await createExecutor({ sandbox, workers, python: opts.python, timeoutMs: 10_000 });
  let engineOut: string[][] = [];
  const engineMs: number[] = [];
  let coldMs = 0;
  try {
    for (let r = 0; r <= repeat; r++) {
      const t0 = performance.now();
      const m = await executor.run({ language: 'python', kind: 'stdio', codes, tests });
      const ms = performance.now() - t0;
      if (r === 0) coldMs = ms;
      else engineMs.push(ms);
      engineOut = m.map((row) => row.map((c) => c.output));
      log(`  engine run ${r === 0 ? '(cold)' : r}: ${(ms / cells).toFixed(2)} ms/cell`);
    }
  } finally {
    await executor.close();
  }

  // 2. One sandboxed interpreter per (code, test), as many at once as the engine has workers.
  const bw = sandbox === 'bwrap' ? await findBwrap() : undefined;
  const pairArgs = bw
    ? bwrapArgs(bw, { readOnly: py.readOnly, asPid1: false, tmpMb: 16, env: harnessEnv(SANDBOX_WORKDIR) })
    : [];
  const scratch = mkdtempSync(join(tmpdir(), 'cosplay-bench-'));
  let pairOut: string[][] = [];
  const pairMs: number[] = [];
  try {
    for (let r = 0; r < repeat; r++) {
      const jobs = codes.flatMap((code) =>
        tests.map(
          (t) => () =>
            bw
              ? runProcess(bw.path, [...pairArgs, sandboxedPath(py.exe), '-c', code], t.input, {})
              : runProcess(py.exe, ['-c', code], t.input, harnessEnv(scratch), scratch),
        ),
      );
      const t0 = performance.now();
      const res = await pool(workers, jobs);
      const ms = performance.now() - t0;
      pairMs.push(ms);
      pairOut = codes.map((_, i) => tests.map((_, j) => res[i * nTests + j].stdout));
      log(`  per pair run ${r + 1}: ${(ms / cells).toFixed(2)} ms/cell`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // 3. The floor: the same programs in one unsandboxed process (no isolation at all).
  const floorMs: number[] = [];
  let floorOut: string[][] = [];
  for (let r = 0; r < repeat; r++) {
    const res = await runProcess(
      py.exe,
      ['-c', FLOOR],
      JSON.stringify([codes, tests.map((t) => t.input)]),
      harnessEnv(tmpdir()),
      tmpdir(),
    );
    const parsed = JSON.parse(res.stdout) as { seconds: number; outputs: string[][] };
    floorMs.push(parsed.seconds * 1000);
    floorOut = parsed.outputs;
    log(`  floor run ${r + 1}: ${((parsed.seconds * 1000) / cells).toFixed(3)} ms/cell`);
  }

  // 4. The isolation floor, in this same run.
  const isoMs: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const share = Array.from({ length: workers }, (_, w) => Math.floor((cells + w) / workers));
    const at = String(Date.now() / 1000 + 2);
    const spans = (
      await Promise.all(
        share.map((n) =>
          runProcess(
            py.exe,
            ['-S', '-c', ISOLATION_FLOOR, String(n), at],
            '',
            harnessEnv(tmpdir()),
            tmpdir(),
          ),
        ),
      )
    ).map((res) => JSON.parse(res.stdout) as { start: number; end: number });
    // from the first fork of any process to the last exit: the wall time of `cells` forks on `workers` cores
    const ms = 1000 * (Math.max(...spans.map((x) => x.end)) - Math.min(...spans.map((x) => x.start)));
    isoMs.push(ms);
    log(`  isolation floor run ${r + 1}: ${(ms / cells).toFixed(2)} ms/cell`);
  }

  // 5. Repository context: a module importing a sibling, by the engine (Python and CommonJS) and per pair.
  const repo = await benchRepo({ nCodes, nTests, workers, repeat, sandbox, python: opts.python, log });

  let mismatches = 0;
  for (let i = 0; i < nCodes; i++)
    for (let j = 0; j < nTests; j++)
      if (!stdoutAgree(engineOut[i][j], pairOut[i][j]) || !stdoutAgree(engineOut[i][j], floorOut[i][j]))
        mismatches++;

  const engineMsPerCell = median(engineMs) / cells;
  const perPairMsPerCell = median(pairMs) / cells;
  const floorMsPerCell = median(floorMs) / cells;
  return {
    engineMsPerCell,
    perPairMsPerCell,
    floorMsPerCell,
    speedupVsPerPair: perPairMsPerCell / engineMsPerCell,
    engineColdMsPerCell: coldMs / cells,
    codes: nCodes,
    tests: nTests,
    workers,
    repeat,
    sandbox,
    mismatches,
    isolationFloorMsPerCell: median(isoMs) / cells,
    engineToIsolationFloor: engineMsPerCell / (median(isoMs) / cells),
    repo,
  };
}

/** The repository-context rows of exec-bench (half the matrix's codes and tests: JavaScript starts a process
 * per test). */
async function benchRepo(o: {
  nCodes: number;
  nTests: number;
  workers: number;
  repeat: number;
  sandbox: SandboxMode;
  python?: string;
  log: (line: string) => void;
}): Promise<ExecBenchResult['repo']> {
  const codes = Math.max(1, Math.ceil(o.nCodes / 2));
  const tests = Math.max(1, Math.ceil(o.nTests / 2));
  const cells = codes * tests;
  const root = mkdtempSync(join(tmpdir(), 'cosplay-bench-repo-'));
  const py = await resolvePython(o.python);
  try {
    chmodSync(root, 0o755); // the sandbox's unprivileged uid reads it
    writeBenchRepo(root);
    const calls = Array.from({ length: tests }, (_, j) => ({ call: `f(${j})` }));
    const pyCodes = Array.from(
      { length: codes },
      (_, i) => `from .helper import base\n\ndef f(x):\n    return base(x) + ${i}\n`,
    );
    const jsCodes = Array.from(
      { length: codes },
      (_, i) =>
        `const { base } = require('./helper');\nfunction f(x) {\n  return base(x) + ${i};\n}\nmodule.exports = { f };\n`,
    );
    const want = (i: number, j: number) => String(2 * j + i);
    let mismatches = 0;
    const check = (m: CellResult[][]) =>
      m.forEach((row, i) =>
        row.forEach((c, j) => {
          if (c.verdict !== 'pass' || !valuesAgree(c.output, `["i","${want(i, j)}"]`, 1e-6)) {
            if (mismatches++ === 0)
              o.log(`  WRONG: code ${i}, test ${j}: ${JSON.stringify(c).slice(0, 300)}`);
          }
        }),
      );
    const executor = await createExecutor({
      sandbox: o.sandbox,
      workers: o.workers,
      python: o.python,
      timeoutMs: 10_000,
    });
    const timed = async (label: string, req: ExecRequest) => {
      const ms: number[] = [];
      for (let r = 0; r <= o.repeat; r++) {
        const t0 = performance.now();
        const m = await executor.run(req);
        const t = performance.now() - t0;
        if (r > 0) ms.push(t); // the first run starts the workers
        if (r === o.repeat) check(m);
        o.log(`  ${label} run ${r === 0 ? '(cold)' : r}: ${(t / cells).toFixed(2)} ms/cell`);
      }
      return median(ms) / cells;
    };
    let engineMsPerCell: number;
    let jsEngineMsPerCell: number;
    try {
      engineMsPerCell = await timed('repo engine (Python)', {
        language: 'python',
        kind: 'function',
        codes: pyCodes,
        tests: calls,
        repo: { root, path: 'pkg/mod.py' },
      });
      jsEngineMsPerCell = await timed('repo engine (CommonJS)', {
        language: 'javascript',
        kind: 'function',
        entryPoint: 'f',
        codes: jsCodes,
        tests: calls,
        repo: { root, path: 'js/mod.js' },
      });
    } finally {
      await executor.close();
    }
    const bw = o.sandbox === 'bwrap' ? await findBwrap() : undefined;
    const args = bw
      ? bwrapArgs(bw, {
          readOnly: py.readOnly,
          asPid1: false,
          tmpMb: 16,
          env: harnessEnv(SANDBOX_WORKDIR),
          repo: repoSnapshot(root),
        })
      : [];
    const pairMs: number[] = [];
    for (let r = 0; r < o.repeat; r++) {
      const jobs = pyCodes.flatMap((code) =>
        calls.map((t) => () => {
          const a = ['-c', REPO_PER_PAIR, bw ? sandboxedPath(root) : root, code, t.call];
          return bw
            ? runProcess(bw.path, [...args, sandboxedPath(py.exe), ...a], '', {})
            : runProcess(py.exe, a, '', harnessEnv(tmpdir()), tmpdir());
        }),
      );
      const t0 = performance.now();
      const res = await pool(o.workers, jobs);
      const ms = performance.now() - t0;
      pairMs.push(ms);
      if (r === o.repeat - 1)
        res.forEach((x, k) => {
          if (x.stdout.trim() !== want(Math.floor(k / tests), k % tests) && mismatches++ === 0)
            o.log(`  WRONG: per pair cell ${k}: ${(x.stdout + x.stderr).slice(0, 300)}`);
        });
      o.log(`  repo per pair run ${r + 1}: ${(ms / cells).toFixed(2)} ms/cell`);
    }
    const perPairMsPerCell = median(pairMs) / cells;
    return {
      codes,
      tests,
      engineMsPerCell,
      jsEngineMsPerCell,
      perPairMsPerCell,
      speedupVsPerPair: perPairMsPerCell / engineMsPerCell,
      mismatches,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
