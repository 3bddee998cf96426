// LLM endpoint configuration: CLI flags > action inputs > OPENAI_* environment > defaults.
// The default endpoint is GitHub Models with the job's GITHUB_TOKEN as key; the workflow must grant
//   permissions:
//     models: read
import { UserError } from '../types.js';

export const GITHUB_MODELS_BASE_URL = 'https://models.github.ai/inference';
export const GITHUB_MODELS_DEFAULT_MODEL = 'openai/gpt-4.1-mini';
export const OPENAI_DEFAULT_MODEL = 'gpt-4.1-mini';

export interface LlmBudget {
  /** Prompt + completion tokens per run. */
  maxTokens?: number;
  /** HTTP requests per run (every attempt counts, retries included: providers count them against quotas). */
  maxRequests?: number;
  /** Wall time per run, from createLlm. */
  maxWallMs?: number;
  /** Optional limits per stage (`stage1`, `stage2`, `stage3`), checked besides the run-wide ones. */
  perStage?: Record<string, { maxTokens?: number; maxRequests?: number }>;
}

export interface LlmConfig {
  baseURL: string;
  apiKey: string;
  model: string;
  /** Default sampling temperature (a request's own temperature wins). Unset: the provider's default. */
  temperature?: number;
  topP?: number;
  /** Sent as `max_completion_tokens` on every request (a request's own value wins). */
  maxCompletionTokens: number;
  /** Per attempt, covering the whole reply (headers and body). */
  requestTimeoutMs: number;
  /**
   * At most this many retries after the first attempt of one logical request (unset: no count, only
   * retryBudgetMs limits them).
   */
  maxRetries?: number;
  /**
   * How long one logical request keeps retrying (attempts plus the waits between them; default 5 minutes).
   * While the endpoint has not answered once in this run, a request that gets no answer at all (no connection,
   * no reply in time) has firstContactBudgetMs (default 30 s) instead.
   */
  retryBudgetMs?: number;
  firstContactBudgetMs?: number;
  /**
   * The endpoint counts as down when this many logical requests (default 3) in a row gave up after their
   * retry budget with no successful attempt in between: never because of one unlucky request.
   */
  downAfterRequests?: number;
  /** Concurrent HTTP requests. */
  concurrency: number;
  budget: LlmBudget;
  /** JSONL trace of every attempt, secrets redacted. */
  tracePath?: string;
  /**
   * How `n > 1` choices are obtained. `auto` (default): send `n`; when the provider answers with fewer
   * choices (it ignores `n`) or rejects `n`, ask for the rest with separate requests and remember that
   * for the rest of the run. `native`: always send `n`, never top up. `repeat`: always n requests of one.
   */
  nMode?: 'auto' | 'native' | 'repeat';
  /** Backoff: first delay (default 1000 ms), doubled per retry with jitter, capped at retryMaxDelayMs (30 s). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** A `retry-after` longer than this (default 120 s) is not waited for: the endpoint counts as unavailable. */
  maxRetryAfterMs?: number;
  /** Extra headers for every request (e.g. a proxy's routing header). */
  headers?: Record<string, string>;
}

/** One source of settings. Strings (action inputs, env) are parsed; empty strings count as unset. */
export interface LlmSettings {
  baseURL?: string;
  /** Alias of baseURL (commander turns `--base-url` into `baseUrl`). */
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  temperature?: number | string;
  topP?: number | string;
  maxCompletionTokens?: number | string;
  requestTimeoutMs?: number | string;
  maxRetries?: number | string;
  concurrency?: number | string;
  maxTokens?: number | string;
  maxRequests?: number | string;
  maxWallMs?: number | string;
  tracePath?: string;
  nMode?: string;
}

export const LLM_DEFAULTS = {
  maxCompletionTokens: 4000, // GitHub Models' free tier allows about 4k output tokens per request
  requestTimeoutMs: 120_000,
  retryBudgetMs: 300_000,
  firstContactBudgetMs: 30_000,
  downAfterRequests: 3,
  concurrencyGithubModels: 2, // GitHub Models allows 2 to 5 concurrent requests depending on the model
  concurrency: 4,
} as const;

type Field = keyof LlmSettings;

function pick(
  sources: Array<Partial<LlmSettings> | undefined>,
  ...keys: Field[]
): string | number | undefined {
  for (const s of sources) {
    if (!s) continue;
    for (const k of keys) {
      const v = s[k];
      if (v === undefined || v === null) continue;
      if (typeof v === 'string' && v.trim() === '') continue;
      return typeof v === 'string' ? v.trim() : v;
    }
  }
  return undefined;
}

function num(
  name: string,
  v: string | number | undefined,
  opts: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean },
): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  const bad =
    !Number.isFinite(n) ||
    (opts.exclusiveMin ? n <= opts.min : n < opts.min) ||
    (opts.max !== undefined && n > opts.max) ||
    (opts.integer && !Number.isInteger(n));
  if (bad) {
    const range = `${opts.exclusiveMin ? '>' : '>='} ${opts.min}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`;
    throw new UserError(`${name} must be ${opts.integer ? 'an integer' : 'a number'} ${range}, got "${v}"`);
  }
  return n;
}

