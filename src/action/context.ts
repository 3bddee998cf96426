// Builds the ModeContext a mode runs with: the GitHub client, an LLM client factory with this run's budgets
// and trace, the sandboxed executor (set up on first use), links and the log. Also keeps secrets away from
// every child process: after the inputs are read, tokens and ACTIONS_* credentials leave process.env.
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createExecutor, resolveCacheDir, type ExecutorOptions } from '../exec/index.js';
import { serverUrl, type GitHub, type RepoRef } from '../github/index.js';
import { createLlm, resolveLlmConfig, type GatewayLlm, type LlmConfig } from '../llm/index.js';
import type { ActionInputs, ModeContext, ModeLog, SolveTarget } from '../modes/types.js';
import type { Executor } from '../types.js';
import type { ActionEvent } from './event.js';
import { prepareSandbox, type PrepareSandboxOptions } from './sandbox.js';

/** The log through @actions/core (annotations for warnings and errors). */
export const coreLog: ModeLog = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
};

/** Variables that hold credentials of the job or of the LLM endpoint. */
const SECRET_VARIABLES = [
  'INPUT_GITHUB-TOKEN',
  'INPUT_API-KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'OPENAI_API_KEY',
  'AZURE_OPENAI_API_KEY',
];

/**
 * Removes credentials from `env` (default process.env) so that no child process (git, the sandbox set-up,
 * interpreters) can inherit them: the token and key inputs, GITHUB_TOKEN-like variables, every ACTIONS_*
 * variable except the debug switches, and any variable whose value is one of `secrets`. GITHUB_OUTPUT,
 * GITHUB_ENV and GITHUB_STEP_SUMMARY stay: @actions/core writes outputs and the summary through them (the
 * executor gives generated code an empty environment regardless). Returns the names removed.
 */
export function scrubSecrets(secrets: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set(secrets.filter((s) => s.length >= 8));
  const removed: string[] = [];
  for (const name of Object.keys(env)) {
    const value = env[name] ?? '';
    const secretName =
      SECRET_VARIABLES.includes(name.toUpperCase()) ||
      (/^ACTIONS_/i.test(name) && !/_DEBUG$/i.test(name)) ||
      values.has(value.trim());
    if (secretName) {
      delete env[name];
      removed.push(name);
    }
  }
  return removed;
}

export function tracePathFor(env: NodeJS.ProcessEnv): string {
  const dir = env.RUNNER_TEMP && env.RUNNER_TEMP.trim() !== '' ? env.RUNNER_TEMP : tmpdir();
  const run = env.GITHUB_RUN_ID
    ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `${process.pid}-${Date.now()}`;
  const job = (env.GITHUB_JOB ?? '').replace(/[^A-Za-z0-9_.-]+/g, '-');
  return path.join(dir, `cosplay-trace-${run}${job ? `-${job}` : ''}.jsonl`);
}

export function runUrlFor(repo: RepoRef, env: NodeJS.ProcessEnv): string | undefined {
  const id = (env.GITHUB_RUN_ID ?? '').trim();
  if (!/^\d+$/.test(id)) return undefined;
  return `${serverUrl(env)}/${repo.owner}/${repo.repo}/actions/runs/${id}`;
}

/** The LLM configuration of a run, from the inputs (budgets included). Throws UserError when it is unusable. */
export function llmConfigFor(
  inputs: ActionInputs,
  tracePath: string,
  env: NodeJS.ProcessEnv,
  overrides: Partial<LlmConfig> = {},
): LlmConfig {
  const config = resolveLlmConfig({
    inputs: {
      baseURL: inputs.baseUrl,
      apiKey: inputs.apiKey,
      model: inputs.model,
      concurrency: inputs.concurrency,
      maxTokens: inputs.maxTokens,
      maxRequests: inputs.maxRequests,
      maxWallMs: Math.round(inputs.maxMinutes * 60_000),
      tracePath,
    },
    // Only the key may come from the environment (OPENAI_API_KEY for a custom endpoint); the rest are inputs.
    env: { OPENAI_API_KEY: env.OPENAI_API_KEY, GITHUB_TOKEN: env.GITHUB_TOKEN },
  });
  return { ...config, ...overrides, budget: { ...config.budget, ...(overrides.budget ?? {}) } };
}

export interface ContextOptions {
  inputs: ActionInputs;
  event: ActionEvent;
  actor: string;
  /** Solve: the issue or pull request the trigger names. */
  target?: SolveTarget;
  repo: RepoRef;
  gh: GitHub;
  /** The environment as it was before scrubbing: for links, the trace path and the trace's redactor. */
  env: NodeJS.ProcessEnv;
  log?: ModeLog;
  /** Test hooks. */
  llmOverrides?: Partial<LlmConfig>;
  executorOptions?: Partial<ExecutorOptions>;
  sandbox?: Partial<Omit<PrepareSandboxOptions, 'log' | 'env'>>;
  tracePath?: string;
}

export function buildModeContext(o: ContextOptions): ModeContext {
  const log = o.log ?? coreLog;
  const tracePath = o.tracePath ?? tracePathFor(o.env);
  // Resolved now, so that a missing key is reported before any work; each createLlm() gets fresh budgets.
  let config: LlmConfig | Error;
  try {
    config = llmConfigFor(o.inputs, tracePath, o.env, o.llmOverrides);
  } catch (err) {
    config = err as Error;
  }
  let sandboxReady: Promise<void> | null = null;
  const ctx: ModeContext = {
    inputs: o.inputs,
    workspace:
      o.env.GITHUB_WORKSPACE && o.env.GITHUB_WORKSPACE.trim() !== '' ? o.env.GITHUB_WORKSPACE : process.cwd(),
    repo: o.repo,
    eventName: o.event.name,
    event: o.event.payload,
    actor: o.actor,
    ...(o.target ? { target: o.target } : {}),
    gh: o.gh,
    createLlm(): GatewayLlm {
      if (config instanceof Error) throw config;
      return createLlm(config, { env: o.env });
    },
    async createExecutor(): Promise<Executor & { close(): Promise<void> }> {
      sandboxReady ??= prepareSandbox(o.inputs.sandbox, { ...o.sandbox, log, env: o.env });
      try {
        await sandboxReady;
      } catch (err) {
        sandboxReady = null;
        throw err;
      }
      // COSPLAY_EXEC_CACHE: the persistent execution cache (docs/action.md: keep it with actions/cache)
      return createExecutor({
        cacheDir: resolveCacheDir(undefined, o.env),
        ...o.executorOptions,
        sandbox: o.inputs.sandbox,
      });
    },
    tracePath,
    log,
  };
  const runUrl = runUrlFor(o.repo, o.env);
  if (runUrl) ctx.runUrl = runUrl;
  return ctx;
}
