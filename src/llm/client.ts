// The LLM gateway: an OpenAI-compatible chat-completions client (the `openai` package, its own retries
// disabled) with the cosplay protocol headers, retries with backoff and jitter, a concurrency limit,
// budgets counted per stage, n>1 choices with a fallback for providers that ignore `n`, and a JSONL trace.
import { randomUUID } from 'node:crypto';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import pLimit from 'p-limit';
import type { ChatMessage, Llm, LlmReply, LlmRequest } from '../types.js';
import { BudgetExceededError, LlmUnavailableError } from '../types.js';
import { LLM_DEFAULTS, type LlmConfig } from './config.js';
import {
  DECLINED_FINISH_REASON,
  H_META,
  H_REQUEST_ID,
  H_SEQ,
  H_SESSION,
  H_STAGE,
  encodeMetaHeader,
  encodeTaskHeader,
} from './protocol.js';
import { makeRedactor } from './redact.js';
import { backoffDelay, isRetryable, kindForStatus, parseRetryAfter, type FailureKind } from './retry.js';
import { countPromptTokens, countTextTokens } from './tokens.js';
import { NO_TRACE, openTrace, type TraceWriter } from './trace.js';
import { UsageTracker, type BudgetStatus, type UsageKey, type UsageReport } from './usage.js';

export interface GatewayChoice {
  /** The reply text; null when the choice was declined or left empty. */
  text: string | null;
  finishReason: string | null;
  declined: boolean;
}

export interface GatewayReply extends LlmReply {
  /** The x-cosplay-request-id of the (first) wire request. */
  requestId: string;
  /** Every choice received, in order, including declined and empty ones. */
  choices: GatewayChoice[];
  /** Choices the server declined. */
  declined: number;
  /** Set when (part of) the request ended without a usable reply after retries. */
  failure?: FailureKind;
  error?: string;
  /** HTTP attempts made for this call (all wire requests, retries included). */
  attempts: number;
}

export interface GatewayLlm extends Llm {
  complete(request: LlmRequest): Promise<GatewayReply>;
  /** Tokens (prompt/completion), requests, retries, declines and unusable replies: totals, per stage, per `stage.purpose`, per task. */
  usage(): UsageReport;
  budgetStatus(): BudgetStatus;
  /** Writes the trace's final line and closes it. The client stays usable but traces nothing more. */
  close(): Promise<void>;
  /** The session id sent as x-cosplay-session. */
  readonly session: string;
  readonly model: string;
  readonly baseURL: string;
}

export interface CreateLlmOptions {
  /** Clock for budgets and latency (ms). */
  now?: () => number;
  /** The fetch the openai client uses. */
  fetch?: typeof fetch;
  /** How retries wait (tests record the delays instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Session id (default: a fresh uuid). */
  session?: string;
  /** Environment whose secret-looking values are redacted from the trace (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Consecutive rejected (4xx) requests, with no success before them, after which the endpoint counts as misconfigured. */
const REJECTED_STREAK_LIMIT = 3;

/** A logical request that gave up after its retry budget, in the current run of failures. */
interface GaveUp {
  label: string;
  kind: FailureKind;
  detail: string;
  attempts: number;
  spentMs: number;
}

const HINTS: Record<FailureKind, string> = {
  connection:
    'that the server is running and reachable from here (--base-url / OPENAI_BASE_URL), and proxy or firewall settings',
  timeout: 'that the server is not overloaded; for slow local models raise request-timeout-ms',
  'rate-limited':
    'your rate limits and quota (GitHub Models free tiers allow tens to hundreds of requests a day); lower concurrency or try later',
  'server-error': "the provider's status; try again later",
  unparseable:
    'that the base URL points at an OpenAI-compatible API (it should answer POST <base>/chat/completions with JSON), not a web page or proxy',
  'empty-choices': 'that the model name is right and the server can serve it',
  auth: 'the API key (OPENAI_API_KEY / --api-key / the api-key input); for GitHub Models, that the job has `permissions: models: read`',
  'not-found':
    'the base URL (without /chat/completions, e.g. https://models.github.ai/inference or http://localhost:11434/v1) and the model name',
  rejected: 'the model name and parameters (some models refuse temperature, top_p or n)',
};

interface AttemptResult {
  ok: boolean;
  status?: number;
  kind?: FailureKind;
  error?: string;
  retryAfterMs?: number;
  choices?: GatewayChoice[];
  usage?: { promptTokens?: number; completionTokens?: number };
}

interface WireResult {
  requestId: string;
  choices: GatewayChoice[];
  usage: { promptTokens: number; completionTokens: number };
  failure?: FailureKind;
  error?: string;
  attempts: number;
  /** The provider refused `n` > 1 (HTTP 4xx naming n). */
  nRejected?: boolean;
}

function isErrorLike(err: unknown): err is Error {
  // duck-typed: errors from another realm (undici's body parsing under a test VM) fail instanceof Error
  return !!err && typeof err === 'object' && typeof (err as Error).message === 'string';
}

/** The error's message with the messages of its causes (`Connection error. (fetch failed: connect ECONNREFUSED ...)`). */
function errorText(err: unknown): string {
  if (!isErrorLike(err)) return String(err);
  const causes: string[] = [];
  let seen = err.message;
  for (
    let c = (err as { cause?: unknown }).cause, i = 0;
    isErrorLike(c) && i < 4;
    c = (c as { cause?: unknown }).cause, i++
  ) {
    if (c.message && !seen.includes(c.message)) causes.push(c.message);
    seen += ' ' + c.message;
  }
  return causes.length ? `${err.message} (${causes.join(': ')})` : err.message;
}

function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .join('');
    return parts;
  }
  return null;
}

