// A scripted OpenAI-compatible chat-completions server for tests: real HTTP on 127.0.0.1 (a free port), so
// the real `openai` client (and the LLM gateway in src/llm) talks to it exactly as to a live endpoint.
//
//   const server = await startScriptedServer({
//     script: {
//       'stage1.code': codeReply('def f(x):\n    return x + 1'),            // every stage1.code request
//       'stage1.ut-output@HumanEval/0': ['```json\n{"expected": "True"}\n```', null],  // choice 1 text, choice 2 declined
//       'ut-input': (ctx) => jsonReply({ inputs: [`f(${ctx.call})`] }),  // a function: per request
//     },
//     faults: [{ fault: { type: 'rate-limit', retryAfter: 0 }, when: { purpose: 'code' } }],
//   });
//   const llm = createLlm(testLlmConfig(server));
//   ...
//   expect(server.requests[0].headers['x-cosplay-stage']).toBe('stage1.code');
//   await server.close();
//
// Script lookup for a request (first hit wins): `<stage>.<purpose>@<task>`, `<stage>.<purpose>`,
// `<purpose>@<task>`, `<purpose>`, `*`; a script function instead answers every request itself. Requests the
// script does not cover are declined (like the replay model does): every choice finish_reason
// "content_filter" with empty content, and the response header x-cosplay-declined: 1.
//
// Answers (ScriptAnswer):
//   'text'                    every one of the n choices is this text (finish_reason "stop")
//   null                      every choice is declined
//   ['a', null, 'c']          one entry per choice; a shorter array yields fewer choices than n
//   { text, finishReason }    a choice with another finish_reason (e.g. "length")
//   { choices: [...], usage } full control; usage null omits the usage field
//
// Faults are rules checked in order for every request; the first that matches and has uses left fires and
// uses one up (default `times: 1`; `times: Infinity` for always). A fault given without `when` hits the
// next request, whatever it is. Kinds: see `Fault` below.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmConfig } from '../../src/llm/config.js';
import {
  DECLINED_FINISH_REASON,
  H_DECLINED,
  fence,
  jsonBlock,
  readProtocolHeaders,
} from '../../src/llm/protocol.js';
import type { ChatMessage } from '../../src/types.js';

export type ChoiceSpec = string | null | { text: string | null; finishReason?: string };
export interface ScriptUsage {
  prompt_tokens: number;
  completion_tokens: number;
}
export type ScriptAnswer = ChoiceSpec | ChoiceSpec[] | { choices: ChoiceSpec[]; usage?: ScriptUsage | null };

export interface ScriptContext {
  stage: string;
  purpose: string;
  task: string;
  meta?: Record<string, unknown>;
  /** Choices asked for (`n`, default 1). */
  n: number;
  requestId?: string;
  session?: string;
  seq?: number;
  messages: ChatMessage[];
  /** The parsed request body. */
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** 0-based: how many earlier requests had the same stage.purpose and task (retries included). */
  call: number;
}

export type ScriptFn = (ctx: ScriptContext) => ScriptAnswer | Promise<ScriptAnswer>;
export type ScriptTable = Record<string, ScriptAnswer | ScriptFn>;
export type Script = ScriptFn | ScriptTable;

export type Fault =
  /** HTTP 429 with `retry-after` (seconds, or an HTTP date string) and/or `retry-after-ms`. */
  | { type: 'rate-limit'; retryAfter?: number | string; retryAfterMs?: number }
  /** HTTP 500 (or another 5xx). */
  | { type: 'server-error'; status?: number }
  /** Never answers: the request hangs until the client gives up or the server closes. */
  | { type: 'hang' }
  /** Sends status and headers and half a body, then hangs (a stall after the headers). */
  | { type: 'hang-body' }
  /** HTTP 200, content-type application/json, a body cut off in the middle of the JSON. */
  | { type: 'malformed-json' }
  /** A valid completion whose texts are the scripted ones cut inside their code fence, finish_reason "length". */
  | { type: 'truncated-fence' }
  /** HTTP 200 with `choices: []`. */
  | { type: 'empty-choices' }
  /** HTTP 200 with content-type text/html and an HTML page (a proxy or login page). */
  | { type: 'wrong-content-type' }
  /** The connection is destroyed without a response. */
  | { type: 'reset' }
  /** Any status with any body, e.g. 401, 400, 503. */
  | {
      type: 'status';
      status: number;
      body?: string | Record<string, unknown>;
      headers?: Record<string, string>;
    };
