// solve: an issue (or a pull request) labeled with the trigger label becomes code plus tests.
// The spec comes from the body (sanitised); CoSPlay runs in the sandbox; the selected code goes into the
// target file and the surviving high-support unit tests into a test file of the repository's framework; the
// branch `cosplay/issue-N` is pushed and a draft pull request opened or updated; the issue gets a comment with
// the link and a short verdict; the job summary shows the same. Every failure ends with a comment that says
// what happened and what to change. `produceSolution` is the part without GitHub, shared with `cosplay solve`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCosplay, type CosplayParams, type CosplayResult } from '../../cosplay/index.js';
import { inRepoContext, methodPlacer } from '../repo-context.js';
import type { GatewayLlm } from '../../llm/index.js';
import {
  branchForIssue,
  commitFiles,
  configureIdentity,
  cosplayBranch,
  currentBranch,
  fetchBranch,
  findMarkedComment,
  getIssue,
  getPullRequest,
  getRepository,
  headSha,
  pushBranch,
  repoRoot,
  resetBranch,
  upsertIssueComment,
  upsertPullRequest,
  writeJobSummary,
  type PullRequestInfo,
} from '../../github/index.js';
import {
  pullRequestTitle,
  renderFailureComment,
  renderIssueComment,
  renderJobSummary,
  renderPullRequestBody,
  renderTestFile,
  SOLVE_COMMENT_KIND,
  type ReportContext,
} from '../../render/index.js';
import {
  chooseTestPath,
  detectTestFramework,
  promptContext,
  readTargetContext,
  resolveInsideRepo,
  UnsafePathError,
  writeSelectedCode,
  type FrameworkChoice,
} from '../../repo/index.js';
import {
  parseTaskSpec,
  renderSpecProblemsComment,
  SPEC_COMMENT_KIND,
  specToTask,
  type TaskSpec,
} from '../../taskspec/index.js';
import {
  BudgetExceededError,
  LlmUnavailableError,
  UserError,
  type Executor,
  type Llm,
  type Task,
} from '../../types.js';
import { paramsFromInputs } from '../params.js';
import {
  explainFailure,
  failureMessage,
  passCountOutput,
  reportFromResult,
  type SolveReport,
} from './report.js';
import { appendTrace, resultTraceEvent } from './trace.js';
import type { ActionInputs, Mode, ModeContext, ModeLog, ModeOutcome } from '../types.js';

// ---------------------------------------------------------------------------------------------------------
// The solution, without GitHub

export interface SolutionOptions {
  spec: TaskSpec;
  /** Repository root the files are written into. */
  root: string;
  /** Task id for prompts and the trace (x-cosplay-task), e.g. `owner/repo#12`. */
  taskId: string;
  /** The LLM; a GatewayLlm's usage() makes the report count every HTTP attempt. */
  llm: Llm & { usage?: GatewayLlm['usage'] };
  executor: Executor;
  params: Partial<CosplayParams>;
  testFramework?: ActionInputs['testFramework'];
  allowedPaths?: string[];
  log?: ModeLog;
}

export interface Solution {
  task: Task;
  result: CosplayResult;
  solve: SolveReport;
  framework: FrameworkChoice;
  targetPath: string;
  /** The test file, when one was written. */
  testPath?: string;
  /** Repository-relative paths written (code, then tests); empty when nothing was selected. */
  files: string[];
  /** For reviewers: how the code was placed, what was left out, why the run is weaker than asked. */
  notes: string[];
}

const quiet: ModeLog = { info() {}, warning() {}, error() {} };

/**
 * Reads the target's context, runs CoSPlay (the spec's examples are trusted tests: every pick passes them) and
 * writes the selected code and the kept tests into `root`. Writes nothing when no code was selected.
 */
