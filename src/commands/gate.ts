// `cosplay gate --repo DIR --base REF [--head REF] [--all] [--json FILE]`: the merge gate on this machine,
// against any OpenAI-compatible endpoint. The changed functions and methods (or every documented one with
// --all) are checked as on a pull request; the report is the job summary's markdown. Exit status 1 when the
// gate would block, 0 otherwise.
//
// With --dry-run, the adoption preflight instead: no LLM; every documented function and method the gate would
// check (or the changed ones, with --base), each module loaded once in the sandbox in repository context, and
// whether each target resolves there. JSON: {"targets": [{"path", "name", "kind", "language", "loads",
// "reason"?}]}; exit status 0 whatever the share.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createExecutor, type SandboxMode } from '../exec/index.js';
import { localGate } from '../modes/gate/local.js';
import { runPreflight, summarisePreflight, type PreflightResult } from '../modes/gate/preflight.js';
import { UserError } from '../types.js';
import { localRun, localRunOptions, type LocalRunFlags, type LocalRunIo } from './local-run.js';
import { positiveInt } from './options.js';

export interface GateCommandOptions extends LocalRunFlags {
  base?: string;
  head?: string;
  all?: boolean;
  json?: string;
  minSupport?: string;
  limit?: string;
  dryRun?: boolean;
  python?: string;
  workers?: number;
  timeoutMs?: number;
}

/**
 * The dry run (see the file comment). `--all` lists every documented function and method; else `--base REF`
 * (and `--head REF`, default the working tree) the changed ones.
 */
export async function runGateDryRun(
  opts: GateCommandOptions,
  log: (line: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<PreflightResult> {
  if (!opts.all && !opts.base)
    throw new UserError('say which functions: --all, or --base REF for the changed ones');
  if (opts.head && !opts.base) throw new UserError('--head needs --base');
  const sandbox = opts.sandbox ?? 'bwrap';
  if (sandbox !== 'bwrap' && sandbox !== 'none')
    throw new UserError(`--sandbox must be bwrap or none, not ${JSON.stringify(sandbox)}`);
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
    sandbox: sandbox as SandboxMode,
    workers: opts.workers,
    python: opts.python,
  });
  let result: PreflightResult;
  try {
    result = await runPreflight({
      root,
      executor,
      ...(opts.all ? {} : { base: opts.base, head: opts.head }),
      python: opts.python,
      timeoutMs: opts.timeoutMs,
    });
  } finally {
    await executor.close();
  }
  for (const line of summarisePreflight(result)) log(line);
  log(`(${((Date.now() - started) / 1000).toFixed(1)} s, no LLM called)`);
  if (opts.json) {
    await writeFile(opts.json, JSON.stringify({ targets: result.targets }, null, 2) + '\n');
    log(`wrote ${opts.json}`);
  }
  return result;
}

export async function runGateCommand(opts: GateCommandOptions, io: LocalRunIo = {}) {
  const run = await localRun(
    'gate',
    opts,
    opts.minSupport ? { 'gate-min-support': opts.minSupport } : {},
    io,
  );
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new (await import('../types.js')).UserError(
      `--limit must be a positive whole number, not ${opts.limit}`,
    );
  const result = await localGate(
    {
      workspace: run.root,
      inputs: run.inputs,
      log: run.log,
      createLlm: run.createLlm,
      createExecutor: run.createExecutor,
    },
    {
      base: opts.base ?? null,
      all: !!opts.all,
      ...(opts.head ? { head: opts.head } : {}),
      ...(limit ? { limit } : {}),
    },
  );
  run.out(result.markdown);
  const { report } = result;
  const json = {
    verdict: result.failed ? 'failed' : 'passed',
    head: report.headSha,
    functions: report.functions.map((f) => ({
      path: f.path,
      name: f.name,
      startLine: f.startLine,
      endLine: f.endLine,
      change: f.change,
      status: f.judgement?.status ?? 'skipped',
      reason: f.judgement?.reason ?? f.note ?? null,
      counterexamples: f.judgement?.counterexamples ?? [],
    })),
    skipped: report.skipped,
    notes: report.notes,
    tokens: report.tokens,
    requests: report.requests,
    wallMs: report.wallMs,
  };
  if (opts.json) await writeFile(opts.json, JSON.stringify(json, null, 2) + '\n');
  return { ...result, json };
}

export function register(program: Command): void {
  localRunOptions(
    program
      .command('gate')
      .description(
        'check the functions and methods changed since a base commit (or every documented one) against the consensus of independently generated candidates and tests',
      )
      .option('--repo <dir>', 'the repository (a git checkout with its dependencies installed)', '.')
      .option('--base <ref>', 'compare the working tree with this commit, branch or tag')
      .option('--head <ref>', 'the commit to check: must be the checked-out one (default: the working tree)')
      .option('--all', 'treat every documented function and method as changed')
      .option('--limit <n>', 'functions checked at most (each is one CoSPlay run)')
      .option(
        '--min-support <fraction>',
        'share of independent candidates a consensus needs to block (default 0.75)',
      )
      .option('--json <file>', 'write the report as JSON')
      .option(
        '--dry-run',
        'no LLM: list the documented functions and methods the gate would check and whether their modules load in the sandbox',
      )
      .option(
        '--python <path>',
        'with --dry-run: the Python interpreter (default $COSPLAY_PYTHON or python3)',
      )
      .option(
        '--workers <n>',
        'with --dry-run: sandboxed workers at once (default: one per core)',
        positiveInt('--workers'),
      )
      .option(
        '--timeout-ms <ms>',
        'with --dry-run: limit for loading one module (default 20000)',
        positiveInt('--timeout-ms'),
      ),
  ).action(async (opts: GateCommandOptions) => {
    if (opts.dryRun) {
      await runGateDryRun(opts);
      return;
    }
    const r = await runGateCommand(opts);
    if (r.failed) process.exitCode = 1;
  });
}
