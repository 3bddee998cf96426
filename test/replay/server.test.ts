import { afterEach, describe, expect, it } from '@jest/globals';
import { BUNDLED_DATASET, loadDataset, recordedInput } from '../../src/data/dataset.js';
import { createLlm } from '../../src/llm/client.js';
import { resolveLlmConfig } from '../../src/llm/config.js';
import { extractCodeBlock, extractJson } from '../../src/llm/parse.js';
import { META_HEADER_LIMIT, encodeMeta, encodeMetaHeader } from '../../src/llm/protocol.js';
import { createReplayLlm, startReplayServer, type ReplayServer } from '../../src/replay/index.js';
import type { LlmReply, LlmRequest } from '../../src/types.js';
import { recordedTasks } from './fixtures.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function server(
  opts: Parameters<typeof startReplayServer>[0] = { tasks: recordedTasks() },
): Promise<ReplayServer> {
  const s = await startReplayServer(opts);
  closers.push(() => s.close());
  return s;
}

function post(s: ReplayServer, headers: Record<string, string>, body: Record<string, unknown> = {}) {
  return fetch(`${s.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'replay', messages: [{ role: 'user', content: 'x' }], ...body }),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

const msg = [{ role: 'user' as const, content: 'Solve it.' }];

describe('replay server', () => {
  it('serves recorded codes through the gateway client, and declines without retries', async () => {
    const llm = await createReplayLlm(recordedTasks());
    closers.push(() => llm.close());
    const codes = recordedTasks()[0].codes;
    const r = await llm.complete({ stage: 'stage1', purpose: 'code', task: 'F/1', n: 2, messages: msg });
    expect(r.texts.map((t) => extractCodeBlock(t, 'python'))).toEqual([codes[0], codes[1]]);
    const d = await llm.complete({ stage: 'stage1', purpose: 'hints', task: 'F/1', n: 3, messages: msg });
    expect(d).toMatchObject({ texts: [], declined: 3, attempts: 1 });
    expect(d.failure).toBeUndefined();
    const u = llm.usage();
    expect(u.total).toMatchObject({ requests: 2, retries: 0, declined: 3, texts: 2 });
    expect(u.total.promptTokens).toBeGreaterThan(0);
    expect(u.total.estimatedTokens).toBe(0);
  });

  it('marks declines with x-cosplay-declined and content_filter', async () => {
    const s = await server();
    const res = await post(s, { 'x-cosplay-stage': 'stage1.plans', 'x-cosplay-task': 'F/1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cosplay-declined')).toBe('1');
    const body = await json(res);
    expect(body.choices).toEqual([
      expect.objectContaining({
        finish_reason: 'content_filter',
        message: expect.objectContaining({ content: '' }),
      }),
    ]);
    const ok = await post(s, { 'x-cosplay-stage': 'stage1.code', 'x-cosplay-task': 'F/1' });
    expect(ok.headers.get('x-cosplay-declined')).toBeNull();
  });

  it('answers a repeated request id with the identical reply', async () => {
    const s = await server();
    const h = { 'x-cosplay-stage': 'stage1.code', 'x-cosplay-task': 'F/1', 'x-cosplay-request-id': 'r-1' };
    const a = await (await post(s, h, { n: 2 })).text();
    const b = await (await post(s, h, { n: 2 })).text();
    expect(b).toBe(a);
    const c = await json(post(s, { ...h, 'x-cosplay-request-id': 'r-2' }));
    expect(extractCodeBlock(c.choices[0].message.content, 'python')).toBe(recordedTasks()[0].codes[2]);
  });

  it('answers ut-output from meta', async () => {
    const s = await server();
    const res = await post(s, {
      'x-cosplay-stage': 'stage1.ut-output',
      'x-cosplay-task': 'S/1',
      'x-cosplay-meta': encodeMeta({ input: '3\n' }),
    });
    const body = await json(res);
    expect(extractJson<{ expected: string }>(body.choices[0].message.content)).toEqual({ expected: '6\n' });
  });

  it('matches a long input that the client sent as a digest (large headers are refused by live endpoints)', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `${i} ${i * 7}`).join('\n') + '\n';
    const tasks = [
      {
        id: 'S/big',
        kind: 'stdio' as const,
        language: 'python' as const,
        prompt: 'Sum pairs.',
        codes: [],
        tests: [
          { input: '1 2\n', expected: '3\n' },
          { input: big, expected: 'BIG-1\n' },
          { input: big.replace(/\n/g, '\r\n'), expected: 'BIG-2\n' },
        ],
      },
    ];
    const llm = await createReplayLlm(tasks);
    closers.push(() => llm.close());
    const r = await llm.complete({
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'S/big',
      n: 3,
      meta: { input: big },
      messages: msg,
    });
    expect(r.texts.map((x) => extractJson<{ expected: string }>(x)!.expected)).toEqual([
      'BIG-1\n',
      'BIG-2\n',
    ]);
    expect(r.declined).toBe(1);
    const header = encodeMetaHeader({ input: big });
    expect(header.length).toBeLessThan(META_HEADER_LIMIT);
    expect(encodeMetaHeader({ input: '1 2\n' })).toBe(encodeMeta({ input: '1 2\n' }));
  });

  it('answers the requests of one sequence in x-cosplay-seq order, whatever order they arrive in', async () => {
    const s = await server();
    const h = { 'x-cosplay-stage': 'stage1.code', 'x-cosplay-task': 'F/1', 'x-cosplay-session': 'S' };
    const late = post(s, { ...h, 'x-cosplay-seq': '1' }).then(json);
    await new Promise((r) => setTimeout(r, 30));
    const early = await json(post(s, { ...h, 'x-cosplay-seq': '0' }));
    const codes = recordedTasks()[0].codes;
    expect(extractCodeBlock(early.choices[0].message.content, 'python')).toBe(codes[0]);
    expect(extractCodeBlock((await late).choices[0].message.content, 'python')).toBe(codes[1]);
  });

  it('does not wait forever for a skipped sequence number', async () => {
    const s = await server({ tasks: recordedTasks(), maxSeqWaitMs: 20 });
    const res = await post(s, {
      'x-cosplay-stage': 'stage1.code',
      'x-cosplay-task': 'F/1',
      'x-cosplay-seq': '5',
    });
    expect(res.status).toBe(200);
  });

  it('speaks enough of the API for clients and tools', async () => {
    const s = await server();
    const models = await json(fetch(`${s.url}/models`));
    expect(models.data[0].id).toBe('replay');
    expect((await fetch(`${s.url}/nothing`)).status).toBe(404);
    const bad = await fetch(`${s.url}/chat/completions`, { method: 'POST', body: 'nope' });
    expect(bad.status).toBe(400);
    expect((await post(s, {}, { n: 0 })).status).toBe(400);
  });

  it('serves the bundled dataset in recording order', async () => {
    const tasks = await loadDataset(BUNDLED_DATASET);
    const t = tasks[0];
    const llm = await createReplayLlm(BUNDLED_DATASET);
    closers.push(() => llm.close());
    const r = await llm.complete({ stage: 'stage1', purpose: 'code', task: t.id, n: 3, messages: msg });
    expect(r.texts.map((x) => extractCodeBlock(x, 'python'))).toEqual(
      t.codes.slice(0, 3).map((c) => c.replace(/\s+$/, '') + '\n'),
    );
    const ui = await llm.complete({
      stage: 'stage1',
      purpose: 'ut-input',
      task: t.id,
      meta: { count: 4 },
      messages: msg,
    });
    const inputs = extractJson<{ inputs: string[] }>(ui.texts[0])!.inputs;
    expect(inputs).toEqual(t.tests.slice(0, 4).map((u) => recordedInput(t, u)));
    const uo = await llm.complete({
      stage: 'stage1',
      purpose: 'ut-output',
      task: t.id,
      n: 4,
      meta: { input: inputs[0] },
      messages: msg,
    });
    const same = t.tests.filter((u) => recordedInput(t, u) === inputs[0]).map((u) => u.expected);
    expect(uo.texts.map((x) => extractJson<{ expected: string }>(x)!.expected)).toEqual(same.slice(0, 4));
    expect(uo.declined).toBe(Math.max(0, 4 - same.length));
  });
});

describe('replay parity', () => {
  /** A pipeline-like burst: concurrent requests of several purposes and tasks, n > 1, repeated keys. */
  function workload(ids: string[], inputsOf: (id: string) => string[]): LlmRequest[] {
    const out: LlmRequest[] = [];
    for (const task of ids) {
      for (const n of [2, 1, 3, 2]) out.push({ stage: 'stage1', purpose: 'code', task, n, messages: msg });
      for (const count of [3, 2])
        out.push({ stage: 'stage1', purpose: 'ut-input', task, meta: { count }, messages: msg });
      for (const input of inputsOf(task).slice(0, 3))
        for (let k = 0; k < 2; k++)
          out.push({ stage: 'stage1', purpose: 'ut-output', task, n: 4, meta: { input }, messages: msg });
      out.push({ stage: 'stage1', purpose: 'hints', task, messages: msg });
      out.push({ stage: 'stage2', purpose: 'code', task, n: 2, messages: msg });
      for (let k = 0; k < 3; k++)
        out.push({ stage: 'stage3', purpose: 'inputs', task, meta: { count: 4 }, messages: msg });
    }
    return out;
  }

  const run = async (llm: { complete(r: LlmRequest): Promise<LlmReply> }, reqs: LlmRequest[]) =>
    (await Promise.all(reqs.map((r) => llm.complete(r)))).map((r) => r.texts);

  it('a live client pointed at a replay server with --base-url gets exactly what createReplayLlm gets', async () => {
    const tasks = (await loadDataset(BUNDLED_DATASET)).slice(0, 3);
    const reqs = workload(
      tasks.map((t) => t.id),
      (id) => {
        const t = tasks.find((x) => x.id === id)!;
        return t.tests.map((u) => recordedInput(t, u));
      },
    );

    const replay = await createReplayLlm(tasks, { config: { concurrency: 4 } });
    closers.push(() => replay.close());
    const viaReplay = await run(replay, reqs);

    const s = await server({ tasks });
    const config = resolveLlmConfig({ flags: { baseUrl: s.url, model: 'replay', concurrency: 4 }, env: {} });
    // jitter the network so concurrent requests of one key arrive out of order
    let seed = 7;
    const jitter = () => (seed = (seed * 48271) % 2147483647) % 15;
    const live = createLlm(config, {
      fetch: async (input, init) => {
        await new Promise((r) => setTimeout(r, jitter()));
        return fetch(input, init);
      },
    });
    closers.push(() => live.close());
    const viaLive = await run(live, reqs);

    expect(viaLive).toEqual(viaReplay);
    // and both follow the recording: code requests in call order take consecutive recorded codes
    const t0 = tasks[0];
    const codeTexts = viaReplay.slice(0, 4).flat();
    expect(codeTexts.map((x) => extractCodeBlock(x, 'python'))).toEqual(
      t0.codes.slice(0, 8).map((c) => c.replace(/\s+$/, '') + '\n'),
    );
    expect(viaReplay.flat().length).toBeGreaterThan(30);
  });
});