export type FaultType = Fault['type'];

export interface FaultMatch {
  stage?: string;
  purpose?: string;
  task?: string;
  requestId?: string;
}

export interface FaultRule {
  fault: Fault | FaultType;
  /** How many requests it hits (default 1). */
  times?: number;
  /**
   * Which requests it may hit (default: any): fields that must be equal, or a predicate. (Named `when`, not
   * `match`: a property called `match` would clash with String.prototype.match in contextual typing.)
   */
  when?: FaultMatch | ((req: RecordedRequest) => boolean);
}

export interface RecordedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body (undefined when it did not parse). */
  body?: Record<string, unknown>;
  stage: string;
  purpose: string;
  task: string;
  requestId?: string;
  session?: string;
  seq?: number;
  meta?: Record<string, unknown>;
  n: number;
  messages: ChatMessage[];
  /** The fault injected into this request, if any. */
  fault?: FaultType;
  /** HTTP status sent (undefined for hang / reset). */
  status?: number;
  /** Choice texts sent (null = declined), for answered requests. */
  texts?: Array<string | null>;
}

export interface ScriptedServerOptions {
  script?: Script;
  /** Delay before every answer (ms), or a function of the request. */
  latencyMs?: number | ((req: RecordedRequest) => number);
  faults?: Array<FaultRule | Fault | FaultType>;
  /** Answer one choice whatever `n` asks (a provider that ignores n). */
  ignoreN?: boolean;
  /** Refuse n > 1 with HTTP 400 "n must be 1" (a provider that rejects n). */
  rejectN?: boolean;
  /** Report `usage` (default true; counted as characters / 4). False: omit it, like some local servers. */
  usage?: boolean;
  /** The model name in replies (default: the request's). */
  model?: string;
}

export interface ScriptedServer {
  /** Base URL for the openai client / LlmConfig.baseURL, e.g. `http://127.0.0.1:43123/v1`. */
  url: string;
  port: number;
  /** Every request received, in arrival order (faulted ones included). */
  requests: RecordedRequest[];
  /** Chat-completion requests of one stage.purpose (and task). */
  requestsFor(stagePurpose: string, task?: string): RecordedRequest[];
  setScript(script: Script): void;
  /** Replaces the pending fault rules. */
  setFaults(rules: Array<FaultRule | Fault | FaultType>): void;
  addFault(rule: FaultRule | Fault | FaultType): void;
  /** Uses left over all pending fault rules (Infinity when a rule has `times: Infinity`). */
  pendingFaults(): number;
  setLatency(latency: number | ((req: RecordedRequest) => number)): void;
  setOptions(opts: Pick<ScriptedServerOptions, 'ignoreN' | 'rejectN' | 'usage' | 'model'>): void;
  /** Forgets recorded requests and per-key call counters. */
  clear(): void;
  close(): Promise<void>;
}

/** A reply holding `code` in a fenced block (the `code` / `fix` reply format). */
export function codeReply(code: string, language = 'python'): string {
  return `Here is the program.\n\n${fence(code, language)}`;
}

/** A reply holding `value` in a ```json block (the `ut-input`, `ut-output`, `inputs`, ... reply format). */
export function jsonReply(value: unknown): string {
  return jsonBlock(value);
}

/** A script function answering the k-th request of its key with answers[k] (the last one repeats). */
export function sequence(...answers: ScriptAnswer[]): ScriptFn {
  return (ctx) => answers[Math.min(ctx.call, answers.length - 1)];
}

/** An LlmConfig pointed at the server, with fast retries and a short timeout for tests. */
export function testLlmConfig(server: { url: string }, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    baseURL: server.url,
    apiKey: 'sk-test-0123456789abcdef',
    model: 'scripted',
    maxCompletionTokens: 512,
    requestTimeoutMs: 5_000,
    maxRetries: 3,
    concurrency: 4,
    budget: {},
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...overrides,
  };
}

interface LiveRule {
  fault: Fault;
  left: number;
  when?: FaultRule['when'];
}

function toRule(r: FaultRule | Fault | FaultType): LiveRule {
  if (typeof r === 'string') return { fault: { type: r } as Fault, left: 1 };
  if ('type' in r) return { fault: r, left: 1 };
  const fault = typeof r.fault === 'string' ? ({ type: r.fault } as Fault) : r.fault;
  return { fault, left: r.times ?? 1, when: r.when };
}

