// exec-bench: the engine against one sandboxed process per (code, test), and against the floor (the same
// programs unsandboxed, in one process), side by side on the same matrix of small Python stdio programs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StdioTest } from '../types.js';
import { stdoutAgree } from './compare.js';
import { createExecutor } from './engine.js';
import { resolvePython } from './runtime.js';
import {
  bwrapArgs,
  findBwrap,
  harnessEnv,
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
  };
}
