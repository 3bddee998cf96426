// End-to-end runs of runCosplay with a fake LLM and a fake executor.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { jsonReply } from '../support/fake-llm.js';
import { CODE, COUPLED, TASK, calls, executor, isCorrect, world, WORLD_PARAMS } from './world.js';

const base = WORLD_PARAMS;

describe('correct code beside wrong code supported by a spuriously coupled UT', () => {
  // Stage 1: the "model" consistently predicts sum_to(3) = 3 and sum_to(4) = 6 (the off-by-one bug), so the
  // wrong code passes 3 UTs and the correct ones 2: pass-count best-of-n picks the wrong code.
  const run = () =>
    runCosplay({
      task: TASK,
      llm: world(COUPLED),
      executor: executor(),
      params: base,
    });

  test('picks a correct code; pass-count BoN on the stage-1 matrix picks the wrong one', async () => {
    const r = await run();
    expect(r.initial.executionMatrix).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
    ]);
    expect(r.baselines.passCount).toMatchObject({ index: 0, tied: [0] });
    expect(r.baselines.passCount!.code.trim()).toBe(CODE.offByOne);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(isCorrect(r.selectedNoCluster?.code)).toBe(true);
    expect(r.stopReason).toBe('converged');
  });

  test('the coupled UT with the lowest pUT is regenerated first, and the trace says why', async () => {
    const r = await run();
    const first = r.decisions.find((d) => d.step === 'break spurious coupling');
    expect(first).toMatchObject({ round: 1, ut: 1, action: 'regenerated' });
    expect(first!.reason).toMatch(/lowest pUT = 1 of 4/);
    // The wrong code ends with pCode 0 and is cleaned.
    expect(
      r.decisions.some((d) => d.step === 'code cleaning' && d.code === 0 && d.action === 'replaced'),
    ).toBe(true);
    expect(r.rounds.length).toBeGreaterThanOrEqual(2);
    expect(r.rounds[0].before.M).toEqual(r.initial.executionMatrix);
    expect(r.utPool.every((u) => u.valid)).toBe(true);
    expect(r.executionMatrix.every((row) => row.every((x) => x === 1))).toBe(true);
  });
});

describe('code that only a repair fixes', () => {
  // No correct code in the pool: two codes crash on n = 0, two only know n <= 2. The fix step repairs the latter.
  const run = (over: Partial<CosplayParams> = {}) =>
    runCosplay({
      task: TASK,
      llm: world({
        stage1Codes: [CODE.zeroBug, CODE.zeroBug2, CODE.smallOnly, CODE.smallOnly2],
        stage1Inputs: calls(1, 2, 3, 5, 0),
        regenInputs: calls(4, 6, 7, 8, 9, 10, 11, 12, 13, 14),
        fixes: { [CODE.smallOnly]: CODE.correctB, [CODE.smallOnly2]: CODE.correctC },
        stage3Inputs: calls(0, 15, 16, 20),
      }),
      executor: executor(),
      params: { ...base, nTests: 5, ...over },
    });

  test('the repaired code is picked; without self-play the pick is wrong', async () => {
    const r = await run();
    expect(r.initial.codePool.some((c) => isCorrect(c.code))).toBe(false);
    expect(isCorrect(r.baselines.passCount!.code)).toBe(false);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.codePool[r.selected!.index].origin).toBe('fixed');
    const kept = r.decisions.filter((d) => d.step === 'code fixing' && d.action === 'kept');
    expect(kept.map((d) => d.code)).toEqual([2, 3]);
    expect(kept[0].reason).toMatch(/the repair passes it and keeps every high-support UT/);
  });

  test('the steps of a round run in the method order, each on the matrix the previous one left', async () => {
    const r = await run();
    const steps = [...new Set(r.rounds[0].decisions.map((d) => d.step))];
    expect(steps).toEqual(['code cleaning', 'break spurious coupling', 'code fixing', 'UT replacement']);
    // The coupling break replaced sum_to(3) by sum_to(4) before code fixing chose its target.
    const fix = r.decisions.find((d) => d.step === 'code fixing')!;
    expect(r.decisions.find((d) => d.step === 'break spurious coupling')).toMatchObject({ round: 1, ut: 2 });
    expect(fix).toMatchObject({ round: 1, ut: 2 });
    expect(fix.reason).toMatch(/^fails UT 2 \(input "sum_to\(4\)"/);
    expect(r.rounds[0].before.M.map((row) => row[2])).toEqual([1, 1, 0, 0]);
  });

  test('output-consensus clustering separates the repaired code from the codes that crash on 0', async () => {
    const r = await run();
    // The coupling break dropped the only UT on n = 0, so all four codes end BoN-tied ...
    expect(r.bonTied).toEqual([0, 1, 2, 3]);
    expect(isCorrect(r.selectedNoCluster?.code)).toBe(false);
    // ... and stage 3 picks the code that agrees most (the crashing ones are ERR on sum_to(0)).
    expect(r.stage3Inputs).toContain('sum_to(0)');
    expect(r.selected!.index).toBe(2);
  });

  test('without clustering the pick is the first code with maximal pCode', async () => {
    const r = await run({ cluster: false });
    expect(r.selected).toEqual(r.selectedNoCluster);
    expect(r.selected!.index).toBe(0);
    expect(r.usage.byStage.stage3.requests).toBe(0);
  });
});