function matches(rule: LiveRule, req: RecordedRequest): boolean {
  const m = rule.when;
  if (!m) return true;
  if (typeof m === 'function') return m(req);
  return (
    (m.stage === undefined || m.stage === req.stage) &&
    (m.purpose === undefined || m.purpose === req.purpose) &&
    (m.task === undefined || m.task === req.task) &&
    (m.requestId === undefined || m.requestId === req.requestId)
  );
}

function normalizeChoices(
  answer: ScriptAnswer,
  n: number,
): { choices: Array<{ text: string | null; finishReason: string }>; usage?: ScriptUsage | null } {
  const one = (c: ChoiceSpec) =>
    c === null
      ? { text: null, finishReason: DECLINED_FINISH_REASON }
      : typeof c === 'string'
        ? { text: c, finishReason: 'stop' }
        : {
            text: c.text,
            finishReason: c.finishReason ?? (c.text === null ? DECLINED_FINISH_REASON : 'stop'),
          };
  if (Array.isArray(answer)) return { choices: answer.slice(0, n).map(one) };
  if (answer !== null && typeof answer === 'object' && 'choices' in answer)
    return { choices: answer.choices.slice(0, n).map(one), usage: answer.usage };
  return { choices: Array.from({ length: n }, () => one(answer as ChoiceSpec)) };
}

/** Cuts a text inside its (first) fenced block, dropping the closing fence. */
function truncateFence(text: string | null): string {
  const t = text ?? '';
  const m = /```[^\n]*\n/.exec(t);
  if (!m) return '```python\n' + t.slice(0, Math.max(1, Math.floor(t.length / 2)));
  const start = m.index + m[0].length;
  const close = t.indexOf('```', start);
  const end = close < 0 ? t.length : close;
  return t.slice(0, start + Math.max(1, Math.floor((end - start) / 2)));
}

const approxTokens = (s: string) => Math.ceil(s.length / 4);

