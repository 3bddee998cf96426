// `cosplay gate --repo DIR --all --dry-run [--json FILE]`: the adoption preflight. Lists every documented
// function and method the gate would check in DIR (or, with --base REF [--head REF], those a change adds or
// modifies), loads each module once in the sandbox the way the gate runs it, and reports which resolve. Calls no
// LLM; exits 0 whatever the share (the gate itself runs in the action, `mode: gate`).
// JSON: {"targets": [{"path", "name", "kind", "language", "loads", "reason"?}]}.
import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../types.js';
import { createExecutor, type SandboxMode } from '../exec/index.js';
import { runPreflight, summarisePreflight, type PreflightResult } from '../modes/gate/preflight.js';
import { positiveInt } from './options.js';

export interface GateCommandOptions {
  repo?: string;
  all?: boolean;
  dryRun?: boolean;
  base?: string;
  head?: string;
  json?: string;
  sandbox?: SandboxMode;
  python?: string;
  workers?: number;
  timeoutMs?: number;
  /** Where the human summary goes (default stdout). */
  log?: (line: string) => void;
}

export async function runGateCommand(opts: GateCommandOptions): Promise<PreflightResult> {
  if (!opts.dryRun)
    throw new UserError(
      'cosplay gate runs only as --dry-run from the command line (the gate itself runs in the action with `mode: gate`)',
    );
  if (!opts.all && !opts.base)
    throw new UserError('say which functions: --all, or --base REF for the changed ones');
  if (opts.all && opts.base) throw new UserError('--all and --base exclude each other');
  if (opts.head && !opts.base) throw new UserError('--head needs --base');
  const root = path.resolve(opts.repo ?? '.');
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UserError(`--repo ${opts.repo ?? '.'} is not a directory`);
  const started = Date.now();
  const executor = await createExecutor({
    sandbox: opts.sandbox ?? 'bwrap',
    workers: opts.workers,
    python: opts.python,
  });
  let result: PreflightResult;
  try {
    result = await runPreflight({
      root,
      executor,
      base: opts.base,
      head: opts.head,
      python: opts.python,
      timeoutMs: opts.timeoutMs,
    });
  } finally {
    await executor.close();
  }
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  for (const line of summarisePreflight(result)) log(line);
  log(`(${((Date.now() - started) / 1000).toFixed(1)} s, no LLM called)`);
  if (opts.json) {
    await writeFile(opts.json, JSON.stringify({ targets: result.targets }, null, 2) + '\n');
    log(`wrote ${opts.json}`);
  }
  return result;
}

export function register(program: Command): void {
  program
    .command('gate')
    .description(
      'adoption preflight: list the documented functions and methods the gate would check and whether their modules load (no LLM)',
    )
    .option('--repo <dir>', 'the repository (default: the current directory)')
    .option('--all', 'every documented function and method, not only changed ones')
    .option('--base <ref>', 'only functions changed since REF (git diff REF [HEAD])')
    .option('--head <ref>', 'with --base: the changed side (default: the working tree)')
    .option('--dry-run', 'list and load only (required: the gate itself runs in the action)')
    .option('--json <file>', 'write {"targets": [...]} to FILE')
    .addOption(
      new Option('--sandbox <mode>', 'bwrap (default), or none to load modules WITHOUT isolation').choices([
        'bwrap',
        'none',
      ]),
    )
    .option('--python <path>', 'the Python interpreter (default $COSPLAY_PYTHON or python3)')
    .option('--workers <n>', 'sandboxed workers at once (default: one per core)', positiveInt('--workers'))
    .option('--timeout-ms <ms>', 'limit for loading one module (default 20000)', positiveInt('--timeout-ms'))
    .action(async (o: GateCommandOptions) => {
      await runGateCommand(o);
    });
}
