// Graceful degradation: declined requests, short pools, spent budgets, an unreachable endpoint; and the
// repair / gate inputs (seed codes, trusted tests).
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { BudgetExceededError, LlmUnavailableError } from '../../src/types.js';
import { CODE, COUPLED, TASK, calls, executor, isCorrect, world } from './world.js';

const base: Partial<CosplayParams> = {
  nCodes: 4,
  nTests: 4,
  maxRounds: 3,
  nRandomInputs: 3,
  scSamples: 1,
  scMinAgree: 1,
  scMaxAttempts: 1,
};

const coupled = COUPLED;

describe('declined and short answers', () => {
  test('replay-like: hints, plans, attack, fix and validator declined -> codes and UTs only, still a correct pick', async () => {
    const llm = world({ ...coupled, validator: null });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.degraded).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no hints/),
        expect.stringMatching(/no plans/),
        expect.stringMatching(/no attack ideas/),
      ]),
    );
  });

  test('too few codes from stage 1: the run goes on with what it has and says so', async () => {
    const llm = world({ ...coupled, stage1Codes: [CODE.offByOne, CODE.correctA] });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.initial.codePool).toHaveLength(2);
    expect(r.degraded).toContain('stage 1 produced 2 of 4 codes');
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('no UT at all: every code is BoN-tied, output consensus still picks, nothing changes in stage 2', async () => {
    const llm = world({ ...coupled, stage1Inputs: [] });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.utPool).toHaveLength(0);
    expect(r.bonTied).toEqual([0, 1, 2, 3]);
    expect(r.selectedNoCluster?.index).toBe(0);
    expect(r.clusters.map((c) => c.members)).toEqual([[0], [1, 2, 3]]);
    expect(r.selected?.index).toBe(1);
    expect(r.stopReason).toBe('no-change');
    expect(r.degraded).toContain('stage 1 produced 0 of 4 UTs');
  });

  test('no code at all: no pick, and the reason', async () => {
    const llm = world({ ...coupled, stage1Codes: [] });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.selected).toBeNull();
    expect(r.baselines.first).toBeNull();
    expect(r.stopReason).toBe('no-codes');
  });
});

describe('spent budget and unreachable endpoint', () => {
  test('a budget spent in stage 2 ends the run with the best pick so far and says why', async () => {
    const llm = world({
      ...coupled,
      llm: { failFrom: { index: 14, error: () => new BudgetExceededError('tokens') } },
    });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.stopReason).toBe('budget');
    expect(r.degraded.some((d) => /budget spent/.test(d))).toBe(true);
    expect(r.selected).not.toBeNull();
    expect(r.selected!.pCode).toBe(Math.max(...r.codePool.map((c) => c.pCode!)));
    expect(r.usage.byStage.stage3.requests).toBe(0);
    // the round cut short is still in the trace
    expect(r.rounds.length).toBeGreaterThanOrEqual(1);
  });

  test('a budget spent at once: no code, stop reason budget', async () => {
    const llm = world({
      ...coupled,
      llm: { failFrom: { index: 0, error: () => new BudgetExceededError('requests') } },
    });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.selected).toBeNull();
    expect(r.stopReason).toBe('budget');
    expect(r.requests).toBe(0);
  });

  test('an unreachable endpoint in stage 3 still yields a pick', async () => {
    const llm = world({
      ...coupled,
      handlers: {
        inputs: () => {
          throw new LlmUnavailableError('connection refused');
        },
      },
    });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.stopReason).toBe('llm-unavailable');
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.selected).toEqual(r.selectedNoCluster);
  });

  test('other errors are not swallowed', async () => {
    const llm = world({
      ...coupled,
      handlers: {
        hints: () => {
          throw new TypeError('bug');
        },
      },
    });
    await expect(runCosplay({ task: TASK, llm, executor: executor(), params: base })).rejects.toThrow('bug');
  });
});

describe('seed codes and trusted tests (repair and gate)', () => {
  test('seeds come after the generated codes; trusted UTs come first and are never replaced; the pick passes them', async () => {
    const llm = world({
      stage1Codes: [CODE.zeroBug2, CODE.correctA, CODE.smallOnly],
      stage1Inputs: calls(1, 2, 3),
      regenInputs: calls(4, 5, 6, 7, 8, 9, 10, 11, 12),
      stage3Inputs: calls(13, 14),
    });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, nTests: 3 },
      seedCodes: [CODE.zeroBug],
      trustedTests: [{ call: 'sum_to(0)', expected: '0' }],
    });
    expect(r.initial.codePool.map((c) => c.origin)).toEqual(['plain', 'plain', 'plain', 'seed']);
    expect(r.initial.codePool[3]).toMatchObject({ seed: 0 });
    expect(r.utPool[0]).toMatchObject({ origin: 'trusted', input: 'sum_to(0)', valid: true });
    expect(r.decisions.some((d) => d.ut === 0 && d.step !== 'code fixing')).toBe(false);
    expect(isCorrect(r.selected?.code)).toBe(true);
    for (const b of Object.values(r.baselinesFinal)) expect(r.executionMatrix[b!.index][0]).toBe(1);
  });

  test('when no code passes the trusted tests, they become the fix target; the repaired seed is picked', async () => {
    const llm = world({
      stage1Codes: [CODE.zeroBug2, CODE.zeroBug2],
      stage1Inputs: calls(1, 2),
      regenInputs: calls(4, 5, 6, 7, 8, 9),
      fixes: { [CODE.zeroBug]: CODE.correctA },
      stage3Inputs: calls(13, 14),
    });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, nCodes: 3, nTests: 2 },
      seedCodes: [CODE.zeroBug],
      trustedTests: [{ call: 'sum_to(0)', expected: '0' }],
    });
    expect(r.decisions.find((d) => d.step === 'code fixing')).toMatchObject({ ut: 0, code: 0 });
    expect(r.selected?.index).toBe(2);
    expect(r.codePool[2]).toMatchObject({ origin: 'fixed', seed: 0 });
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('no code passes the trusted tests and nothing repairs one: no pick, and why', async () => {
    const llm = world({ stage1Codes: [CODE.zeroBug2], stage1Inputs: calls(1, 2), stage3Inputs: calls(13) });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, nCodes: 2, nTests: 2 },
      seedCodes: [CODE.zeroBug],
      trustedTests: [{ call: 'sum_to(0)', expected: '0' }],
    });
    expect(r.selected).toBeNull();
    expect(r.degraded).toContain('no code passes every trusted test: no pick');
  });
});
