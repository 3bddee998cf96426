// What the local `cosplay gate` and `cosplay repair` share: the action's inputs from command-line flags (the
// same validation as the workflow's inputs, flags > OPENAI_* variables > defaults), the LLM client and the
// sandboxed executor, and a log on stderr. The modes then run exactly as in the action.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { llmConfigFor } from '../action/context.js';
import { InputError, readInputs, type InputName } from '../action/inputs.js';
import { createExecutor, resolveCacheDir, type ExecutorOptions } from '../exec/index.js';
import { createLlm, isGithubModels, type LlmConfig } from '../llm/index.js';
import type { ActionInputs, ModeLog } from '../modes/types.js';
import { UserError } from '../types.js';

/** The flags both commands take, as commander hands them over (strings). */
export interface LocalRunFlags {
  repo?: string;
  model?: string;
  baseUrl?: string;
  preset?: string;
  bonRule?: string;
  codes?: string;
  tests?: string;
  rounds?: string;
  maxTokens?: string;
  maxRequests?: string;
  maxMinutes?: string;
  concurrency?: string;
  sandbox?: string;
  trace?: string;
  /** The persistent execution cache's folder (default $COSPLAY_EXEC_CACHE). */
  execCache?: string;
}

export interface LocalRunIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL, GITHUB_TOKEN (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Test hooks. */
  llmOverrides?: Partial<LlmConfig>;
  executorOptions?: Partial<ExecutorOptions>;
}

export interface LocalRun {
  root: string;
  inputs: ActionInputs;
  log: ModeLog;
  out: (line: string) => void;
  createLlm(): ReturnType<typeof createLlm>;
  createExecutor(): ReturnType<typeof createExecutor>;
}

const FLAG_OF: Partial<Record<InputName, string>> = {
  'base-url': '--base-url',
  model: '--model',
  preset: '--preset',
  'bon-rule': '--bon-rule',
  codes: '--codes',
  tests: '--tests',
  rounds: '--rounds',
  'max-tokens': '--max-tokens',
  'max-requests': '--max-requests',
  'max-minutes': '--max-minutes',
  concurrency: '--concurrency',
  sandbox: '--sandbox',
  'gate-min-support': '--min-support',
  'test-framework': '--test-framework',
  'allowed-paths': '--allowed-paths',
  'test-command': '--test-command',
};

/** Validates the flags as the action validates its inputs; `extra` adds mode inputs (test-command, ...). */
export async function localRun(
  command: string,
  flags: LocalRunFlags,
  extra: Partial<Record<InputName, string>>,
  io: LocalRunIo = {},
): Promise<LocalRun> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const env = io.env ?? process.env;
  const root = path.resolve(flags.repo ?? '.');
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new UserError(`--repo ${flags.repo ?? '.'} is not a directory`);
  const values: Partial<Record<InputName, string>> = {
    'base-url': flags.baseUrl ?? env.OPENAI_BASE_URL ?? '',
    'api-key': env.OPENAI_API_KEY ?? '',
    model: flags.model ?? env.OPENAI_MODEL ?? '',
    preset: flags.preset ?? '',
    'bon-rule': flags.bonRule ?? '',
    codes: flags.codes ?? '',
    tests: flags.tests ?? '',
    rounds: flags.rounds ?? '',
    'max-tokens': flags.maxTokens ?? '',
    'max-requests': flags.maxRequests ?? '',
    'max-minutes': flags.maxMinutes ?? '',
    concurrency: flags.concurrency ?? '',
    sandbox: flags.sandbox ?? '',
    ...extra,
  };
  let inputs: ActionInputs;
  try {
    inputs = readInputs({
      getInput: (n) => values[n] ?? '',
      env: { GITHUB_TOKEN: env.GITHUB_TOKEN },
      mask: false,
    });
  } catch (e) {
    if (e instanceof InputError)
      throw new UserError(e.message.replace(/^Input `([^`]+)`/, (_m, n: InputName) => FLAG_OF[n] ?? n));
    throw e;
  }
  if (values.model === '' && !isGithubModels(inputs.baseUrl) && !/api\.openai\.com/.test(inputs.baseUrl))
    throw new UserError(`no model given for ${inputs.baseUrl}: set --model or OPENAI_MODEL`);
  if (values.model === '' && /api\.openai\.com/.test(inputs.baseUrl)) inputs.model = 'gpt-4.1-mini';
  if (inputs.sandbox === 'none')
    err(
      `cosplay ${command}: --sandbox none: generated code runs WITHOUT isolation (it can read your files and use the network)`,
    );
  const trace = flags.trace ? path.resolve(flags.trace) : '';
  const config = llmConfigFor(inputs, trace, env, io.llmOverrides);
  if (!trace) delete config.tracePath;
  return {
    root,
    inputs,
    out,
    log: { info: (m) => err(m), warning: (m) => err(`warning: ${m}`), error: (m) => err(`error: ${m}`) },
    createLlm: () => createLlm(config, { env }),
    createExecutor: () =>
      createExecutor({
        cacheDir: resolveCacheDir(flags.execCache, env),
        ...io.executorOptions,
        sandbox: inputs.sandbox,
      }),
  };
}

/** Registers the flags of `LocalRunFlags` on a command. */
export function localRunOptions<T extends { option(flags: string, description: string): T }>(cmd: T): T {
  return cmd
    .option('--model <name>', 'model name (default: OPENAI_MODEL; GitHub Models: openai/gpt-4.1-mini)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: OPENAI_BASE_URL, else GitHub Models)')
    .option('--preset <name>', 'small or paper')
    .option('--bon-rule <rule>', 'BoN tie before stage 3: pass-count (the paper, default) or dual-agreement')
    .option('--codes <n>', 'candidate programs in the code pool')
    .option('--tests <n>', 'unit tests in the UT pool')
    .option('--rounds <n>', 'maximum self-play rounds')
    .option('--max-tokens <n>', 'token budget')
    .option('--max-requests <n>', 'LLM request budget')
    .option('--max-minutes <n>', 'wall-time budget of the LLM part, in minutes')
    .option('--concurrency <n>', 'concurrent LLM requests')
    .option('--sandbox <mode>', 'bwrap (default) or none (no isolation; must be chosen explicitly)')
    .option('--trace <file>', 'write the JSONL trace of every LLM request')
    .option(
      '--exec-cache <dir>',
      'persistent execution cache shared across runs (default $COSPLAY_EXEC_CACHE)',
    );
}
