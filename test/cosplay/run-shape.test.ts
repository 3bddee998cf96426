// How a run is carried out: incremental execution, concurrency (critical path vs wall time on a virtual
// clock), early stop, usage accounting.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { VirtualClock } from '../support/fake-llm.js';
import { CODE, TASK, calls, executor, isCorrect, world } from './world.js';

const base: Partial<CosplayParams> = {
  nCodes: 4,
  nTests: 4,
  maxRounds: 5,
  nRandomInputs: 3,
  scSamples: 4,
  scMinAgree: 3,
  scMaxAttempts: 2,
};
const coupled = (extra = {}) =>
  world({
    stage1Codes: [CODE.offByOne, CODE.correctA, CODE.correctB, CODE.correctC],
    stage1Inputs: calls(0, 3, 4, 2),
    wrongExpected: { 'sum_to(3)': '3', 'sum_to(4)': '6' },
    regenInputs: calls(5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
    cleanCodes: [CODE.correctD, CODE.correctE],
    stage3Inputs: calls(20, 21, 22),
    ...extra,
  });

describe('incremental execution', () => {
  test('after the stage-1 matrix, only new rows and columns run', async () => {
    const exec = executor();
    const r = await runCosplay({ task: TASK, llm: coupled(), executor: exec, params: base });
    // Stage 1: the codes run on the random UTs while the LLM still works on the rest, then only the
    // missing columns (the top-up UTs): every cell of the 4 x 4 matrix once.
    const [first, second, ...rest] = exec.runs;
    expect([first.codes.length, first.tests.length]).toEqual([4, 2]);
    expect([second.codes.length, second.tests.length]).toEqual([4, 2]);
    expect(second.tests.map((t) => ('call' in t ? t.call : ''))).toEqual(['sum_to(4)', 'sum_to(2)']);
    const stage2 = rest.filter((q) => q.tests.every((t) => t.expected !== undefined) && q.codes.length > 0);
    expect(stage2.length).toBeGreaterThan(0);
    // Every stage-2 execution is one changed column (all codes x the new UTs) or changed rows (new codes x all UTs).
    for (const q of stage2) expect(q.codes.length === 1 || q.tests.length < 4).toBe(true);
    expect(r.cellsExecuted).toBe(exec.cellsRun);
  });
});

describe('stage-1 execution with seeds and trusted tests', () => {
  test('every cell of the stage-1 matrix runs exactly once', async () => {
    const exec = executor();
    const r = await runCosplay({
      task: TASK,
      llm: coupled(),
      executor: exec,
      params: { ...base, nCodes: 4, nTests: 4, maxRounds: 0, cluster: false },
      seedCodes: [CODE.zeroBug],
      trustedTests: [{ call: 'sum_to(1)', expected: '1' }],
    });
    expect(r.initial.executionMatrix).toHaveLength(4);
    expect(r.initial.utPool.map((u) => u.origin)).toEqual([
      'trusted',
      'random',
      'random',
      'random',
      'random',
    ]);
    expect(exec.cellsRun).toBe(4 * 5);
    const seen = new Set<string>();
    for (const q of exec.runs)
      for (const c of q.codes)
        for (const t of q.tests) {
          const k = `${c}|${'call' in t ? t.call : ''}`;
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        }
  });
});

describe('concurrency and the critical path (virtual clock, 100 per request)', () => {
  test('stage 1 alone: the longest chain is hints -> plans -> attack -> top-up inputs -> self-consistency', async () => {
    const clock = new VirtualClock();
    const llm = coupled({ llm: { clock, latency: () => 100 } });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, maxRounds: 0, cluster: false },
      now: clock.now,
    });
    // hints 100 -> plans 200 -> attack 300 (declined) -> random top-up 400 -> expected outputs 500
    expect(r.criticalPathMs).toBe(500);
    expect(r.wallMs).toBe(500);
    expect(r.requests).toBeGreaterThan(8);
  });

  test('a full run: wall time equals the critical path, far below the sum of latencies', async () => {
    const clock = new VirtualClock();
    const llm = coupled({
      llm: { clock, latency: (q: { purpose: string }) => (q.purpose === 'ut-output' ? 150 : 100) },
    });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base, now: clock.now });
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.wallMs).toBe(r.criticalPathMs);
    // stage 1: hints 100 -> plans 200 -> attack 300 -> top-up inputs 400 -> expected outputs 550
    // round 1: coupling regeneration 650 -> its expected output 800 -> fix 900 -> all-pass UT regeneration
    //          1000 -> 1150; round 2: coupling 1250 -> 1400 -> fix 1500; round 3: cleaning 1600;
    // stage 3: inputs and validator side by side 1700.
    expect(r.criticalPathMs).toBe(1700);
    const serial = llm.calls.reduce((s, q) => s + (q.purpose === 'ut-output' ? 150 : 100), 0);
    expect(serial).toBeGreaterThan(2000);
  });

  test('independent self-consistency chains run side by side', async () => {
    const clock = new VirtualClock();
    const llm = coupled({ llm: { clock, latency: () => 100 } });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, maxRounds: 0, cluster: false, maxHints: 0, nTests: 8 },
      now: clock.now,
    });
    // 8 UTs' expected outputs in parallel, not in sequence.
    expect(r.criticalPathMs).toBeLessThanOrEqual(500);
  });
});