export async function produceSolution(o: SolutionOptions): Promise<Solution> {
  const log = o.log ?? quiet;
  const { spec } = o;
  const policy = { allowedPaths: o.allowedPaths };
  // Everything that can be refused is checked before the LLM spends anything.
  const framework = await detectTestFramework(o.root, spec.language, o.testFramework ?? 'auto');
  const target = await readTargetContext(o.root, spec.target, {
    ...policy,
    language: spec.language,
    entryPoint: spec.entryPoint,
  });
  const notes: string[] = [];
  let testLoc: Awaited<ReturnType<typeof chooseTestPath>> | null = null;
  try {
    testLoc = await chooseTestPath(o.root, {
      ...policy,
      framework: framework.framework,
      target: spec.target,
    });
  } catch (err) {
    if (!(err instanceof UnsafePathError)) throw err;
    notes.push(`No test file was written: ${err.message}.`);
  }
  const task = specToTask(spec, { id: o.taskId, context: promptContext(target) });
  log.info(
    `cosplay: ${task.id}: ${spec.language} ${spec.kind}${task.entryPoint ? ` ${task.entryPoint}` : ''} into ${spec.target}; tests: ${framework.framework} (${framework.reason})`,
  );

  // A function for a file of the repository runs as that file's module (its imports and siblings resolve).
  // Standalone: stdio programs, and JavaScript for a file that does not exist yet (Node loads files, not names).
  // A method (`Class.method`) goes into its class, in place of the method or after the class's last one.
  const inRepo =
    spec.kind === 'function' && !!spec.entryPoint && (target.exists || spec.language === 'python');
  const where = { root: o.root, path: spec.target, language: spec.language };
  const place =
    task.method && target.content !== null
      ? await methodPlacer({ ...where, base: target.content }, task.entryPoint!, task.method)
      : undefined;
  if (task.method && !place)
    throw new UserError(
      `${spec.target} does not exist: a method (entry_point ${spec.entryPoint}) goes into a class of an existing file`,
    );
  const executor = inRepo
    ? inRepoContext(o.executor, { ...where, base: target.content, entryPoint: task.entryPoint! }, place)
    : o.executor;
  const result = await runCosplay({
    task,
    llm: o.llm,
    executor,
    params: o.params,
    trustedTests: spec.exampleTests,
  });
  const usage = o.llm.usage?.bind(o.llm);
  const solve = reportFromResult(result, usage ? { llm: { usage } } : {});
  const out: Solution = { task, result, solve, framework, targetPath: spec.target, files: [], notes };
  if (!result.selected) return out;

  if (place) {
    await writeFile(
      await resolveInsideRepo(o.root, spec.target, policy),
      place(result.selected.code),
      'utf8',
    );
  } else {
    const written = await writeSelectedCode(result.selected.code, {
      ...policy,
      root: o.root,
      target: spec.target,
      language: spec.language,
      kind: spec.kind,
      entryPoint: spec.entryPoint,
    });
    notes.push(...written.notes);
  }
  out.files.push(spec.target);

  if (testLoc && solve.report.keptTests.length > 0) {
    const file = renderTestFile({
      framework: framework.framework,
      task,
      tests: solve.report.keptTests,
      codeCount: solve.report.executionMatrix.length,
      targetPath: spec.target,
      testPath: testLoc.path,
      moduleStyle: testLoc.moduleStyle,
      ...(testLoc.importExtension !== undefined ? { importExtension: testLoc.importExtension } : {}),
    });
    if (file.count > 0) {
      const abs = await resolveInsideRepo(o.root, testLoc.path, policy);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, file.content, 'utf8');
      out.files.push(testLoc.path);
      out.testPath = testLoc.path;
    }
  }
  notes.push(...solve.notes);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The mode

interface Delivery {
  /** The branch the result is committed to. */
  branch: string;
  /** The branch a new pull request merges into. */
  base: string;
  /** `new-pr`: push `branch` and open (or update) a pull request; `pr-branch`: commit onto a labeled PR's branch. */
  kind: 'new-pr' | 'pr-branch';
  /** For `pr-branch`: the sha the commit builds on (the push's lease). */
  lease?: string;
  pull?: PullRequestInfo;
}

async function defaultBase(ctx: ModeContext): Promise<string> {
  const fromEvent = ctx.event.repository?.default_branch;
  if (typeof fromEvent === 'string' && fromEvent !== '') return fromEvent;
  return (await getRepository(ctx.gh, ctx.repo)).defaultBranch;
}

/** Checks out the branch the result goes to. */
async function prepareBranch(
  ctx: ModeContext,
  issueNumber: number,
  pull: PullRequestInfo | null,
): Promise<Delivery> {
  const ws = ctx.workspace;
  const auth = { token: ctx.inputs.githubToken };
  await repoRoot(ws); // a UserError that asks for actions/checkout when there is no repository
  await configureIdentity(ws);
  if (pull && !pull.isFork) {
    // A labeled pull request from this repository: the result is committed to its branch.
    const sha = await fetchBranch(ws, { branch: pull.headRef, auth });
    if (sha === null)
      throw new UserError(`The branch ${pull.headRef} of pull request #${pull.number} no longer exists.`);
    await resetBranch(ws, pull.headRef, `refs/remotes/origin/${pull.headRef}`);
    return { branch: pull.headRef, base: pull.baseRef, kind: 'pr-branch', lease: sha, pull };
  }
  if (pull) {
    // A fork's branch cannot be pushed to: a separate pull request into the same base.
    const sha = await fetchBranch(ws, { branch: pull.baseRef, auth });
    if (sha === null)
      throw new UserError(`The base branch ${pull.baseRef} of pull request #${pull.number} does not exist.`);
    const branch = cosplayBranch('pr', String(pull.number));
    await resetBranch(ws, branch, `refs/remotes/origin/${pull.baseRef}`);
    return { branch, base: pull.baseRef, kind: 'new-pr', pull };
  }
  // An issue: the branch starts from what the workflow checked out (the default branch for `issues` events,
  // the chosen ref for workflow_dispatch), and the pull request merges back into it.
  const base = (await currentBranch(ws)) ?? (await defaultBase(ctx));
  const start = await headSha(ws);
  const branch = branchForIssue(issueNumber);
  await resetBranch(ws, branch, start);
  return { branch, base, kind: 'new-pr' };
}