export async function startScriptedServer(opts: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  let script: Script | undefined = opts.script;
  let latency = opts.latencyMs ?? 0;
  let rules: LiveRule[] = (opts.faults ?? []).map(toRule);
  let options = {
    ignoreN: opts.ignoreN ?? false,
    rejectN: opts.rejectN ?? false,
    usage: opts.usage ?? true,
    model: opts.model,
  };
  const requests: RecordedRequest[] = [];
  let calls = new Map<string, number>();

  function lookup(ctx: ScriptContext): ScriptAnswer | ScriptFn | undefined {
    if (!script) return undefined;
    if (typeof script === 'function') return script;
    const sp = `${ctx.stage}.${ctx.purpose}`;
    for (const k of [`${sp}@${ctx.task}`, sp, `${ctx.purpose}@${ctx.task}`, ctx.purpose, '*'])
      if (Object.prototype.hasOwnProperty.call(script, k)) return script[k];
    return undefined;
  }

  function send(
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    rec.status = status;
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const fields = readProtocolHeaders(req.headers);
    const n = typeof body?.n === 'number' ? body.n : 1;
    const messages = (Array.isArray(body?.messages) ? body!.messages : []) as ChatMessage[];
    const path = (req.url ?? '/').split('?')[0];
    const rec: RecordedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path,
      headers,
      rawBody,
      body,
      stage: fields.stage,
      purpose: fields.purpose,
      task: fields.task,
      requestId: fields.requestId,
      session: fields.session,
      seq: fields.seq,
      meta: fields.meta,
      n,
      messages,
    };
    requests.push(rec);

    if (req.method === 'GET' && /\/models\/?$/.test(path)) {
      send(
        res,
        rec,
        200,
        JSON.stringify({ object: 'list', data: [{ id: options.model ?? 'scripted', object: 'model' }] }),
      );
      return;
    }
    if (req.method !== 'POST' || !/\/chat\/completions\/?$/.test(path)) {
      send(res, rec, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    if (!body) {
      send(res, rec, 400, JSON.stringify({ error: { message: 'body is not JSON' } }));
      return;
    }

    const key = `${fields.stage}.${fields.purpose}\u0000${fields.task}`;
    const call = calls.get(key) ?? 0;
    calls.set(key, call + 1);

    const ms = typeof latency === 'function' ? latency(rec) : latency;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));

    const rule = rules.find((r) => r.left > 0 && matches(r, rec));
    const fault = rule?.fault;
    if (rule) rule.left--;
    if (fault) rec.fault = fault.type;

    switch (fault?.type) {
      case 'rate-limit': {
        const h: Record<string, string> = {};
        if (fault.retryAfter !== undefined) h['retry-after'] = String(fault.retryAfter);
        if (fault.retryAfterMs !== undefined) h['retry-after-ms'] = String(fault.retryAfterMs);
        send(
          res,
          rec,
          429,
          JSON.stringify({
            error: { message: 'Rate limit reached (scripted)', type: 'rate_limit', code: 'RateLimitReached' },
          }),
          h,
        );
        return;
      }
      case 'server-error':
        send(
          res,
          rec,
          fault.status ?? 500,
          JSON.stringify({ error: { message: 'Internal server error (scripted)', type: 'server_error' } }),
        );
        return;
      case 'status':
        send(
          res,
          rec,
          fault.status,
          typeof fault.body === 'string'
            ? fault.body
            : JSON.stringify(fault.body ?? { error: { message: `scripted ${fault.status}` } }),
          fault.headers,
        );
        return;
      case 'hang':
        return; // never answered; close() cuts the connection
      case 'hang-body':
        rec.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-hang","object":"chat.completion","choices":[');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed-json':
        send(
          res,
          rec,
          200,
          '{"id":"chatcmpl-bad","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"```python\\ndef f(',
        );
        return;
      case 'empty-choices':
        send(
          res,
          rec,
          200,
          JSON.stringify({
            id: 'chatcmpl-empty',
            object: 'chat.completion',
            created: 0,
            model: 'scripted',
            choices: [],
          }),
        );
        return;
      case 'wrong-content-type':
        rec.status = 200;
        {
          const html =
            '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>';
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-length': String(Buffer.byteLength(html)),
          });
          res.end(html);
        }
        return;
    }

    if (options.rejectN && n > 1) {
      send(
        res,
        rec,
        400,
        JSON.stringify({
          error: {
            message: "Invalid 'n': this model only supports n=1",
            type: 'invalid_request_error',
            param: 'n',
          },
        }),
      );
      return;
    }

    const ctx: ScriptContext = {
      stage: fields.stage,
      purpose: fields.purpose,
      task: fields.task,
      meta: fields.meta,
      n,
      requestId: fields.requestId,
      session: fields.session,
      seq: fields.seq,
      messages,
      body,
      headers,
      call,
    };
    let answer: ScriptAnswer;
    try {
      const entry = lookup(ctx);
      answer = entry === undefined ? null : typeof entry === 'function' ? await entry(ctx) : entry;
    } catch (err) {
      send(
        res,
        rec,
        500,
        JSON.stringify({ error: { message: `the script threw: ${(err as Error).message}` } }),
      );
      return;
    }
    const wanted = options.ignoreN ? 1 : n;
    const norm = normalizeChoices(answer, wanted);
    let choices = norm.choices;
    if (fault?.type === 'truncated-fence')
      choices = choices.map((c) => ({ text: truncateFence(c.text), finishReason: 'length' }));
    rec.texts = choices.map((c) => c.text);
    const promptChars = messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('');
    const usage =
      norm.usage !== undefined
        ? norm.usage
        : options.usage
          ? {
              prompt_tokens: approxTokens(promptChars),
              completion_tokens: choices.reduce((s, c) => s + approxTokens(c.text ?? ''), 0),
            }
          : null;
    const reply: Record<string, unknown> = {
      id: `chatcmpl-scripted-${rec.index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: options.model ?? (typeof body.model === 'string' ? body.model : 'scripted'),
      choices: choices.map((c, index) => ({
        index,
        message: { role: 'assistant', content: c.text ?? '', refusal: null },
        finish_reason: c.finishReason,
        logprobs: null,
      })),
    };
    if (usage) reply.usage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const declined = choices.some((c) => c.text === null && c.finishReason === DECLINED_FINISH_REASON);
    send(res, rec, 200, JSON.stringify(reply), declined ? { [H_DECLINED]: '1' } : {});
  }

  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `scripted server error: ${(err as Error).message}` } }));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    requestsFor: (stagePurpose, task) =>
      requests.filter(
        (r) => `${r.stage}.${r.purpose}` === stagePurpose && (task === undefined || r.task === task),
      ),
    setScript: (s) => {
      script = s;
    },
    setFaults: (r) => {
      rules = r.map(toRule);
    },
    addFault: (r) => {
      rules.push(toRule(r));
    },
    pendingFaults: () => rules.reduce((s, r) => s + r.left, 0),
    setLatency: (l) => {
      latency = l;
    },
    setOptions: (o) => {
      options = { ...options, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
    },
    clear: () => {
      requests.length = 0;
      calls = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