describe('stage 1 with hints, plans and attack ideas', () => {
  const handlers = {
    hints: () => [
      jsonReply({ observations: ['closed form n(n+1)/2', 'n = 0 gives 0', 'ignored third hint'] }),
    ],
    plans: (r: { messages: { content: string }[] }) => {
      const text = r.messages[1].content;
      const n = (text.match(/^- /gm) ?? []).length;
      return [jsonReply({ observations: [`plan from ${n} hints A`, `plan from ${n} hints B`] })];
    },
    attack: () => [jsonReply({ ideas: ['n = 0', 'large n', 'n = 1'] })],
    'stage1.ut-input': (r: { meta?: Record<string, unknown> }) => {
      if (r.meta?.ideas) return [jsonReply({ inputs: calls(0, 1000, 1).slice(0, Number(r.meta.count)) })];
      return [jsonReply({ inputs: calls(2, 3, 4, 5, 6, 7).slice(0, Number(r.meta?.count)) })];
    },
  };

  test('plans from subsets of size 0, 1, 2 of the hints; one code request per plan; attack UTs then random UTs', async () => {
    const llm = world({
      stage1Codes: [CODE.square, CODE.correctA, CODE.offByOne, CODE.correctB, CODE.correctC, CODE.zeroBug],
      stage1Inputs: [],
      stage3Inputs: calls(8, 9),
      handlers,
    });
    const r = await runCosplay({
      task: TASK,
      llm,
      executor: executor(),
      params: { ...base, nCodes: 6, nTests: 6, maxHints: 2 },
    });
    // 2 hints -> subsets {}, {h1}, {h2}, {h1,h2}: 4 plan requests.
    expect(llm.count('hints')).toBe(1);
    expect(llm.count('plans')).toBe(4);
    expect(llm.prompts('plans').some((p) => p.includes('ignored third hint'))).toBe(false);
    // 7 distinct plans (2 per subset, one duplicate) and 6 codes: the first 6 plans get one code each.
    expect(llm.count('code', 'stage1')).toBe(6);
    expect(r.initial.codePool.every((c) => c.origin === 'plan' && c.plan)).toBe(true);
    // plans round-robin over the subsets {}, {h1}, {h2}, {h1, h2}, then the second plan of each; a plan
    // already seen ({h2}'s "plan from 1 hints A") is dropped
    expect(r.initial.codePool.map((c) => c.plan!.split('\n').at(-1))).toEqual([
      '- plan from 0 hints A',
      '- plan from 1 hints A',
      '- plan from 2 hints A',
      '- plan from 0 hints B',
      '- plan from 1 hints B',
      '- plan from 2 hints B',
    ]);
    expect(r.initial.codePool[1].plan).toMatch(/^- closed form n\(n\+1\)\/2\n- plan from 1 hints A$/);
    expect(r.initial.codePool[2].plan).toMatch(/closed form[\s\S]*n = 0 gives 0[\s\S]*plan from 2 hints A/);
    // Attack ideas -> 3 attack UTs (one per idea), then 3 random UTs.
    expect(r.initial.utPool.map((u) => [u.origin, u.input])).toEqual([
      ['attack', 'sum_to(0)'],
      ['attack', 'sum_to(1000)'],
      ['attack', 'sum_to(1)'],
      ['random', 'sum_to(2)'],
      ['random', 'sum_to(3)'],
      ['random', 'sum_to(4)'],
    ]);
    expect(r.initial.utPool[0].idea).toBe('n = 0');
    expect(isCorrect(r.selected?.code)).toBe(true);
  });

  test('the expected-output prompt never shows a candidate code', async () => {
    const llm = world({
      stage1Codes: [CODE.square, CODE.correctA, CODE.offByOne, CODE.correctB],
      stage1Inputs: calls(0, 1, 2, 3),
      regenInputs: calls(10, 11, 12, 13, 14, 15, 16),
      stage3Inputs: calls(8, 9),
      handlers,
    });
    await runCosplay({ task: TASK, llm, executor: executor(), params: base });
    const prompts = llm.prompts('ut-output');
    expect(prompts.length).toBeGreaterThan(0);
    for (const p of prompts) for (const c of Object.values(CODE)) expect(p.includes(c)).toBe(false);
    // while the regeneration prompt may show "a previous attempt that may be wrong"
    expect(
      llm.prompts('ut-input', 'stage2').some((p) => p.includes('A previous attempt that may be wrong')),
    ).toBe(true);
  });
});