/** Why a run ended without a pick, for the issue comment and the CLI: title, what happened, what to do. */
export function noPickFailure(result: CosplayResult, budget: string | null) {
  if (result.stopReason === 'llm-unavailable') {
    const why =
      result.degraded.find((d) => d.startsWith('LLM unavailable')) ??
      'the LLM endpoint gave no usable answer';
    const inner = /^LLM unavailable \((.*)\): finished with the best pick so far$/s.exec(why);
    return explainFailure(new LlmUnavailableError(inner ? inner[1]! : why));
  }
  if (result.stopReason === 'budget')
    return explainFailure(new BudgetExceededError((budget ?? 'tokens') as 'tokens' | 'requests' | 'wallMs'));
  return {
    title: 'No code was selected',
    what: `CoSPlay ended without a candidate to propose (${result.stopReason}${result.degraded.length > 0 ? `: ${result.degraded.join('; ')}` : ''}).`,
    fix: 'Make the description and the examples more precise (every candidate must pass the examples), or raise `codes` and `rounds`. The trace has every request and decision.',
  };
}

export const runSolve: Mode = async (ctx: ModeContext): Promise<ModeOutcome> => {
  const { gh, repo, inputs, log } = ctx;
  const target = ctx.target;
  if (!target)
    throw new UserError(
      `solve needs an issue or pull request, and the ${ctx.eventName} event names none: run it on issues or pull_request labeled events, or pass \`issue-number\`.`,
    );
  const number = target.number;
  const comment = (kind: string, body: string) =>
    upsertIssueComment(gh, { ...repo, issueNumber: number, kind, body });
  const runLink = ctx.runUrl ? { runUrl: ctx.runUrl } : {};

  // The spec: from the issue, or from a pull request's body.
  let pull: PullRequestInfo | null = null;
  let body: string;
  if (target.kind === 'pull') {
    pull = await getPullRequest(gh, { ...repo, pullNumber: number });
    body = pull.body;
  } else {
    const issue = await getIssue(gh, { ...repo, issueNumber: number });
    if (issue.isPullRequest) {
      pull = await getPullRequest(gh, { ...repo, pullNumber: number });
      body = pull.body;
    } else body = issue.body;
  }
  const parsed = parseTaskSpec(body, { allowedPaths: inputs.allowedPaths });
  if (!parsed.ok) {
    const specComment = renderSpecProblemsComment(parsed.problems, {
      ...parsed.partial,
      triggerLabel: inputs.triggerLabel,
      warnings: parsed.warnings,
      ...runLink,
    });
    await comment(SPEC_COMMENT_KIND, specComment);
    await writeJobSummary(specComment);
    const fields = parsed.problems.map((p) => p.message).join(' ');
    return {
      verdict: 'error',
      outputs: {},
      failure: `#${number} has no complete task spec, so nothing ran (a comment on #${number} says what to add): ${fields}`,
    };
  }
  const spec = parsed.spec;
  for (const w of parsed.warnings) log.warning(`spec: ${w}`);
  // A "spec incomplete" comment from an earlier run is out of date now.
  const stale = await findMarkedComment(gh, { ...repo, issueNumber: number, kind: SPEC_COMMENT_KIND });
  if (stale && !stale.body.includes('The task spec is complete now'))
    await comment(
      SPEC_COMMENT_KIND,
      'The task spec is complete now; a CoSPlay run started (its result is in the comment below).\n',
    );

  let solution: Solution | null = null;
  try {
    const delivery = await prepareBranch(ctx, number, pull);
    // The sandbox first: without one nothing may run, and no LLM budget should be spent.
    const executor = await ctx.createExecutor();
    let llm;
    try {
      llm = ctx.createLlm();
      solution = await produceSolution({
        spec,
        root: ctx.workspace,
        taskId: `${repo.owner}/${repo.repo}#${number}`,
        llm,
        executor,
        params: paramsFromInputs(inputs),
        testFramework: inputs.testFramework,
        allowedPaths: inputs.allowedPaths,
        log,
      });
    } finally {
      await llm?.close();
      await executor.close();
    }
    appendTrace(ctx.tracePath, resultTraceEvent(solution.result));
    const { report } = solution.solve;
    const context: ReportContext = {
      issueNumber: number,
      noCloses: pull !== null,
      targetPath: solution.targetPath,
      testFramework: solution.framework.framework,
      triggerLabel: inputs.triggerLabel,
      notes: solution.notes,
      ...runLink,
    };
    if (solution.testPath) context.testPath = solution.testPath;
    const passCount = passCountOutput(report);

    if (!solution.result.selected) {
      const failure = noPickFailure(solution.result, solution.solve.budget);
      await comment(SOLVE_COMMENT_KIND, renderFailureComment(failure, runLink));
      await writeJobSummary(renderJobSummary(report, context));
      return {
        verdict: report.verdict,
        outputs: { 'selected-pass-count': passCount },
        failure: failureMessage(failure),
      };
    }

    const title = pullRequestTitle(report, context);
    const sha = await commitFiles(ctx.workspace, {
      paths: solution.files,
      allowedPaths: inputs.allowedPaths,
      message: `${title}\n\nSelected by CoSPlay: candidate C${report.selected!.index} passes ${passCount} self-generated unit tests.`,
    });
    if (sha === null) {
      const same = `The selected code and tests are already in \`${delivery.branch}\`: nothing to propose.`;
      await comment(
        SOLVE_COMMENT_KIND,
        renderIssueComment(report, { ...context, notes: [...solution.notes, same], pullRequest: null }),
      );
      await writeJobSummary(renderJobSummary(report, context));
      return { verdict: report.verdict, outputs: { 'selected-pass-count': passCount } };
    }
    await pushBranch(ctx.workspace, {
      branch: delivery.branch,
      auth: { token: inputs.githubToken },
      ...(delivery.kind === 'pr-branch' ? { lease: delivery.lease } : {}),
    });

    let pr: { number: number; url: string; draft: boolean; created: boolean };
    if (delivery.kind === 'pr-branch') {
      pr = {
        number: delivery.pull!.number,
        url: delivery.pull!.url,
        draft: delivery.pull!.draft,
        created: false,
      };
    } else {
      const made = await upsertPullRequest(gh, {
        ...repo,
        head: delivery.branch,
        base: delivery.base,
        title,
        body: renderPullRequestBody(report, context),
        draft: inputs.draft,
      });
      if (made.draftUnsupported)
        context.notes = [
          ...(context.notes ?? []),
          'The repository does not support draft pull requests, so this one is ready for review.',
        ];
      pr = made;
    }
    let issueComment = renderIssueComment(report, { ...context, pullRequest: pr });
    if (delivery.kind === 'pr-branch') {
      // The pull request's body is its author's (it holds the spec): the full report goes into the comment.
      issueComment = issueComment.replace(
        /^(<!-- cosplay:solve -->\n)Updated (draft )?pull request #\d+/,
        `$1Committed to this pull request's branch \`${delivery.branch}\``,
      );
      issueComment += `\n<details><summary>Report</summary>\n\n${renderJobSummary(report, context)}\n</details>\n`;
    }
    await comment(SOLVE_COMMENT_KIND, issueComment);
    await writeJobSummary(renderJobSummary(report, { ...context, pullRequest: pr }));
    log.info(`cosplay: ${report.verdict}: ${pr.url}`);
    return {
      verdict: report.verdict,
      outputs: {
        'pull-request-number': String(pr.number),
        'pull-request-url': pr.url,
        'selected-pass-count': passCount,
      },
    };
  } catch (err) {
    const failure = explainFailure(err);
    log.error(failureMessage(failure));
    appendTrace(ctx.tracePath, {
      event: 'failure',
      task: `${repo.owner}/${repo.repo}#${number}`,
      ...failure,
    });
    try {
      await comment(SOLVE_COMMENT_KIND, renderFailureComment(failure, runLink));
    } catch (commentErr) {
      log.warning(`could not comment on #${number}: ${(commentErr as Error).message}`);
    }
    await writeJobSummary(renderFailureComment(failure, runLink));
    const outputs: Record<string, string> = {};
    if (solution) outputs['selected-pass-count'] = passCountOutput(solution.solve.report);
    return { verdict: 'error', outputs, failure: failureMessage(failure) };
  }
};
