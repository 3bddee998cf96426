// End-to-end: runCosplay with the real sandboxed executor (bubblewrap; 'none' only when bwrap is absent) and
// the LLM gateway client talking over real HTTP to the scripted OpenAI-compatible server.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import {
  checkSandbox,
  createCachingExecutor,
  createExecutor,
  type SandboxExecutor,
} from '../../src/exec/index.js';
import { createLlm } from '../../src/llm/client.js';
import type { LlmConfig } from '../../src/llm/config.js';
import type { LlmRequest, Purpose, Stage } from '../../src/types.js';
import {
  type FaultRule,
  type ScriptContext,
  startScriptedServer,
  testLlmConfig,
} from '../support/scripted-server.js';
import { CODE, TASK, type WorldOptions, calls, isCorrect, world } from './world.js';

let sandbox: SandboxExecutor;
beforeAll(async () => {
  sandbox = await createExecutor({ sandbox: (await checkSandbox()).ok ? 'bwrap' : 'none', workers: 2 });
});
afterAll(async () => {
  await sandbox?.close();
});

/** The scripted server answers every request from a `world` (the same fake model as the in-memory tests). */
async function serve(o: WorldOptions, extra: { faults?: FaultRule[] } = {}) {
  const model = world(o);
  const server = await startScriptedServer({
    script: async (ctx: ScriptContext) => {
      const req: LlmRequest = {
        stage: ctx.stage as Stage,
        purpose: ctx.purpose as Purpose,
        task: ctx.task,
        messages: ctx.messages,
        n: ctx.n,
        ...(ctx.meta ? { meta: ctx.meta } : {}),
      };
      const { texts } = await model.complete(req);
      return texts.length ? texts : null;
    },
    ...(extra.faults ? { faults: extra.faults } : {}),
  });
  return server;
}

const params: Partial<CosplayParams> = {
  nCodes: 4,
  nTests: 4,
  maxRounds: 5,
  nRandomInputs: 3,
  scSamples: 4,
  scMinAgree: 3,
  scMaxAttempts: 2,
  timeoutMs: 2000,
};

const coupled: WorldOptions = {
  stage1Codes: [CODE.offByOne, CODE.correctA, CODE.correctB, CODE.correctC],
  stage1Inputs: calls(0, 3, 4, 2),
  wrongExpected: { 'sum_to(3)': '3', 'sum_to(4)': '6' },
  regenInputs: calls(5, 6, 7, 8, 9, 10, 11, 12),
  cleanCodes: [CODE.correctD],
  stage3Inputs: calls(11, 12, 13),
};

async function run(o: WorldOptions, over: Partial<LlmConfig> = {}, faults?: FaultRule[]) {
  const server = await serve(o, { faults });
  const llm = createLlm(testLlmConfig(server, { concurrency: 8, ...over }));
  try {
    const result = await runCosplay({ task: TASK, llm, executor: createCachingExecutor(sandbox), params });
    return { result, server };
  } finally {
    await llm.close();
    await server.close();
  }
}

describe('real executor, scripted server over HTTP', () => {
  test('wrong code supported by a spuriously coupled UT: the correct code is picked', async () => {
    const { result: r, server } = await run(coupled);
    expect(r.initial.executionMatrix).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
    ]);
    expect(isCorrect(r.baselines.passCount?.code)).toBe(false);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.decisions.find((d) => d.step === 'break spurious coupling')).toMatchObject({ round: 1, ut: 1 });
    // the protocol headers
    const stages = new Set(server.requests.map((q) => q.headers['x-cosplay-stage']));
    for (const s of [
      'stage1.hints',
      'stage1.code',
      'stage1.ut-input',
      'stage1.ut-output',
      'stage2.ut-input',
      'stage3.inputs',
    ])
      expect(stages).toContain(s);
    expect(server.requests.every((q) => q.headers['x-cosplay-task'] === TASK.id)).toBe(true);
    expect(r.requests).toBe(server.requests.length);
    expect(r.tokens).toBeGreaterThan(0);
  });

  test('code that only a repair fixes: the repaired code is picked; a crash and a timeout are ERR verdicts', async () => {
    const { result: r } = await run({
      stage1Codes: [CODE.zeroBug, CODE.zeroBug2, CODE.smallOnly, CODE.loops],
      stage1Inputs: calls(1, 2, 3, 5, 0),
      regenInputs: calls(4, 6, 7, 8, 9, 10, 11, 12, 13, 14),
      fixes: { [CODE.smallOnly]: CODE.correctB, [CODE.loops]: CODE.correctC },
      stage3Inputs: calls(0, 15, 16, 20),
    });
    expect(r.initial.codePool.some((c) => isCorrect(c.code))).toBe(false);
    expect(r.cells.length).toBe(4);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.codePool[r.selected!.index].origin).toBe('fixed');
  });

  test('rate limits and server errors are retried by the gateway: same pick', async () => {
    const { result: r } = await run(coupled, {}, [
      { fault: { type: 'rate-limit', retryAfter: 0 }, when: { purpose: 'code' } },
      { fault: { type: 'server-error' }, when: { purpose: 'ut-output' }, times: 3 },
    ]);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.degraded.some((d) => /unavailable|budget/.test(d))).toBe(false);
  });

  test('an endpoint that stops answering in stage 3 ends the run with the best pick so far', async () => {
    // every stage-3 request fails; the endpoint counts as down as soon as one gives up (downAfterRequests 1)
    const { result: r } = await run(coupled, { maxRetries: 1, downAfterRequests: 1 }, [
      { fault: { type: 'server-error' }, when: { stage: 'stage3' }, times: Infinity },
    ]);
    expect(r.stopReason).toBe('llm-unavailable');
    expect(r.degraded.join('\n')).toMatch(/stage3\.\S+ of task .*HTTP 500/);
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('one kind of request failing every time is not an endpoint that is down: the run goes on', async () => {
    const { result: r, server } = await run(coupled, { maxRetries: 1 }, [
      { fault: { type: 'server-error' }, when: { purpose: 'inputs' }, times: Infinity },
    ]);
    expect(r.stopReason).not.toBe('llm-unavailable');
    const inputs = server.requests.filter((q) => /\.inputs$/.test(q.headers['x-cosplay-stage'] ?? ''));
    expect(inputs.length).toBeGreaterThanOrEqual(2);
    expect(inputs.every((q) => q.status === 500)).toBe(true);
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('a request budget spent in stage 2 ends the run with the best pick so far', async () => {
    const { result: r } = await run(coupled, { budget: { maxRequests: 16 } });
    expect(r.stopReason).toBe('budget');
    expect(r.selected).not.toBeNull();
    expect(r.rounds.length).toBeGreaterThanOrEqual(1);
  });

  test('with latency on every request, the measured critical path covers the longest chain', async () => {
    const server = await serve(coupled);
    server.setLatency(60);
    const llm = createLlm(testLlmConfig(server, { concurrency: 16 }));
    try {
      const r = await runCosplay({
        task: TASK,
        llm,
        executor: createCachingExecutor(sandbox),
        params: { ...params, maxRounds: 0, cluster: false },
      });
      // hints -> plans -> attack -> top-up inputs -> expected outputs: at least 5 requests in a chain.
      expect(r.criticalPathMs).toBeGreaterThanOrEqual(5 * 60);
      expect(r.wallMs).toBeGreaterThanOrEqual(r.criticalPathMs - 1);
    } finally {
      await llm.close();
      await server.close();
    }
  });
});
