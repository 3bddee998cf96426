// mode: gate (on pull_request). For each function the pull request adds or changes that has a spec, CoSPlay
// generates candidates and unit tests from the spec alone (the PR's code never reaches a generator prompt)
// and self-plays them; the PR's implementation is then run, as the PR's version of its module in the
// repository's context, on the final unit tests and the fresh inputs, and judged against them. The check fails
// when the PR's function disagrees with a high-support consensus (see src/modes/gate/judge.ts); counterexamples go
// to annotations on the function, one PR comment (updated on re-runs) and the job summary. Fork pull requests
// run with a read-only token: when the comment is refused the job summary is the report.
import type { ModeContext, ModeOutcome, Mode } from '../types.js';
import type { CellResult, Executor, UnitTest } from '../../types.js';
import {
  annotate,
  findMarkedComment,
  getPullRequest,
  upsertIssueComment,
  writeJobSummary,
  type Annotation,
} from '../../github/index.js';
import { promptContext, targetContextFromSource } from '../../repo/index.js';
import { runCosplay, type CosplayResult } from '../../cosplay/index.js';
import { outputsAgree } from '../../exec/index.js';
import type { GatewayLlm } from '../../llm/index.js';
import { functionTask } from '../../taskspec/index.js';
import { paramsFromInputs } from '../params.js';
import { listSymbols } from '../../repo/index.js';
import { classContext, environmentProblem, inRepoContext, loadTarget, symbolRun } from '../repo-context.js';
import { withholdCode } from './guard.js';
import { selectGateTargets, type ChangedSource, type GateTarget } from './targets.js';
import { pullRequestSources } from './files.js';
import { independentRows, inconclusive, judgeGate, type FreshEvidence } from './judge.js';
import {
  GATE_COMMENT_KIND,
  gateAnnotations,
  gateFailed,
  gateHeadline,
  renderGateComment,
  renderGateSummary,
  type GateFunctionReport,
  type GateReport,
} from './render.js';

/** Functions checked per run at most (each one is a CoSPlay run). */
export const GATE_MAX_FUNCTIONS = 6;

/** Side effects of reporting, replaceable in tests. */
export interface GateIo {
  annotate(a: Annotation): void;
  writeSummary(markdown: string): Promise<boolean>;
}

const defaultIo: GateIo = { annotate, writeSummary: (md) => writeJobSummary(md) };

export const runGate: Mode = (ctx) => gate(ctx);

