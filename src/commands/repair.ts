// `cosplay repair --repo DIR --test-command CMD [--write] [--json FILE]`: the nightly repair on this machine,
// against any OpenAI-compatible endpoint. The test command runs (confined as in the action), the functions
// behind failing tests get CoSPlay runs seeded with their current code, and each pick is verified with the
// whole suite. The report is the job summary's markdown; `--write` leaves the verified repairs in the files
// (otherwise the checkout is left as it was). Exit status 0 when something was repaired or nothing failed.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findRepairs, writeRepair } from '../modes/repair/mode.js';
import { renderRepairSummary, type RepairOutcome } from '../modes/repair/render.js';
import { localRun, localRunOptions, type LocalRunFlags, type LocalRunIo } from './local-run.js';

export interface RepairCommandOptions extends LocalRunFlags {
  testCommand?: string;
  write?: boolean;
  json?: string;
}

export async function runRepairCommand(opts: RepairCommandOptions, io: LocalRunIo = {}) {
  const run = await localRun('repair', opts, { 'test-command': opts.testCommand ?? '' }, io);
  let markdown = '';
  const written: string[] = [];
  const { outcome, report } = await findRepairs(
    {
      workspace: run.root,
      inputs: run.inputs,
      log: run.log,
      createLlm: run.createLlm,
      createExecutor: run.createExecutor,
    },
    {
      writeSummary: async (md) => {
        markdown = md;
        return true;
      },
    },
    async (rep, repaired: RepairOutcome[]) => {
      if (!opts.write) {
        rep.notes.push(
          'The repairs were verified and left out of the files: run again with --write to keep them.',
        );
        return;
      }
      for (const o of repaired) {
        await writeRepair(run.root, o);
        written.push(o.target.path);
      }
      if (repaired.length > 1)
        rep.notes.push('Each repair was verified on its own; run the tests again to check them together.');
    },
  );
  if (report) markdown = renderRepairSummary(report);
  if (markdown) run.out(markdown);
  const json = {
    verdict: outcome.verdict,
    failure: outcome.failure ?? null,
    baseline: report ? { total: report.baseline.total, failing: report.baseline.failing } : null,
    functions: (report?.outcomes ?? []).map((o) => ({
      path: o.target.path,
      name: o.target.name,
      status: o.status,
      reason: o.reason ?? null,
      failingTests: o.failures.map((f) => f.case.id),
      before: o.before ?? null,
      after: o.after ?? null,
    })),
    written: [...new Set(written)].map((p) => path.join(opts.repo ?? '.', p)),
    notes: report?.notes ?? [],
    tokens: report?.tokens ?? 0,
    requests: report?.requests ?? 0,
    wallMs: report?.wallMs ?? 0,
  };
  if (opts.json) await writeFile(opts.json, JSON.stringify(json, null, 2) + '\n');
  return { outcome, report, json };
}

export function register(program: Command): void {
  localRunOptions(
    program
      .command('repair')
      .description(
        "run the repository's tests, and repair the functions behind failing tests with CoSPlay (each repair verified with the whole suite)",
      )
      .option('--repo <dir>', 'the repository (a git checkout with its dependencies installed)', '.')
      .option(
        '--test-command <cmd>',
        'the command that runs the tests and writes JUnit XML into $COSPLAY_REPORT_DIR, e.g. python -m pytest --junitxml="$COSPLAY_REPORT_DIR/junit.xml"',
      )
      .option('--write', 'keep the verified repairs in the files')
      .option('--json <file>', 'write the report as JSON'),
  ).action(async (opts: RepairCommandOptions) => {
    const r = await runRepairCommand(opts);
    if (r.outcome.failure || r.outcome.verdict === 'no-pick') process.exitCode = 1;
  });
}
