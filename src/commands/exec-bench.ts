// `cosplay exec-bench [--json FILE]`: the engine against sandboxed process-per-pair spawning and the unsandboxed
// floor, side by side on a matrix of small Python stdio programs.
import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { positiveInt } from './options.js';
import { runExecBench, type ExecBenchResult } from '../exec/bench.js';
import type { SandboxMode } from '../exec/index.js';

export interface ExecBenchCommandOptions {
  json?: string;
  codes?: number;
  tests?: number;
  workers?: number;
  repeat?: number;
  sandbox?: SandboxMode;
  log?: (line: string) => void;
}

export function formatBench(r: ExecBenchResult): string[] {
  const f = (x: number) => x.toFixed(x < 1 ? 3 : 2).padStart(8);
  return [
    `exec-bench: ${r.codes} codes x ${r.tests} tests of Python stdio programs, ${r.workers} workers, ` +
      `sandbox ${r.sandbox}, median of ${r.repeat}`,
    `  engine    ${f(r.engineMsPerCell)} ms/cell   (warm; cold start ${r.engineColdMsPerCell.toFixed(2)} ms/cell)` +
      '  fresh process per test',
    `  per pair  ${f(r.perPairMsPerCell)} ms/cell   one ${r.sandbox === 'bwrap' ? 'bwrap + ' : ''}python per cell`,
    `  floor     ${f(r.floorMsPerCell)} ms/cell   same programs, one unsandboxed process, no isolation`,
    `  isolation ${f(r.isolationFloorMsPerCell)} ms/cell   one bare fork()+waitpid() per cell from a Python with the harness's modules`,
    `  engine is ${r.speedupVsPerPair.toFixed(1)}x faster than per pair, ` +
      `${r.engineToIsolationFloor.toFixed(2)}x the isolation floor and ` +
      `${(r.engineMsPerCell / r.floorMsPerCell).toFixed(1)}x slower than the floor` +
      (r.mismatches ? `; WARNING: ${r.mismatches} cells differ between methods` : '; all outputs agree'),
    `repository context (${r.repo.codes} codes x ${r.repo.tests} tests, a module importing a sibling module):`,
    `  engine, Python package     ${f(r.repo.engineMsPerCell)} ms/cell   fresh process per test`,
    `  engine, CommonJS package   ${f(r.repo.jsEngineMsPerCell)} ms/cell   one Node process per test`,
    `  per pair, Python package   ${f(r.repo.perPairMsPerCell)} ms/cell   one ${r.sandbox === 'bwrap' ? 'bwrap + ' : ''}python per cell`,
    `  engine (Python) is ${r.repo.speedupVsPerPair.toFixed(1)}x faster than per pair` +
      (r.repo.mismatches ? `; WARNING: ${r.repo.mismatches} cells are wrong` : '; every value is right'),
  ];
}

export async function runExecBenchCommand(o: ExecBenchCommandOptions = {}): Promise<ExecBenchResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const r = await runExecBench(
    { codes: o.codes, tests: o.tests, workers: o.workers, repeat: o.repeat, sandbox: o.sandbox ?? 'bwrap' },
    log,
  );
  for (const line of formatBench(r)) log(line);
  if (o.json) {
    await writeFile(o.json, JSON.stringify(r, null, 2) + '\n');
    log(`wrote ${o.json}`);
  }
  return r;
}

export function register(program: Command): void {
  program
    .command('exec-bench')
    .description('time the sandboxed engine against one sandboxed process per cell and the unsandboxed floor')
    .option(
      '--json <file>',
      'write {"engineMsPerCell","perPairMsPerCell","floorMsPerCell","speedupVsPerPair",' +
        '"isolationFloorMsPerCell","engineToIsolationFloor","repo":{...},...}',
    )
    .option('--codes <n>', 'codes in the matrix (default 16)', positiveInt('--codes'))
    .option('--tests <n>', 'tests in the matrix (default 16)', positiveInt('--tests'))
    .option(
      '--workers <n>',
      'parallel workers for both methods (default: one per core)',
      positiveInt('--workers'),
    )
    .option('--repeat <n>', 'timed runs per method, median reported (default 3)', positiveInt('--repeat'))
    .addOption(
      new Option('--sandbox <mode>', 'bwrap (default), or none to compare unsandboxed processes').choices([
        'bwrap',
        'none',
      ]),
    )
    .action(async (o: ExecBenchCommandOptions) => {
      await runExecBenchCommand(o);
    });
}
