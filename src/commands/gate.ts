// `cosplay gate --repo DIR --base REF [--head REF] [--all] [--json FILE]`: the merge gate on this machine,
// against any OpenAI-compatible endpoint. The changed functions and methods (or every documented one with
// --all) are checked as on a pull request; the report is the job summary's markdown. Exit status 1 when the
// gate would block, 0 otherwise.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { localGate } from '../modes/gate/local.js';
import { UserError } from '../types.js';
import { localRun, localRunOptions, type LocalRunFlags, type LocalRunIo } from './local-run.js';

export interface GateCommandOptions extends LocalRunFlags {
  base?: string;
  head?: string;
  all?: boolean;
  json?: string;
  minSupport?: string;
  limit?: string;
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
      .option('--json <file>', 'write the report as JSON'),
  ).action(async (opts: GateCommandOptions) => {
    const r = await runGateCommand(opts);
    if (r.failed) process.exitCode = 1;
  });
}