/** Reads a chat.completion body; null when it is not one. */
function readCompletion(
  data: unknown,
):
  | { choices: GatewayChoice[]; usage?: { promptTokens?: number; completionTokens?: number } }
  | 'empty'
  | null {
  let obj = data;
  if (typeof obj === 'string') {
    try {
      obj = JSON.parse(obj);
    } catch {
      return null;
    }
  }
  if (!obj || typeof obj !== 'object' || !Array.isArray((obj as { choices?: unknown }).choices)) return null;
  const raw = (obj as { choices: unknown[] }).choices;
  if (raw.length === 0) return 'empty';
  const ordered = raw
    .map((c, i) => ({ c: c as Record<string, unknown>, i }))
    .sort((a, b) => {
      const ia = typeof a.c?.index === 'number' ? (a.c.index as number) : a.i;
      const ib = typeof b.c?.index === 'number' ? (b.c.index as number) : b.i;
      return ia - ib;
    });
  const choices: GatewayChoice[] = [];
  for (const { c } of ordered) {
    if (!c || typeof c !== 'object') return null;
    const message = c.message as Record<string, unknown> | undefined;
    const content = contentText(message?.content);
    const finishReason = typeof c.finish_reason === 'string' ? c.finish_reason : null;
    const refusal = typeof message?.refusal === 'string' && message.refusal.length > 0;
    const empty = content === null || content.trim() === '';
    const declined = empty && (finishReason === DECLINED_FINISH_REASON || refusal);
    choices.push({ text: empty ? null : content, finishReason, declined });
  }
  const u = (obj as { usage?: Record<string, unknown> }).usage;
  const usage =
    u && typeof u === 'object'
      ? {
          promptTokens: typeof u.prompt_tokens === 'number' ? u.prompt_tokens : undefined,
          completionTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : undefined,
        }
      : undefined;
  return { choices, usage };
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function mentionsN(message: string | undefined): boolean {
  return !!message && /(\bn\b|'n'|"n"|`n`|\bchoices\b|number of (completions|choices))/i.test(message);
}

export function createLlm(config: LlmConfig, opts: CreateLlmOptions = {}): GatewayLlm {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const session = opts.session ?? randomUUID();
  const redact = makeRedactor([config.apiKey], opts.env ?? process.env);
  const trace: TraceWriter = config.tracePath ? openTrace(config.tracePath, redact) : NO_TRACE;
  const tracker = new UsageTracker(config.budget ?? {}, now);
  const limit = pLimit(config.concurrency);
  const nMode = config.nMode ?? 'auto';
  const baseDelay = config.retryBaseDelayMs ?? 1000;
  const maxDelay = config.retryMaxDelayMs ?? 30_000;
  const maxRetryAfter = config.maxRetryAfterMs ?? 120_000;
  const retryBudget = config.retryBudgetMs ?? LLM_DEFAULTS.retryBudgetMs;
  const firstContactBudget = Math.min(
    retryBudget,
    config.firstContactBudgetMs ?? LLM_DEFAULTS.firstContactBudgetMs,
  );
  const downAfter = Math.max(1, config.downAfterRequests ?? LLM_DEFAULTS.downAfterRequests);
  const seqs = new Map<string, number>();
  let nIgnored = nMode === 'repeat';
  let everOk = false;
  let rejectedStreak = 0;
  /** Requests that gave up since the last successful attempt (any request's). */
  let gaveUp: GaveUp[] = [];
  /** Set once the endpoint counts as down: every request then ends with this message. */
  let down: { kind: FailureKind; message: string } | null = null;
  let closed = false;
  const budgetsTraced = new Set<string>();

  const client = new OpenAI({
    baseURL: config.baseURL,
    apiKey: config.apiKey,
    maxRetries: 0,
    timeout: config.requestTimeoutMs,
    fetch: opts.fetch,
    defaultHeaders: { [H_SESSION]: session, ...(config.headers ?? {}) },
  });

  {
    const { apiKey: _key, ...shown } = config;
    trace.write({ event: 'start', session, config: shown });
  }

  function unavailable(
    kind: FailureKind,
    attempts: number,
    detail: string,
    key: UsageKey,
  ): LlmUnavailableError {
    const message = redact(
      `the LLM endpoint ${config.baseURL} (model ${config.model}) gave no usable answer after ${attempts} attempt(s) ` +
        `for ${key.stage}.${key.purpose} of task ${key.task}: ${detail}. Check ${HINTS[kind]}.`,
    );
    trace.write({
      event: 'unavailable',
      session,
      stage: key.stage,
      purpose: key.purpose,
      task: key.task,
      kind,
      message,
    });
    return new LlmUnavailableError(message);
  }

  /** The endpoint is down: several requests in a row gave up, with no successful attempt in between. */
  function unavailableAll(kind: FailureKind, list: GaveUp[]): LlmUnavailableError {
    const each = list
      .map((g) => `${g.label}: ${g.attempts} attempt(s) over ${formatSeconds(g.spentMs)}, last ${g.detail}`)
      .join('; ');
    const message = redact(
      `the LLM endpoint ${config.baseURL} (model ${config.model}) stopped answering: ${list.length} requests in a row ` +
        `gave up after retrying, with no successful answer in between (${each}). Check ${HINTS[kind]}.`,
    );
    trace.write({ event: 'unavailable', session, kind, message, requests: list.map((g) => g.label) });
    return new LlmUnavailableError(message);
  }

  function checkBudget(key: UsageKey): void {
    try {
      tracker.check(key.stage);
    } catch (err) {
      if (err instanceof BudgetExceededError && !budgetsTraced.has(err.message)) {
        budgetsTraced.add(err.message);
        trace.write({ event: 'budget', session, budget: err.budget, message: err.message, stage: key.stage });
      }
      throw err;
    }
  }

  async function attempt(
    request: LlmRequest,
    n: number,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    const body: Record<string, unknown> = {
      model: config.model,
      messages: request.messages.map((m: ChatMessage) => ({ role: m.role, content: m.content })),
      max_completion_tokens: request.maxCompletionTokens ?? config.maxCompletionTokens,
    };
    if (n > 1) body.n = n;
    const temperature = request.temperature ?? config.temperature;
    if (temperature !== undefined) body.temperature = temperature;
    if (config.topP !== undefined) body.top_p = config.topP;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const { data, response } = await client.chat.completions
        .create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, {
          headers,
          signal: controller.signal,
          timeout: timeoutMs,
          maxRetries: 0,
        })
        .withResponse();
      if (timedOut) return { ok: false, kind: 'timeout', error: `no complete reply within ${timeoutMs} ms` };
      const read = readCompletion(data);
      if (read === 'empty')
        return {
          ok: false,
          status: response.status,
          kind: 'empty-choices',
          error: 'the reply has no choices',
        };
      if (read === null) {
        const type = response.headers.get('content-type') ?? 'none';
        const raw: unknown = data;
        const snippet = (typeof raw === 'string' ? raw : JSON.stringify(raw ?? null)).slice(0, 120);
        return {
          ok: false,
          status: response.status,
          kind: 'unparseable',
          error: `the reply is not a chat completion (content-type ${type}): ${snippet}`,
        };
      }
      return { ok: true, status: response.status, choices: read.choices, usage: read.usage };
    } catch (err) {
      if (timedOut || err instanceof APIConnectionTimeoutError)
        return { ok: false, kind: 'timeout', error: `no complete reply within ${timeoutMs} ms` };
      if (err instanceof APIError && typeof err.status === 'number') {
        const h = err.headers;
        return {
          ok: false,
          status: err.status,
          kind: kindForStatus(err.status),
          error: errorText(err),
          retryAfterMs: parseRetryAfter((name) => h?.get(name), now()),
        };
      }
      if (err instanceof APIConnectionError) return { ok: false, kind: 'connection', error: errorText(err) };
      // a body that was announced as JSON but does not parse (SyntaxError), or a cut connection while reading it
      if (isErrorLike(err) && err.name === 'SyntaxError')
        return { ok: false, kind: 'unparseable', error: `malformed JSON reply: ${err.message}` };
      return { ok: false, kind: 'connection', error: errorText(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** One wire-level logical request (one request id) with its retries. */
  async function wire(request: LlmRequest, n: number): Promise<WireResult> {
    const key: UsageKey = { stage: request.stage, purpose: request.purpose, task: request.task };
    const requestId = randomUUID();
    const seqKey = `${request.task}\u0000${request.stage}.${request.purpose}`;
    let seq: number | undefined;
    const headers: Record<string, string> = {
      [H_STAGE]: `${request.stage}.${request.purpose}`,
      ...encodeTaskHeader(request.task),
      [H_REQUEST_ID]: requestId,
    };
    if (request.meta !== undefined) headers[H_META] = encodeMetaHeader(request.meta);
    checkBudget(key);
    tracker.add(key, { logicalRequests: 1 });

    /** Time this request has taken: its attempts and the waits between them. */
    let spentMs = 0;
    for (let retry = 0; ; retry++) {
      const { result, latencyMs, timeoutMs } = await limit(async () => {
        if (down) throw new LlmUnavailableError(down.message);
        checkBudget(key);
        if (seq === undefined) {
          seq = seqs.get(seqKey) ?? 0;
          seqs.set(seqKey, seq + 1);
          headers[H_SEQ] = String(seq);
        }
        tracker.add(key, { requests: 1, retries: retry > 0 ? 1 : 0 });
        const timeoutMs = Math.max(1, Math.min(config.requestTimeoutMs, tracker.remainingWallMs()));
        const t0 = now();
        const result = await attempt(request, n, headers, timeoutMs);
        return { result, latencyMs: now() - t0, timeoutMs };
      });

      let promptTokens = 0;
      let completionTokens = 0;
      let estimated = 0;
      if (result.ok) {
        const texts = result.choices!.map((c) => c.text ?? '');
        const pReported = result.usage?.promptTokens;
        const cReported = result.usage?.completionTokens;
        promptTokens = pReported ?? (await countPromptTokens(request.messages));
        if (cReported !== undefined) completionTokens = cReported;
        else for (const t of texts) completionTokens += await countTextTokens(t);
        estimated =
          (pReported === undefined ? promptTokens : 0) + (cReported === undefined ? completionTokens : 0);
        tracker.add(key, { promptTokens, completionTokens, estimatedTokens: estimated });
      }

      spentMs += latencyMs;
      // Retries are bounded by time (the request's retry budget), not by a count: a flaky endpoint costs time.
      // Until the endpoint has answered once, silence (no connection, no reply in time) gets the short
      // first-contact budget: a wrong URL or a server that is not running should not cost minutes. An HTTP
      // answer (429, 5xx) means it is there, and gets the full budget.
      const silent = result.kind === 'connection' || result.kind === 'timeout';
      const budgetMs = everOk || !silent ? retryBudget : firstContactBudget;
      let nextDelayMs: number | undefined;
      let retryable = false;
      if (
        !result.ok &&
        isRetryable(result.kind!) &&
        (config.maxRetries === undefined || retry < config.maxRetries)
      ) {
        const delay = result.retryAfterMs ?? backoffDelay(retry, baseDelay, maxDelay, random);
        if (spentMs + delay <= budgetMs || result.retryAfterMs! > maxRetryAfter) {
          retryable = true;
          nextDelayMs = delay;
        }
      }
      trace.write({
        event: 'attempt',
        session,
        requestId,
        seq,
        retry,
        stage: request.stage,
        purpose: request.purpose,
        task: request.task,
        ...(request.meta !== undefined ? { meta: request.meta } : {}),
        model: config.model,
        n,
        request: {
          messages: request.messages,
          temperature: request.temperature ?? config.temperature,
          topP: config.topP,
          maxCompletionTokens: request.maxCompletionTokens ?? config.maxCompletionTokens,
          timeoutMs,
        },
        status: result.status ?? null,
        outcome: result.ok ? 'ok' : result.kind,
        ...(result.error ? { error: result.error } : {}),
        ...(result.ok
          ? {
              texts: result.choices!.map((c) => c.text),
              finishReasons: result.choices!.map((c) => c.finishReason),
              declined: result.choices!.filter((c) => c.declined).length,
            }
          : {}),
        latencyMs,
        tokens: { prompt: promptTokens, completion: completionTokens, estimated },
        ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
        ...(nextDelayMs !== undefined ? { nextDelayMs } : {}),
      });

      if (result.ok) {
        everOk = true;
        rejectedStreak = 0;
        gaveUp = [];
        const choices = result.choices!;
        const declined = choices.filter((c) => c.declined).length;
        const texts = choices.filter((c) => c.text !== null).length;
        tracker.add(key, { declined, texts });
        return {
          requestId,
          choices,
          usage: { promptTokens, completionTokens },
          attempts: retry + 1,
        };
      }

      const kind = result.kind!;
      // A failed attempt answered with no choices (the engine treats it like an unusable answer).
      const noChoices = (flags: Pick<WireResult, 'nRejected'> = {}): WireResult => ({
        requestId,
        choices: [],
        usage: { promptTokens: 0, completionTokens: 0 },
        attempts: retry + 1,
        ...flags,
        failure: kind,
        error: result.error,
      });
      if (kind === 'auth' || kind === 'not-found') {
        throw unavailable(kind, retry + 1, `HTTP ${result.status}: ${result.error}`, key);
      }
      if (kind === 'rejected') {
        if (n > 1 && nMode === 'auto' && mentionsN(result.error)) {
          return noChoices({ nRejected: true });
        }
        rejectedStreak++;
        if (!everOk && rejectedStreak >= REJECTED_STREAK_LIMIT)
          throw unavailable(
            kind,
            retry + 1,
            `every request so far was refused, last with HTTP ${result.status}: ${result.error}`,
            key,
          );
        tracker.add(key, { unusable: 1 });
        return noChoices();
      }
      if (!retryable) {
        if (down) throw new LlmUnavailableError(down.message);
        if (kind === 'unparseable' || kind === 'empty-choices') {
          tracker.add(key, { unusable: 1 });
          return noChoices();
        }
        // This request gave up. The endpoint counts as down only when it never answered in this run, or
        // when several requests in a row gave up with no successful attempt anywhere in between.
        const detail = `${result.status ? `HTTP ${result.status}: ` : ''}${result.error}`;
        gaveUp.push({
          label: `${key.stage}.${key.purpose} of task ${key.task}`,
          kind,
          detail,
          attempts: retry + 1,
          spentMs,
        });
        if (!everOk || gaveUp.length >= downAfter) {
          const err = everOk
            ? unavailableAll(kind, gaveUp)
            : unavailable(
                kind,
                retry + 1,
                `${detail} (over ${formatSeconds(spentMs)}; it has not answered once in this run)`,
                key,
              );
          down = { kind, message: err.message };
          throw err;
        }
        trace.write({
          event: 'gave-up',
          session,
          requestId,
          stage: request.stage,
          purpose: request.purpose,
          task: request.task,
          kind,
          attempts: retry + 1,
          spentMs,
          error: result.error,
        });
        tracker.add(key, { unusable: 1 });
        return noChoices();
      }
      if (result.retryAfterMs !== undefined && result.retryAfterMs > maxRetryAfter) {
        throw unavailable(
          kind,
          retry + 1,
          `the server asks to wait ${Math.round(result.retryAfterMs / 1000)} s (retry-after), longer than the ${Math.round(maxRetryAfter / 1000)} s this run waits; the quota may be spent for now`,
          key,
        );
      }
      if (nextDelayMs! >= tracker.remainingWallMs()) {
        tracker.failWall(
          `the wall-time budget would run out while waiting ${nextDelayMs} ms to retry ${request.stage}.${request.purpose} (${result.error})`,
        );
      }
      spentMs += nextDelayMs!;
      await sleep(nextDelayMs!);
    }
  }

  function merge(parts: WireResult[]): WireResult {
    const first = parts[0];
    const choices = parts.flatMap((p) => p.choices);
    const failed = parts.filter((p) => p.failure);
    const out: WireResult = {
      requestId: first.requestId,
      choices,
      usage: {
        promptTokens: parts.reduce((s, p) => s + p.usage.promptTokens, 0),
        completionTokens: parts.reduce((s, p) => s + p.usage.completionTokens, 0),
      },
      attempts: parts.reduce((s, p) => s + p.attempts, 0),
    };
    if (failed.length > 0) {
      out.failure = failed[failed.length - 1].failure;
      out.error = failed[failed.length - 1].error;
    }
    return out;
  }

  /** k wire requests of one choice each, dispatched together (the limiter keeps their order). */
  async function singles(request: LlmRequest, k: number): Promise<WireResult> {
    const parts = await Promise.all(Array.from({ length: k }, () => wire(request, 1)));
    return merge(parts);
  }

  async function gather(request: LlmRequest, n: number): Promise<WireResult> {
    if (n === 1) return wire(request, 1);
    if (nIgnored) return singles(request, n);
    const parts: WireResult[] = [];
    const first = await wire(request, n);
    if (first.nRejected) {
      nIgnored = true;
      trace.write({ event: 'n-ignored', session, reason: 'rejected', error: first.error });
      return singles(request, n);
    }
    parts.push(first);
    if (nMode === 'native' || first.failure) return merge(parts);
    let got = first.choices.length;
    while (got < n) {
      if (got <= 1 || nIgnored) {
        if (!nIgnored)
          trace.write({ event: 'n-ignored', session, reason: `asked for ${n} choices, got ${got}` });
        nIgnored = true;
        parts.push(await singles(request, n - got));
        break;
      }
      const more = await wire(request, n - got);
      parts.push(more);
      if (more.choices.length === 0) break;
      got += more.choices.length;
    }
    return merge(parts);
  }

  return {
    session,
    model: config.model,
    baseURL: config.baseURL,
    async complete(request: LlmRequest): Promise<GatewayReply> {
      const n = request.n ?? 1;
      if (!Number.isInteger(n) || n < 1)
        throw new RangeError(`LlmRequest.n must be a positive integer, got ${request.n}`);
      const key: UsageKey = { stage: request.stage, purpose: request.purpose, task: request.task };
      let result: WireResult;
      try {
        result = await gather(request, n);
      } catch (err) {
        tracker.add(key, { failed: 1 });
        throw err;
      }
      const texts = result.choices.filter((c) => c.text !== null).map((c) => c.text!);
      return {
        texts,
        usage: result.usage,
        requestId: result.requestId,
        choices: result.choices,
        declined: result.choices.filter((c) => c.declined).length,
        attempts: result.attempts,
        ...(result.failure ? { failure: result.failure, error: result.error } : {}),
      };
    },
    usage: () => tracker.report(nIgnored),
    budgetStatus: () => tracker.status(),
    async close() {
      if (closed) return;
      closed = true;
      trace.write({ event: 'end', session, usage: tracker.report(nIgnored) });
      trace.close();
    },
  };
}
