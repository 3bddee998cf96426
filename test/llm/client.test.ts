import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLlm, type GatewayLlm } from '../../src/llm/client.js';
import type { LlmConfig } from '../../src/llm/config.js';
import { extractCodeBlock, extractJson } from '../../src/llm/parse.js';
import { decodeMeta } from '../../src/llm/protocol.js';
import { BudgetExceededError, LlmUnavailableError, type LlmRequest } from '../../src/types.js';
import {
  codeReply,
  jsonReply,
  sequence,
  startScriptedServer,
  testLlmConfig,
  type ScriptedServer,
} from '../support/scripted-server.js';

const CODE = 'def add(a, b):\n    return a + b\n';

function req(over: Partial<LlmRequest> = {}): LlmRequest {
  return {
    stage: 'stage1',
    purpose: 'code',
    task: 'HumanEval/0',
    messages: [
      { role: 'system', content: 'You write Python.' },
      { role: 'user', content: 'Write add(a, b).' },
    ],
    ...over,
  };
}

let server: ScriptedServer;
let llm: GatewayLlm | undefined;
let delays: number[];

function client(over: Partial<LlmConfig> = {}): GatewayLlm {
  llm = createLlm(testLlmConfig(server, over), {
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  return llm;
}

beforeEach(async () => {
  delays = [];
  server = await startScriptedServer({
    script: {
      'stage1.code': codeReply(CODE),
      'ut-output': jsonReply({ expected: 'True' }),
      'ut-input': (ctx) =>
        jsonReply({ inputs: Array.from({ length: Number(ctx.meta?.count ?? 1) }, (_, i) => `add(${i}, 1)`) }),
    },
  });
});

afterEach(async () => {
  await llm?.close();
  llm = undefined;
  await server.close();
});

describe('requests on the wire', () => {
  it('names stage, purpose, task, request id and meta in headers and always sets max_completion_tokens', async () => {
    const c = client({ temperature: 0.3, topP: 0.9, maxCompletionTokens: 777 });
    const r = await c.complete(req({ purpose: 'ut-input', meta: { count: 3, input: 'f("x")' } }));
    expect(r.texts).toHaveLength(1);
    expect(extractJson<{ inputs: string[] }>(r.texts[0])!.inputs).toEqual([
      'add(0, 1)',
      'add(1, 1)',
      'add(2, 1)',
    ]);
    const [w] = server.requests;
    expect(w.path).toBe('/v1/chat/completions');
    expect(w.headers['x-cosplay-stage']).toBe('stage1.ut-input');
    expect(w.headers['x-cosplay-task']).toBe('HumanEval/0');
    expect(w.headers['x-cosplay-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(w.headers['x-cosplay-request-id']).toBe(r.requestId);
    expect(decodeMeta(w.headers['x-cosplay-meta'])).toEqual({ count: 3, input: 'f("x")' });
    expect(w.headers['x-cosplay-session']).toBe(c.session);
    expect(w.headers['x-cosplay-seq']).toBe('0');
    expect(w.headers.authorization).toBe('Bearer sk-test-0123456789abcdef');
    expect(w.body).toMatchObject({
      model: 'scripted',
      max_completion_tokens: 777,
      temperature: 0.3,
      top_p: 0.9,
    });
    expect(w.body!.n).toBeUndefined();
    expect(w.body!.messages).toEqual(req().messages);
  });

  it('lets the request override temperature and max tokens, and omits meta when absent', async () => {
    const c = client({ temperature: 0.3 });
    await c.complete(req({ temperature: 1.1, maxCompletionTokens: 99 }));
    const [w] = server.requests;
    expect(w.body).toMatchObject({ temperature: 1.1, max_completion_tokens: 99 });
    expect(w.headers['x-cosplay-meta']).toBeUndefined();
  });

  it('numbers requests per task and stage.purpose in dispatch order', async () => {
    const c = client({ concurrency: 1 });
    await Promise.all([
      c.complete(req()),
      c.complete(req()),
      c.complete(req({ purpose: 'ut-output' })),
      c.complete(req()),
    ]);
    expect(server.requests.map((r) => `${r.purpose}:${r.seq}`)).toEqual([
      'code:0',
      'code:1',
      'ut-output:0',
      'code:2',
    ]);
  });

  it('asks for n choices in one request', async () => {
    const c = client();
    const r = await c.complete(req({ n: 4 }));
    expect(r.texts).toHaveLength(4);
    expect(r.texts.map((t) => extractCodeBlock(t, 'python'))).toEqual([CODE, CODE, CODE, CODE]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body!.n).toBe(4);
  });

  it('tops up with single requests when the provider ignores n, and remembers it', async () => {
    server.setOptions({ ignoreN: true });
    server.setScript({ 'stage1.code': (ctx) => codeReply(`x = ${ctx.call}`) });
    const c = client();
    const r = await c.complete(req({ n: 3 }));
    expect(r.texts.map((t) => extractCodeBlock(t, 'python'))).toEqual(['x = 0\n', 'x = 1\n', 'x = 2\n']);
    expect(server.requests.map((w) => w.body!.n ?? 1)).toEqual([3, 1, 1]);
    expect(new Set(server.requests.map((w) => w.requestId)).size).toBe(3);
    expect(c.usage().nIgnored).toBe(true);
    server.clear();
    const r2 = await c.complete(req({ n: 2 }));
    expect(r2.texts).toHaveLength(2);
    expect(server.requests.map((w) => w.body!.n ?? 1)).toEqual([1, 1]);
  });

  it('falls back to single requests when the provider rejects n', async () => {
    server.setOptions({ rejectN: true });
    const c = client();
    const r = await c.complete(req({ n: 3 }));
    expect(r.texts).toHaveLength(3);
    expect(r.failure).toBeUndefined();
    expect(server.requests.map((w) => w.status)).toEqual([400, 200, 200, 200]);
    expect(c.usage().nIgnored).toBe(true);
  });

  it('in repeat mode never sends n', async () => {
    const c = client({ nMode: 'repeat' });
    const r = await c.complete(req({ n: 2 }));
    expect(r.texts).toHaveLength(2);
    expect(server.requests.map((w) => w.body!.n)).toEqual([undefined, undefined]);
  });

  it('limits concurrent requests', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const gate: Array<() => void> = [];
    server.setScript(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => gate.push(r));
      inFlight--;
      return codeReply(CODE);
    });
    const c = client({ concurrency: 2 });
    const all = Promise.all(Array.from({ length: 6 }, () => c.complete(req())));
    while (gate.length < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    expect(server.requests).toHaveLength(2);
    const release = setInterval(() => gate.splice(0).forEach((g) => g()), 5);
    const replies = await all;
    clearInterval(release);
    expect(replies.every((r) => r.texts.length === 1)).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(2);
  });
});

describe('declines', () => {
  it('maps a declined choice to no text without retrying', async () => {
    server.setScript({ 'stage1.ut-output': ['```json\n{"expected": "1"}\n```', null, null] });
    const c = client();
    const r = await c.complete(req({ purpose: 'ut-output', n: 3, meta: { input: 'f(1)' } }));
    expect(r.texts).toEqual(['```json\n{"expected": "1"}\n```']);
    expect(r.declined).toBe(2);
    expect(r.choices.map((ch) => ch.declined)).toEqual([false, true, true]);
    expect(r.failure).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(c.usage().total).toMatchObject({ declined: 2, texts: 1, retries: 0, requests: 1 });
  });

  it('declines what the script does not cover', async () => {
    const c = client();
    const r = await c.complete(req({ purpose: 'hints', n: 2 }));
    expect(r.texts).toEqual([]);
    expect(r.declined).toBe(2);
    expect(server.requests).toHaveLength(1);
  });
});

describe('faults', () => {
  it('429 with retry-after in seconds: waits as asked and retries with the same request id', async () => {
    server.setFaults([{ type: 'rate-limit', retryAfter: 2 }]);
    const c = client();
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    expect(server.requests.map((w) => w.status)).toEqual([429, 200]);
    expect(server.requests[1].requestId).toBe(server.requests[0].requestId);
    expect(delays).toEqual([2000]);
    expect(c.usage().total).toMatchObject({ requests: 2, retries: 1, logicalRequests: 1 });
  });

  it('429 with retry-after-ms and with an HTTP date', async () => {
    server.setFaults([
      { type: 'rate-limit', retryAfterMs: 7 },
      { type: 'rate-limit', retryAfter: new Date(Date.now() + 60_000).toUTCString() },
    ]);
    const c = client();
    await c.complete(req());
    expect(delays[0]).toBe(7);
    expect(delays[1]).toBeGreaterThan(50_000);
    expect(delays[1]).toBeLessThanOrEqual(60_000);
  });

  it('429 asking for a longer wait than the run allows: unavailable, without waiting', async () => {
    server.setFaults([{ type: 'rate-limit', retryAfter: 86_400 }]);
    const c = client({ maxRetryAfterMs: 60_000 });
    await expect(c.complete(req())).rejects.toThrow(LlmUnavailableError);
    await expect(c.complete(req())).resolves.toMatchObject({ texts: [expect.any(String)] });
    expect(delays).toEqual([]);
  });

  it('500: backs off and retries', async () => {
    server.setFaults(['server-error', { type: 'server-error', status: 503 }]);
    const c = client({ retryBaseDelayMs: 100, retryMaxDelayMs: 1000 });
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    expect(server.requests.map((w) => w.status)).toEqual([500, 503, 200]);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('a hang past the client timeout is abandoned and retried', async () => {
    server.setFaults(['hang']);
    const c = client({ requestTimeoutMs: 1000 });
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    // (on a very loaded machine a healthy attempt may time out too: only the shape is asserted)
    expect(server.requests[0].fault).toBe('hang');
    expect(server.requests.at(-1)!.status).toBe(200);
    expect(new Set(server.requests.map((w) => w.requestId)).size).toBe(1);
  });

  it('a stall after the headers is abandoned too', async () => {
    server.setFaults(['hang-body']);
    const c = client({ requestTimeoutMs: 1000 });
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    expect(server.requests[0].fault).toBe('hang-body');
    expect(server.requests.at(-1)!.status).toBe(200);
    expect(c.usage().total.retries).toBe(server.requests.length - 1);
  });

  it('a reset connection is retried', async () => {
    server.setFaults(['reset']);
    const c = client();
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it.each(['malformed-json', 'empty-choices', 'wrong-content-type'] as const)(
    '%s is retried',
    async (fault) => {
      server.setFaults([fault]);
      const c = client();
      const r = await c.complete(req());
      expect(r.texts).toHaveLength(1);
      expect(r.failure).toBeUndefined();
      expect(server.requests.map((w) => w.fault ?? 'ok')).toEqual([fault, 'ok']);
    },
  );

  it.each([
    ['malformed-json', 'unparseable'],
    ['empty-choices', 'empty-choices'],
    ['wrong-content-type', 'unparseable'],
  ] as const)('%s on every attempt ends as an unusable reply, not a crash', async (fault, kind) => {
    server.setFaults([{ fault, times: Infinity }]);
    const c = client({ maxRetries: 2 });
    const r = await c.complete(req());
    expect(r.texts).toEqual([]);
    expect(r.failure).toBe(kind);
    expect(r.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(c.usage().total).toMatchObject({ unusable: 1, failed: 0, requests: 3, retries: 2 });
  });

  it('a truncated code fence comes back as text (finish_reason length) that yields no program', async () => {
    server.setFaults(['truncated-fence']);
    const c = client();
    const r = await c.complete(req({ n: 2 }));
    expect(r.texts).toHaveLength(2);
    expect(r.choices.map((ch) => ch.finishReason)).toEqual(['length', 'length']);
    expect(r.texts.map((t) => extractCodeBlock(t, 'python'))).toEqual([null, null]);
    expect(server.requests).toHaveLength(1);
  });

  it('5xx on every attempt: LlmUnavailableError saying what to check', async () => {
    server.setFaults([{ fault: 'server-error', times: Infinity }]);
    const c = client({ maxRetries: 2 });
    const err = await c.complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.message).toMatch(/after 3 attempt/);
    expect(err.message).toMatch(/HTTP 500/);
    expect(err.message).toMatch(/Check /);
    expect(server.requests).toHaveLength(3);
    expect(c.usage().total.failed).toBe(1);
  });

  it('an endpoint that is down: LlmUnavailableError naming the base URL', async () => {
    const url = server.url;
    await server.close();
    server = await startScriptedServer();
    const c = createLlm(testLlmConfig({ url }, { maxRetries: 1 }), { sleep: async () => {} });
    llm = c;
    const err = await c.complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.message).toContain(url);
    expect(err.message).toMatch(/running and reachable/);
  });

  it('401 is not retried and points at the key', async () => {
    server.setFaults([{ type: 'status', status: 401, body: { error: { message: 'Bad credentials' } } }]);
    const c = client();
    const err = await c.complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.message).toMatch(/API key/);
    expect(err.message).toMatch(/models: read/);
    expect(err.message).not.toContain('sk-test-0123456789abcdef');
    expect(server.requests).toHaveLength(1);
  });

  it('a 400 is an unusable reply; a run whose every request is refused stops', async () => {
    server.setFaults([
      { fault: { type: 'status', status: 400, body: { error: { message: 'context too long' } } }, times: 1 },
    ]);
    const c = client();
    const first = await c.complete(req());
    expect(first).toMatchObject({ texts: [], failure: 'rejected' });
    expect((await c.complete(req())).texts).toHaveLength(1);

    const c2 = client();
    server.setFaults([
      {
        fault: { type: 'status', status: 400, body: { error: { message: 'unknown model' } } },
        times: Infinity,
      },
    ]);
    await expect(c2.complete(req())).resolves.toMatchObject({ failure: 'rejected' });
    await expect(c2.complete(req())).resolves.toMatchObject({ failure: 'rejected' });
    await expect(c2.complete(req())).rejects.toThrow(/every request so far was refused/);
    await c.close();
  });

  it('faults can target one purpose and task', async () => {
    server.setFaults([{ fault: 'server-error', when: { purpose: 'ut-output', task: 'T2' } }]);
    const c = client();
    await c.complete(req());
    await c.complete(req({ purpose: 'ut-output', task: 'T1' }));
    await c.complete(req({ purpose: 'ut-output', task: 'T2' }));
    expect(server.requests.map((w) => `${w.task}:${w.status}`)).toEqual([
      'HumanEval/0:200',
      'T1:200',
      'T2:500',
      'T2:200',
    ]);
    expect(server.pendingFaults()).toBe(0);
  });
});

describe('tokens', () => {
  it('takes the usage the server reports', async () => {
    server.setScript({
      'stage1.code': { choices: [codeReply(CODE)], usage: { prompt_tokens: 100, completion_tokens: 20 } },
    });
    const c = client();
    const r = await c.complete(req());
    expect(r.usage).toEqual({ promptTokens: 100, completionTokens: 20 });
    expect(c.usage().total).toMatchObject({
      promptTokens: 100,
      completionTokens: 20,
      estimatedTokens: 0,
      tokens: 120,
    });
  });

  it('counts with the tokenizer when the server reports none', async () => {
    server.setOptions({ usage: false });
    const c = client();
    const r = await c.complete(req({ n: 2 }));
    expect(r.usage.promptTokens).toBeGreaterThan(5);
    expect(r.usage.completionTokens).toBeGreaterThan(10);
    const t = c.usage().total;
    expect(t.estimatedTokens).toBe(t.promptTokens + t.completionTokens);
  });

  it('reports spending per stage, per purpose and per task', async () => {
    const c = client();
    await c.complete(req());
    await c.complete(req({ stage: 'stage2', purpose: 'ut-output', task: 'T2', n: 2 }));
    server.setFaults(['server-error']);
    await c.complete(req({ stage: 'stage2', purpose: 'ut-output', task: 'T2' }));
    const u = c.usage();
    expect(Object.keys(u.byStage)).toEqual(['stage1', 'stage2']);
    expect(u.byPurpose['stage1.code']).toMatchObject({ requests: 1, logicalRequests: 1, texts: 1 });
    expect(u.byPurpose['stage2.ut-output']).toMatchObject({
      requests: 3,
      logicalRequests: 2,
      retries: 1,
      texts: 3,
    });
    expect(u.byTask.T2.requests).toBe(3);
    expect(u.total.requests).toBe(4);
    expect(u.total.promptTokens).toBe(u.byStage.stage1.promptTokens + u.byStage.stage2.promptTokens);
  });
});

describe('budgets', () => {
  it('requests: fails fast once spent, retries included', async () => {
    server.setFaults(['server-error']);
    const c = client({ budget: { maxRequests: 3 } });
    await c.complete(req());
    await c.complete(req());
    const err = await c.complete(req()).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err.budget).toBe('requests');
    expect(server.requests).toHaveLength(3);
    expect(c.budgetStatus()).toMatchObject({
      exhausted: 'requests',
      requests: { used: 3, limit: 3, remaining: 0 },
    });
    expect(c.usage().total.failed).toBe(1);
  });

  it('tokens: fails fast once spent', async () => {
    server.setScript({
      '*': { choices: ['```python\nx = 1\n```'], usage: { prompt_tokens: 60, completion_tokens: 10 } },
    });
    const c = client({ budget: { maxTokens: 100 } });
    await c.complete(req());
    await c.complete(req());
    await expect(c.complete(req())).rejects.toMatchObject({ name: 'BudgetExceededError', budget: 'tokens' });
    expect(server.requests).toHaveLength(2);
    expect(c.budgetStatus().tokens).toEqual({ used: 140, limit: 100, remaining: 0 });
  });

  it('per stage: a spent stage budget leaves other stages running', async () => {
    const c = client({ budget: { perStage: { stage1: { maxRequests: 1 } } } });
    await c.complete(req());
    await expect(c.complete(req())).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(c.complete(req({ stage: 'stage3', purpose: 'inputs' }))).resolves.toBeDefined();
  });

  it('wall time: fails fast without sending, and never sleeps past it', async () => {
    let t = 1_000_000;
    const c = createLlm(testLlmConfig(server, { budget: { maxWallMs: 10_000 } }), {
      now: () => t,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    llm = c;
    await c.complete(req());
    server.setFaults([{ type: 'rate-limit', retryAfter: 30 }]);
    await expect(c.complete(req())).rejects.toMatchObject({ budget: 'wallMs' });
    expect(delays).toEqual([]);
    t += 10_000;
    const before = server.requests.length;
    await expect(c.complete(req())).rejects.toMatchObject({ budget: 'wallMs' });
    expect(server.requests.length).toBe(before);
    expect(c.budgetStatus().exhausted).toBe('wallMs');
  });

  it('queued calls fail fast once a budget runs out while they wait', async () => {
    const c = client({ concurrency: 1, budget: { maxRequests: 2 } });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.complete(req())));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('scripted server API', () => {
  it('looks up task-specific entries first and counts calls per key', async () => {
    server.setScript({
      'stage1.code@T9': sequence(codeReply('a = 1'), codeReply('a = 2')),
      'stage1.code': codeReply('b = 1'),
      '*': 'fallback',
    });
    const c = client();
    const texts = [];
    for (const task of ['T9', 'T9', 'T9', 'T1']) texts.push((await c.complete(req({ task }))).texts[0]);
    expect(texts.map((t) => extractCodeBlock(t, 'python'))).toEqual([
      'a = 1\n',
      'a = 2\n',
      'a = 2\n',
      'b = 1\n',
    ]);
    expect((await c.complete(req({ purpose: 'plans' }))).texts).toEqual(['fallback']);
    expect(server.requestsFor('stage1.code', 'T9')).toHaveLength(3);
  });

  it('answers fewer choices when the script gives fewer', async () => {
    server.setScript({ 'stage1.code': ['only one'] });
    const c = client({ nMode: 'native' });
    const r = await c.complete(req({ n: 3 }));
    expect(r.texts).toEqual(['only one']);
  });
});

/** A client with no count of retries (only its time budget) whose endpoint has answered once. */
async function answeredOnce(over: Partial<LlmConfig>): Promise<GatewayLlm> {
  const c = client({ maxRetries: undefined, ...over });
  await c.complete(req());
  return c;
}

describe('retries on a time budget; the endpoint is down only when failures keep coming', () => {
  it('a request that meets eight faults in a row still gets its answer (no fixed count of retries)', async () => {
    const c = await answeredOnce({ retryBudgetMs: 60_000 });
    server.setFaults([
      'server-error',
      'malformed-json',
      'reset',
      'server-error',
      { type: 'server-error', status: 502 },
      'reset',
      'server-error',
      'reset',
    ]);
    const r = await c.complete(req({ purpose: 'ut-output' }));
    expect(r.texts).toHaveLength(1);
    expect(r.failure).toBeUndefined();
    expect(r.attempts).toBe(9);
  });

  it('honours retry-after and counts the waits against the budget', async () => {
    const c = await answeredOnce({ retryBudgetMs: 60_000 });
    server.setFaults([
      { type: 'rate-limit', retryAfter: 7 },
      { type: 'rate-limit', retryAfterMs: 1500 },
    ]);
    const r = await c.complete(req());
    expect(r.texts).toHaveLength(1);
    expect(delays).toEqual([7000, 1500]);
  });

  it('one request that runs out of its budget gives up alone: no LlmUnavailableError, the next one works', async () => {
    const c = await answeredOnce({ retryBudgetMs: 20_000, retryBaseDelayMs: 1000, retryMaxDelayMs: 4000 });
    server.setFaults([{ fault: 'server-error', times: 12 }]);
    const r = await c.complete(req({ purpose: 'ut-output' }));
    expect(r.texts).toEqual([]);
    expect(r.failure).toBe('server-error');
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(r.attempts).toBeGreaterThan(6);
    server.setFaults([]);
    const next = await c.complete(req());
    expect(next.texts).toHaveLength(1);
    expect(c.usage().total.failed).toBe(0);
  });

  it('several requests in a row giving up, with no answer between them: down, naming each request and why', async () => {
    const c = await answeredOnce({ retryBudgetMs: 5_000, downAfterRequests: 3 });
    server.setFaults([{ fault: 'server-error', times: Infinity }]);
    const first = await c.complete(req({ purpose: 'hints' }));
    const second = await c.complete(req({ purpose: 'plans' }));
    expect([first.failure, second.failure]).toEqual(['server-error', 'server-error']);
    const err = await c.complete(req({ purpose: 'ut-output' })).catch((e) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err.message).toContain(server.url);
    expect(err.message).toMatch(/3 requests in a row/);
    for (const p of ['stage1.hints', 'stage1.plan', 'stage1.ut-output']) expect(err.message).toContain(p);
    expect(err.message).toMatch(/HTTP 500/);
    // once down, later requests end at once
    const sent = server.requests.length;
    await expect(c.complete(req())).rejects.toThrow(LlmUnavailableError);
    expect(server.requests.length).toBe(sent);
  });

  it('an answer in between resets the count', async () => {
    const c = await answeredOnce({
      retryBudgetMs: 5_000,
      downAfterRequests: 2,
      retryBaseDelayMs: 1000,
      retryMaxDelayMs: 2000,
    });
    server.setFaults([{ fault: 'server-error', times: Infinity }]);
    expect((await c.complete(req())).failure).toBe('server-error');
    server.setFaults([]);
    expect((await c.complete(req())).texts).toHaveLength(1);
    server.setFaults([{ fault: 'server-error', times: Infinity }]);
    expect((await c.complete(req())).failure).toBe('server-error');
  });

  // Silence (no connection) while the endpoint never answered: the short first-contact budget (10 s here).
  // HTTP errors from the start: the endpoint is there, so the full budget (30 s here).
  it.each([
    ['silent (reset connections)', 'reset', 0, 10_000, /running and reachable/],
    ['answering with 500s', 'server-error', 20_000, 30_000, /provider's status/],
  ] as const)(
    'an endpoint that never answered, %s, is down after its budget, saying so',
    async (_what, fault, least, most, hint) => {
      server.setFaults([{ fault, times: Infinity }]);
      const c = client({
        maxRetries: undefined,
        retryBudgetMs: 30_000,
        firstContactBudgetMs: 10_000,
        retryBaseDelayMs: 500,
        retryMaxDelayMs: 2000,
      });
      const err = await c.complete(req()).catch((e) => e);
      expect(err).toBeInstanceOf(LlmUnavailableError);
      expect(err.message).toMatch(/has not answered once/);
      expect(err.message).toMatch(hint);
      const waited = delays.reduce((x, y) => x + y, 0);
      expect(waited).toBeGreaterThanOrEqual(least);
      expect(waited).toBeLessThanOrEqual(most);
    },
  );
});
