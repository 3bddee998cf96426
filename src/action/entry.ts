// The action's entry: inputs -> event -> which mode, for whom -> permission -> context -> mode -> outputs.
// Every way out sets the `verdict` output; a run that could not finish (or a gate that blocks) fails the job
// with a message that says what to change; the trace path is always an output, so an upload step with
// `if: always()` keeps it.
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import type { ExecutorOptions } from '../exec/index.js';
import {
  apiBaseUrl,
  checkActorPermission,
  createGitHubClient,
  repoFromEnv,
  upsertIssueComment,
  writeJobSummary,
  type GitHub,
  type GitHubClientOptions,
} from '../github/index.js';
import type { LlmConfig } from '../llm/index.js';
import { UserError } from '../types.js';
import { PERMISSION_COMMENT_KIND, renderNoPermissionComment } from '../render/index.js';
import type { ModeLog, ModeOutcome } from '../modes/types.js';
import { buildModeContext, coreLog, runUrlFor, scrubSecrets, tracePathFor } from './context.js';
import { readEvent, resolveTrigger } from './event.js';
import { readInputs, type InputGetter } from './inputs.js';
import { pickMode, type ModeRegistry } from './modes.js';
import type { PrepareSandboxOptions } from './sandbox.js';

export interface RunDeps {
  modes: ModeRegistry;
  /** Default process.env (which @actions/core also reads for inputs and outputs). */
  env?: NodeJS.ProcessEnv;
  getInput?: InputGetter;
  log?: ModeLog;
  /** Test hooks: fast retries, fewer workers, a fake sandbox probe, GitHub client settings. */
  llmOverrides?: Partial<LlmConfig>;
  executorOptions?: Partial<ExecutorOptions>;
  sandbox?: Partial<Omit<PrepareSandboxOptions, 'log' | 'env'>>;
  github?: Partial<GitHubClientOptions>;
  /** Mask secrets in the log (default true). */
  mask?: boolean;
}

export interface ActionResult extends ModeOutcome {
  /** The mode that ran, when one did. */
  mode?: string;
}

function setOutputs(outcome: ActionResult, tracePath: string | undefined): void {
  core.setOutput('verdict', outcome.verdict);
  for (const [k, v] of Object.entries(outcome.outputs)) if (k !== 'verdict') core.setOutput(k, v);
  if (tracePath && existsSync(tracePath)) core.setOutput('trace', tracePath);
}

export async function runAction(deps: RunDeps): Promise<ActionResult> {
  const env = deps.env ?? process.env;
  const log = deps.log ?? coreLog;
  let tracePath: string | undefined;
  let result: ActionResult;
  try {
    result = await runInner(deps, env, log, (p) => (tracePath = p));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A UserError's message is the whole story; anything else gets its stack in the log.
    if (!(err instanceof UserError)) log.error(err instanceof Error && err.stack ? err.stack : message);
    result = { verdict: 'error', outputs: {}, failure: message };
  }
  setOutputs(result, tracePath);
  if (result.failure) core.setFailed(result.failure);
  return result;
}

async function runInner(
  deps: RunDeps,
  env: NodeJS.ProcessEnv,
  log: ModeLog,
  onTrace: (path: string) => void,
): Promise<ActionResult> {
  const inputs = readInputs({ getInput: deps.getInput, env, mask: deps.mask });
  // From here on no child process may inherit a credential; `snapshot` keeps what the trace's redactor needs.
  const snapshot: NodeJS.ProcessEnv = { ...env };
  scrubSecrets([inputs.githubToken, inputs.apiKey], env);

  const event = readEvent(snapshot);
  const trigger = resolveTrigger(inputs, event, snapshot);
  if (!trigger.run) {
    log.info(trigger.reason);
    return { verdict: 'skipped', outputs: {} };
  }
  log.info(`cosplay: ${trigger.why}`);
  const mode = pickMode(deps.modes, trigger.mode);
  const repo = repoFromEnv(snapshot);
  const gh: GitHub = createGitHubClient({
    token: inputs.githubToken,
    baseUrl: apiBaseUrl(snapshot),
    ...deps.github,
  });

  if (trigger.checkActor) {
    const permission = await checkActorPermission(gh, {
      ...repo,
      actor: trigger.actor,
      actorType: trigger.actorType,
      allowedBots: inputs.allowedBots,
    });
    if (!permission.allowed) {
      log.info(`cosplay: no run: ${permission.reason}`);
      if (trigger.mode === 'solve' && trigger.target) {
        const runUrl = runUrlFor(repo, snapshot);
        await upsertIssueComment(gh, {
          ...repo,
          issueNumber: trigger.target.number,
          kind: PERMISSION_COMMENT_KIND,
          body: renderNoPermissionComment({
            actor: permission.actor || 'someone',
            permission: permission.permission,
            isBot: permission.isBot,
            triggerLabel: inputs.triggerLabel,
            ...(runUrl ? { runUrl } : {}),
          }),
        });
      }
      if (trigger.mode === 'gate') {
        // A gate that did not run must not count as passed: fail the check and say how to get it run.
        const failure =
          `The gate did not check this pull request: ${permission.reason} Only people with write access start ` +
          "runs (the candidates and the LLM budget are the repository's). A maintainer can check it by re-running this job.";
        await writeJobSummary(`### CoSPlay gate: not run\n\n${failure}\n`, snapshot).catch(() => false);
        return { verdict: 'skipped', outputs: {}, mode: trigger.mode, failure };
      }
      return { verdict: 'skipped', outputs: {}, mode: trigger.mode };
    }
  }

  const modeInputs = { ...inputs };
  if (trigger.issueNumber !== undefined) modeInputs.issueNumber = trigger.issueNumber;
  const tracePath = tracePathFor(snapshot);
  onTrace(tracePath);
  const ctx = buildModeContext({
    inputs: modeInputs,
    event,
    actor: trigger.actor,
    ...(trigger.target ? { target: trigger.target } : {}),
    repo,
    gh,
    env: snapshot,
    log,
    tracePath,
    llmOverrides: deps.llmOverrides,
    executorOptions: deps.executorOptions,
    sandbox: deps.sandbox,
  });
  const outcome = await mode(ctx);
  return { ...outcome, mode: trigger.mode };
}