export async function gate(ctx: ModeContext, io: GateIo = defaultIo): Promise<ModeOutcome> {
  if (ctx.eventName === 'pull_request_target') {
    const msg =
      'The gate does not run on pull_request_target: that event runs with secrets and a write token, and checking out the pull request there would run fork code with them. Trigger the gate with `on: pull_request` (fork pull requests then run with a read-only token, and the report goes to the job summary).';
    await io.writeSummary(`## CoSPlay gate: refused\n\n${msg}\n`);
    return { verdict: 'error', outputs: {}, failure: msg };
  }
  const pull = ctx.event?.pull_request as Record<string, any> | undefined;
  if (ctx.eventName !== 'pull_request' || !pull || typeof pull.number !== 'number') {
    const msg = `The gate runs on pull_request events; this run was triggered by ${ctx.eventName || 'an unknown event'}, so there is nothing to check.`;
    ctx.log.info(msg);
    await io.writeSummary(`## CoSPlay gate: skipped\n\n${msg}\n`);
    return { verdict: 'skipped', outputs: {} };
  }
  const started = Date.now();
  const pullNumber = pull.number as number;
  let body = typeof pull.body === 'string' ? pull.body : '';
  let headSha = String(pull.head?.sha ?? '');
  let isFork =
    typeof pull.head?.repo?.full_name === 'string'
      ? pull.head.repo.full_name.toLowerCase() !== `${ctx.repo.owner}/${ctx.repo.repo}`.toLowerCase()
      : pull.head?.repo === null;
  const notes: string[] = [];
  try {
    const info = await getPullRequest(ctx.gh, { ...ctx.repo, pullNumber });
    body = info.body;
    headSha = info.headSha || headSha;
    isFork = info.isFork;
  } catch (err) {
    notes.push(
      `The pull request could not be read from the API (${errorText(err)}); the event's copy was used.`,
    );
  }

  const sources = await pullRequestSources({
    gh: ctx.gh,
    repo: ctx.repo,
    pullNumber,
    workspace: ctx.workspace,
    baseSha: typeof pull.base?.sha === 'string' ? pull.base.sha : null,
  });
  notes.push(...sources.notes);
  const { targets, skipped } = await selectGateTargets(sources.files, body, { limit: GATE_MAX_FUNCTIONS });

  const report: GateReport = {
    pullNumber,
    headSha,
    isFork,
    minSupport: ctx.inputs.gateMinSupport,
    functions: [],
    skipped,
    notes,
    tokens: 0,
    requests: 0,
    wallMs: 0,
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
  };

  Object.assign(report, await checkTargets(ctx, targets, sources.files));
  report.wallMs = Date.now() - started;

  for (const a of gateAnnotations(report)) io.annotate(a);
  const failed = gateFailed(report);

  // One PR comment, updated on re-runs. A passing run only updates a comment an earlier run left (so a fixed
  // PR does not keep showing an old failure) and creates none.
  const target = { ...ctx.repo, issueNumber: pullNumber, kind: GATE_COMMENT_KIND };
  try {
    if (failed) {
      const c = await upsertIssueComment(ctx.gh, { ...target, body: renderGateComment(report) });
      ctx.log.info(`gate: ${c.created ? 'commented' : 'updated the comment'} ${c.url}`);
    } else if (await findMarkedComment(ctx.gh, target)) {
      await upsertIssueComment(ctx.gh, { ...target, body: renderGateComment(report) });
    }
  } catch (err) {
    report.notes.push(
      `The pull request comment could not be written (${errorText(err)})${isFork ? ': expected for a fork pull request, whose token is read-only' : ''}. This summary is the report.`,
    );
    ctx.log.warning(`gate: no PR comment: ${errorText(err)}`);
  }
  await io.writeSummary(renderGateSummary(report));

  const outputs = {
    'gate-checked': String(report.functions.filter((f) => f.judgement).length),
    'gate-disagreements': String(report.functions.filter((f) => f.judgement?.status === 'disagrees').length),
  };
  if (failed)
    return {
      verdict: 'failed',
      outputs,
      failure: gateHeadline(report) + ' (see the annotations and the job summary)',
    };
  return { verdict: 'passed', outputs };
}

/** What checking the targets needs of the mode's context (the local `cosplay gate` builds the same). */
export type GateCheckContext = Pick<
  ModeContext,
  'workspace' | 'inputs' | 'log' | 'createLlm' | 'createExecutor'
>;

/**
 * Runs CoSPlay for each target (at most the budget allows) and judges the head's version against the
 * consensus; `files` give the base versions (for telling environment problems from wrong answers).
 */
export async function checkTargets(
  ctx: GateCheckContext,
  targets: GateTarget[],
  files: ChangedSource[],
): Promise<Pick<GateReport, 'functions' | 'tokens' | 'requests'>> {
  const out: Pick<GateReport, 'functions' | 'tokens' | 'requests'> = {
    functions: [],
    tokens: 0,
    requests: 0,
  };
  if (targets.length === 0) return out;
  const llm = ctx.createLlm();
  let executor: (Executor & { close(): Promise<void> }) | null = null;
  try {
    executor = await ctx.createExecutor();
    for (const target of targets) {
      const budget = llm.budgetStatus();
      if (budget.exhausted) {
        out.functions.push(
          unjudged(target, `the LLM budget is spent (${budget.reason ?? budget.exhausted})`),
        );
        continue;
      }
      ctx.log.info(`gate: checking ${target.fn.name} in ${target.path}`);
      const before = files.find((f) => f.path === target.path)?.before ?? null;
      out.functions.push(await checkFunction(ctx, llm, executor, target, before));
    }
  } finally {
    const usage = llm.usage();
    out.tokens = usage.total.tokens;
    out.requests = usage.total.requests;
    await llm.close().catch(() => {});
    if (executor) await executor.close().catch(() => {});
  }
  return out;
}