describe('early stop (ours) versus the reference schedule', () => {
  test('early stop when M is all ones', async () => {
    const r = await runCosplay({ task: TASK, llm: coupled(), executor: executor(), params: base });
    expect(r.stopReason).toBe('converged');
    expect(r.rounds.length).toBeLessThan(5);
    expect(r.decisions.at(-2)).toMatchObject({ step: 'early stop', reason: 'M is all ones' });
  });

  test('early stop when nothing changed in a round', async () => {
    // A UT with a wrong expected output that no regeneration can replace (regeneration declined).
    const r = await runCosplay({
      task: TASK,
      llm: world({
        stage1Codes: [CODE.correctA, CODE.correctB],
        stage1Inputs: calls(2, 3),
        wrongExpected: { 'sum_to(3)': '99' },
        stage3Inputs: calls(5),
      }),
      executor: executor(),
      params: { ...base, nCodes: 2, nTests: 2 },
    });
    expect(r.stopReason).toBe('no-change');
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0].changed).toBe(false);
  });

  test('earlyStop: false runs all T_max rounds', async () => {
    const r = await runCosplay({
      task: TASK,
      llm: coupled(),
      executor: executor(),
      params: { ...base, earlyStop: false },
    });
    expect(r.rounds).toHaveLength(5);
    expect(r.stopReason).toBe('max-rounds');
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('already all ones after stage 1: no round at all', async () => {
    const llm = world({
      stage1Codes: [CODE.correctA, CODE.correctB],
      stage1Inputs: calls(2, 3),
      stage3Inputs: calls(5),
    });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, nCodes: 2, nTests: 2 },
    });
    expect(r.rounds).toHaveLength(0);
    expect(r.stopReason).toBe('converged');
    expect(llm.count('ut-input', 'stage2')).toBe(0);
  });
});

describe('usage', () => {
  test('requests and tokens are counted by stage and purpose from the replies', async () => {
    const llm = coupled({ llm: { usage: () => ({ promptTokens: 10, completionTokens: 5 }) } });
    const r = await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    expect(r.requests).toBe(llm.calls.length);
    expect(r.tokens).toBe(15 * llm.calls.length);
    const s = r.usage.byStage;
    expect(s.stage1.requests + s.stage2.requests + s.stage3.requests).toBe(llm.calls.length);
    expect(r.usage.byPurpose['stage1.hints'].requests).toBe(1);
    expect(r.usage.byPurpose['stage2.ut-input'].requests).toBe(llm.count('ut-input', 'stage2'));
  });
});