describe('params.bonRule: which codes are BoN-tied before stage 3', () => {
  // The stage-1 matrix of the first scenario above, no self-play: the off-by-one code passes 3 UTs (two of them
  // wrong), the three correct codes 2 each. Pass-count ties {0}; dual agreement scores the correct group 3 x 2 = 6
  // against the wrong code's 1 x 3 = 3.
  const run = (over: Partial<CosplayParams>) =>
    runCosplay({
      task: TASK,
      llm: world({
        stage1Codes: [CODE.offByOne, CODE.correctA, CODE.correctB, CODE.correctC],
        stage1Inputs: calls(0, 3, 4, 2),
        wrongExpected: { 'sum_to(3)': '3', 'sum_to(4)': '6' },
        stage3Inputs: calls(11, 12, 13),
      }),
      executor: executor(),
      params: { ...base, maxRounds: 0, ...over },
    });

  test('pass-count (the paper) ties the wrong code alone and picks it', async () => {
    const r = await run({ bonRule: 'pass-count' });
    expect(r.executionMatrix).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
      [1, 0, 0, 1],
    ]);
    expect(r.bonTied).toEqual([0]);
    expect(r.selectedTie).toEqual([0]);
    expect(isCorrect(r.selected?.code)).toBe(false);
  });

  test('dual agreement ties the correct group; clustering picks in it and reports the codes it cannot tell apart', async () => {
    const r = await run({ bonRule: 'dual-agreement' });
    expect(r.bonTied).toEqual([1, 2, 3]);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(r.selectedTie).toContain(r.selected!.index);
    expect(r.selectedTie.every((i) => r.bonTied.includes(i))).toBe(true);
    const why = r.decisions.find((d) => d.step === 'selection')!.reason;
    expect(why).toMatch(/top dual-agreement score 6/);
    // stage 3's outputs come back with the result, one row per BoN-tied code, one cell per stage-3 input
    expect(r.stage3Inputs.length).toBeGreaterThan(0);
    expect(r.stage3Outputs).toHaveLength(r.bonTied.length);
    for (const row of r.stage3Outputs) expect(row).toHaveLength(r.stage3Inputs.length);
  });

  test('without clustering the whole tie is reported and the first code is picked', async () => {
    const r = await run({ bonRule: 'dual-agreement', cluster: false });
    expect(r.selected?.index).toBe(1);
    expect(r.selectedTie).toEqual([1, 2, 3]);
    expect(r.stage3Outputs).toEqual([]);
  });

  test('an unknown rule is refused', async () => {
    await expect(run({ bonRule: 'majority' as never })).rejects.toThrow(/bonRule must be one of/);
  });
});