/** Where the function is and how the pull request changed it: the head of its report. */
function functionReport(target: GateTarget, judgement: GateFunctionReport['judgement']): GateFunctionReport {
  return {
    path: target.path,
    name: target.fn.name,
    startLine: target.fn.startLine,
    endLine: target.fn.endLine,
    change: target.fn.change,
    specSource: target.specSource,
    judgement,
  };
}

/** A function the gate could not judge, with the reason. */
function unjudged(target: GateTarget, note: string): GateFunctionReport {
  return { ...functionReport(target, null), note };
}

async function checkFunction(
  ctx: GateCheckContext,
  llm: GatewayLlm,
  sandbox: Executor,
  target: GateTarget,
  before: string | null,
): Promise<GateFunctionReport> {
  // Every candidate, and the PR's own function (the seed), runs as the PR's version of the file's module,
  // inside a read-only snapshot of the checkout: its imports, siblings and installed packages are the real ones.
  // A method's candidates replace it in its class; the tests construct the class.
  const symbol = target.symbol;
  if (symbol.decorators?.some((d) => /^property$|\.(setter|getter|deleter)$/.test(d)))
    return unjudged(target, 'a property is not a call the tests can make: not checked');
  const sym = symbolRun(
    { root: ctx.workspace, path: target.path, language: target.language, base: target.source },
    symbol,
  );
  const repoTarget = sym.target;
  const loaded = await loadTarget(sandbox, repoTarget, sym.probe);
  if (!loaded.loads)
    return functionReport(
      target,
      inconclusive(
        `the PR's version of ${target.path} does not load in the sandbox (${loaded.reason}), so nothing was run. Install the repository's dependencies in the workflow before this action (see docs/gate-and-repair.md).`,
      ),
    );
  const executor = inRepoContext(sandbox, repoTarget, sym.place);
  const seed = symbol.text;
  // The prompt context is the file's imports and other names, never the function's body.
  const context = [
    promptContext(targetContextFromSource(target.path, target.source, target.language, symbol.name), {
      includeCurrent: false,
    }),
    await classContext(target.source, target.language, target.path, symbol),
  ]
    .filter(Boolean)
    .join('\n\n');
  const task = functionTask({
    id: `gate:${target.path}#${symbol.name}`,
    language: target.language,
    fn: sym.fn,
    description: target.description,
    context,
    ...(sym.className ? { className: sym.className } : {}),
  });
  // The self-play runs on independent candidates only: the PR's function does not vote in it (a unit test
  // that only the PR's code fails would otherwise be the "spuriously coupled" one and be regenerated away).
  // It is judged afterwards on the final unit tests and the stage-3 inputs. Its code never reaches the model:
  // a request that would show it is answered locally with nothing.
  const params = paramsFromInputs(ctx.inputs);
  const guarded = withholdCode(llm, [seed]);
  let result: CosplayResult;
  try {
    result = await runCosplay({ task, llm: guarded, executor, params });
  } catch (err) {
    return unjudged(target, `the CoSPlay run failed: ${errorText(err)}`);
  }
  const run = (codes: string[], tests: UnitTest[]): Promise<CellResult[][]> =>
    codes.length === 0 || tests.length === 0
      ? Promise.resolve(codes.map(() => []))
      : executor.run({
          language: task.language,
          kind: 'function',
          entryPoint: task.entryPoint,
          codes,
          tests,
          ...(result.params.timeoutMs ? { timeoutMs: result.params.timeoutMs } : {}),
        });

  // The PR's own implementation on every valid UT (its row may have been replaced by code fixing).
  const validCols = result.utPool.flatMap((u, j) => (u.valid ? [j] : []));
  const seedCells =
    (
      await run(
        [seed],
        validCols.map((j) => result.utPool[j]!.test),
      )
    )[0] ?? [];
  const seedOnUts: Array<CellResult | null> = result.utPool.map(() => null);
  validCols.forEach((j, k) => (seedOnUts[j] = seedCells[k] ?? null));

  // No false blocks: an error the environment causes (a module the runner lacks, a name or import that the
  // base version of the function lacks too) is not a counterexample. Those tests are left out of the verdict.
  const environmental = await environmentalErrors(run, seedOnUts, result, target, before);

  // The winning output cluster on the stage-3 inputs (independent members only).
  let fresh: FreshEvidence | undefined;
  const chosen = result.selected
    ? result.clusters.find((c) => c.members.includes(result.selected!.index))
    : undefined;
  if (chosen && result.stage3Inputs.length > 0) {
    const independent = new Set(independentRows(result.codePool));
    // The members' outputs come from stage 3 (rows follow bonTied); only the PR's code runs here.
    const rowOf = (i: number) => result.stage3Outputs[result.bonTied.indexOf(i)];
    const members = chosen.members.filter((i) => independent.has(i) && rowOf(i) !== undefined);
    if (members.length > 0) {
      const [seedCells] = await run(
        [seed],
        result.stage3Inputs.map((call) => ({ call })),
      );
      fresh = {
        inputs: result.stage3Inputs,
        seed: seedCells!,
        reference: members.map((index) => ({ index, cells: rowOf(index)! })),
      };
    }
  }
  const judgement = judgeGate({
    task,
    result,
    seedOnUts: seedOnUts.map((c, j) => (environmental.has(j) ? null : c)),
    ...(fresh ? { fresh } : {}),
    minSupport: ctx.inputs.gateMinSupport,
    agree: (a, b) => outputsAgree(a, b, 'function'),
  });
  const report: GateFunctionReport = {
    ...functionReport(target, judgement),
    facts: {
      codes: result.codePool.length,
      tests: result.utPool.filter((u) => u.valid).length,
      rounds: result.rounds.length,
      stopReason: result.stopReason,
      degraded: result.degraded,
    },
  };
  if (environmental.size > 0)
    report.note = `${environmental.size} unit test${environmental.size === 1 ? ' was' : 's were'} left out: the PR's function fails ${environmental.size === 1 ? 'it' : 'them'} on an import or a name that the base version lacks as well (an environment problem, not a wrong answer).`;
  const withheld = Object.entries(guarded.withheld);
  if (withheld.length > 0)
    report.note = `${report.note ? report.note + ' ' : ''}Requests not sent because they would have shown this PR's code to the model: ${withheld.map(([k, n]) => `${n} × ${k}`).join(', ')}.`;
  return report;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The UT columns on which the PR's function errors because of its environment: an import that fails, or an
 * error that the base version of the function (placed in the same file) shows on the same test too.
 */
async function environmentalErrors(
  run: (codes: string[], tests: UnitTest[]) => Promise<CellResult[][]>,
  seedOnUts: Array<CellResult | null>,
  result: CosplayResult,
  target: GateTarget,
  before: string | null,
): Promise<Set<number>> {
  const out = new Set<number>();
  const errors = seedOnUts.flatMap((c, j) => (c && c.verdict === 'error' ? [j] : []));
  if (errors.length === 0) return out;
  const baseFn =
    target.symbol.change === 'modified' && before !== null
      ? (await listSymbols(before, target.language, { path: target.path }).catch(() => [])).find(
          (f) => f.name === target.symbol.name,
        )
      : undefined;
  let baseCells: CellResult[] = [];
  if (baseFn)
    baseCells =
      (
        await run(
          [baseFn.text],
          errors.map((j) => result.utPool[j]!.test),
        )
      )[0] ?? [];
  errors.forEach((j, k) => {
    if (environmentProblem(seedOnUts[j]!, baseCells[k])) out.add(j);
  });
  return out;
}
