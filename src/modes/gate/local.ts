// The gate on a developer's machine (`cosplay gate --repo DIR --base REF` / `--all`): the functions and methods
// changed between REF and the working tree (or, with --all, every documented one) are checked exactly as on a
// pull request, in the repository as it is on disk with its installed dependencies. The report is the job
// summary's markdown; nothing is posted anywhere.
import { git, headSha } from '../../github/index.js';
import { UserError } from '../../types.js';
import { checkTargets, GATE_MAX_FUNCTIONS, type GateCheckContext } from './mode.js';
import { localSources } from './files.js';
import { gateFailed, renderGateSummary, type GateReport } from './render.js';
import { selectGateTargets } from './targets.js';

export interface LocalGateOptions {
  /** The base to compare with (a commit, branch or tag); unused with `all`. */
  base: string | null;
  /** The head to check: must be the checked-out commit (the working tree is what runs). */
  head?: string;
  /** Every documented function and method counts as changed. */
  all: boolean;
  /** Functions checked at most (default GATE_MAX_FUNCTIONS). */
  limit?: number;
}

export interface LocalGateResult {
  report: GateReport;
  failed: boolean;
  markdown: string;
}

async function resolveCommit(ws: string, ref: string, flag: string): Promise<string> {
  const r = await git(ws, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okCodes: [1, 128] });
  if (r.exitCode !== 0 || !r.stdout.trim())
    throw new UserError(`${flag} ${ref} is not a commit of ${ws} (fetch it, or name a branch, tag or sha)`);
  return r.stdout.trim();
}

export async function localGate(ctx: GateCheckContext, options: LocalGateOptions): Promise<LocalGateResult> {
  const ws = ctx.workspace;
  const started = Date.now();
  const inside = await git(ws, ['rev-parse', '--is-inside-work-tree'], { okCodes: [128] });
  if (inside.exitCode !== 0) throw new UserError(`${ws} is not a git repository: the gate compares commits`);
  if (!options.all && !options.base)
    throw new UserError('name the base to compare with (--base REF), or check every function with --all');
  const head = await headSha(ws);
  if (options.head && (await resolveCommit(ws, options.head, '--head')) !== head)
    throw new UserError(
      `--head ${options.head} is not the checked-out commit: check it out first (git checkout ${options.head}); the gate runs the repository as it is on disk, with its installed dependencies`,
    );
  const base = options.base && !options.all ? await resolveCommit(ws, options.base, '--base') : null;
  const sources = await localSources({ workspace: ws, base, all: options.all });
  const { targets, skipped } = await selectGateTargets(sources.files, '', {
    limit: options.limit ?? GATE_MAX_FUNCTIONS,
  });
  const checked = await checkTargets(ctx, targets, sources.files);
  const report: GateReport = {
    pullNumber: 0,
    headSha: head,
    isFork: false,
    minSupport: ctx.inputs.gateMinSupport,
    skipped,
    notes: sources.notes,
    ...checked,
    wallMs: Date.now() - started,
  };
  return { report, failed: gateFailed(report), markdown: renderGateSummary(report) };
}
