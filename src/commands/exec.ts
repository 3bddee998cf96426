// `cosplay exec REQUEST.json [--json FILE]`: run one Code x UT matrix in the sandbox.
// REQUEST = {"language", "kind", "entryPoint"?, "codes": [...], "tests": [...], "timeoutMs"?}
// Output: {"verdicts": [[...]], "outputs": [[...]], "errors": [[...]]}, row i = code i.
import { Command, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import type { CellResult, ExecRequest, Verdict } from '../types.js';
import { UserError } from '../types.js';
import { positiveInt } from './options.js';
import { createExecutor, type SandboxMode } from '../exec/index.js';

export interface ExecCommandOptions {
  json?: string;
  sandbox?: SandboxMode;
  workers?: number;
  timeoutMs?: number;
  memoryMb?: number;
  /** Where the human summary goes (default stdout). */
  log?: (line: string) => void;
}

export interface ExecOutput {
  verdicts: Verdict[][];
  outputs: string[][];
  errors: string[][];
}

const LETTER: Record<Verdict, string> = {
  pass: 'P',
  fail: 'F',
  error: 'E',
  timeout: 'T',
  memory: 'M',
  output_limit: 'O',
};

export async function readRequest(file: string): Promise<ExecRequest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as ExecRequest;
  } catch (err) {
    throw new UserError(`${file} is not valid JSON (${(err as Error).message})`);
  }
}

export function toOutput(matrix: CellResult[][]): ExecOutput {
  return {
    verdicts: matrix.map((row) => row.map((c) => c.verdict)),
    outputs: matrix.map((row) => row.map((c) => c.output)),
    errors: matrix.map((row) => row.map((c) => c.error ?? '')),
  };
}

/** The matrix as letters (P pass, F fail, E error, T timeout, M memory, O output limit), one row per code. */
export function formatMatrix(verdicts: Verdict[][]): string[] {
  return verdicts.map((row, i) => {
    const passes = row.filter((v) => v === 'pass').length;
    return `code ${String(i).padStart(2)}  ${row.map((v) => LETTER[v]).join('')}  pCode=${passes}`;
  });
}

export async function runExec(file: string, opts: ExecCommandOptions = {}): Promise<ExecOutput> {
  const request = await readRequest(file);
  const executor = await createExecutor({
    sandbox: opts.sandbox ?? 'bwrap',
    workers: opts.workers,
    timeoutMs: opts.timeoutMs,
    memoryMb: opts.memoryMb,
  });
  let out: ExecOutput;
  try {
    out = toOutput(await executor.run(request));
  } finally {
    await executor.close();
  }
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  if (opts.json) {
    await writeFile(opts.json, JSON.stringify(out) + '\n');
    for (const line of formatMatrix(out.verdicts)) log(line);
    log(`wrote ${opts.json}`);
  } else {
    log(JSON.stringify(out));
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('exec')
    .description('run one Code x UT matrix in the sandbox and print verdicts and outputs')
    .argument(
      '<request>',
      'REQUEST.json: {"language","kind","entryPoint"?,"codes":[...],"tests":[...],"timeoutMs"?}',
    )
    .option('--json <file>', 'write {"verdicts","outputs","errors"} to FILE (and print a summary)')
    .addOption(
      new Option('--sandbox <mode>', 'bwrap (default), or none to run WITHOUT isolation').choices([
        'bwrap',
        'none',
      ]),
    )
    .option('--workers <n>', 'sandboxed workers at once (default: one per core)', positiveInt('--workers'))
    .option(
      '--timeout-ms <ms>',
      'default time limit per cell (Python: time not spent waiting for a CPU)',
      positiveInt('--timeout-ms'),
    )
    .option('--memory-mb <mb>', 'memory limit per test process', positiveInt('--memory-mb'))
    .action(async (request: string, o: ExecCommandOptions) => {
      await runExec(request, o);
    });
}