export function isGithubModels(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname === 'models.github.ai';
  } catch {
    return false;
  }
}

function isOpenAi(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** Local servers (Ollama, vLLM, llama.cpp, the replay server) usually need no key. */
export function isLocalEndpoint(baseURL: string): boolean {
  try {
    const h = new URL(baseURL).hostname;
    return (
      h === 'localhost' ||
      h === '127.0.0.1' ||
      h === '[::1]' ||
      h === '::1' ||
      h === '0.0.0.0' ||
      h.endsWith('.localhost')
    );
  } catch {
    return false;
  }
}

/**
 * Resolves the configuration. Precedence: `flags` (CLI) > `inputs` (action inputs) > `env`
 * (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL) > defaults (GitHub Models, key = GITHUB_TOKEN).
 * Throws UserError when no key can be found for a remote endpoint or a value is malformed.
 */
export function resolveLlmConfig(src: {
  flags?: Partial<LlmSettings>;
  inputs?: Partial<LlmSettings>;
  env?: NodeJS.ProcessEnv;
}): LlmConfig {
  const env = src.env ?? {};
  const envSettings: LlmSettings = {
    baseURL: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY,
    model: env.OPENAI_MODEL,
  };
  const sources = [src.flags, src.inputs, envSettings];

  const baseURL = String(pick(sources, 'baseURL', 'baseUrl') ?? GITHUB_MODELS_BASE_URL).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(baseURL);
  } catch {
    throw new UserError(
      `the LLM base URL "${baseURL}" is not a URL; set --base-url / OPENAI_BASE_URL to e.g. ${GITHUB_MODELS_BASE_URL}`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UserError(`the LLM base URL "${baseURL}" must be http:// or https://`);

  const github = isGithubModels(baseURL);
  let apiKey = pick(sources, 'apiKey') as string | undefined;
  if (apiKey === undefined && github && env.GITHUB_TOKEN) apiKey = env.GITHUB_TOKEN;
  if (apiKey === undefined && isLocalEndpoint(baseURL)) apiKey = 'no-key';
  if (apiKey === undefined) {
    throw new UserError(
      github
        ? `no API key for GitHub Models (${baseURL}). In a workflow, give the job \`permissions: models: read\` ` +
            `and pass the token (env GITHUB_TOKEN: \${{ github.token }}); locally, set GITHUB_TOKEN or OPENAI_API_KEY ` +
            `to a token with the models:read scope, or point --base-url / OPENAI_BASE_URL at another endpoint.`
        : `no API key for ${baseURL}. Set OPENAI_API_KEY (or --api-key / the action's api-key input).`,
    );
  }

  let model = pick(sources, 'model') as string | undefined;
  if (model === undefined) {
    if (github) model = GITHUB_MODELS_DEFAULT_MODEL;
    else if (isOpenAi(baseURL)) model = OPENAI_DEFAULT_MODEL;
    else
      throw new UserError(
        `no model given for ${baseURL}. Set --model or OPENAI_MODEL (e.g. the name your server serves).`,
      );
  }

  const nModeText = pick(sources, 'nMode');
  if (nModeText !== undefined && nModeText !== 'auto' && nModeText !== 'native' && nModeText !== 'repeat')
    throw new UserError(`n-mode must be auto, native or repeat, got "${nModeText}"`);

  return {
    baseURL,
    apiKey,
    model,
    temperature: num('temperature', pick(sources, 'temperature'), { min: 0, max: 2 }),
    topP: num('top-p', pick(sources, 'topP'), { min: 0, max: 1, exclusiveMin: true }),
    maxCompletionTokens:
      num('max-completion-tokens', pick(sources, 'maxCompletionTokens'), { min: 1, integer: true }) ??
      LLM_DEFAULTS.maxCompletionTokens,
    requestTimeoutMs:
      num('request-timeout-ms', pick(sources, 'requestTimeoutMs'), { min: 1, integer: true }) ??
      LLM_DEFAULTS.requestTimeoutMs,
    maxRetries: num('max-retries', pick(sources, 'maxRetries'), { min: 0, integer: true }),
    concurrency:
      num('concurrency', pick(sources, 'concurrency'), { min: 1, integer: true }) ??
      (github ? LLM_DEFAULTS.concurrencyGithubModels : LLM_DEFAULTS.concurrency),
    budget: {
      maxTokens: num('max-tokens', pick(sources, 'maxTokens'), { min: 1, integer: true }),
      maxRequests: num('max-requests', pick(sources, 'maxRequests'), { min: 1, integer: true }),
      maxWallMs: num('max-wall-ms', pick(sources, 'maxWallMs'), { min: 1 }),
    },
    tracePath: pick(sources, 'tracePath') as string | undefined,
    nMode: (nModeText as LlmConfig['nMode']) ?? 'auto',
  };
}
