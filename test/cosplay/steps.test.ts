// Stage-2 steps on small pools: what each step asks, what it changes, what it re-executes.
import { describe, expect, test } from '@jest/globals';
import { breakSpuriousCoupling, codeCleaning, codeFixing, utReplacement } from '../../src/cosplay/stage2.js';
import { BudgetExceededError } from '../../src/types.js';
import { codeReply, jsonReply } from '../support/fake-llm.js';
import { setup } from './harness.js';
import { CODE, calls, executor, world } from './world.js';

const quick = { scSamples: 1, scMinAgree: 1, scMaxAttempts: 1 };

describe('code cleaning', () => {
  test('each code with pCode = 0 gets a fresh code from the next unused plan, and only its row is re-executed', async () => {
    const exec = executor();
    const llm = world({ stage1Codes: [], stage1Inputs: [], cleanCodes: [CODE.correctB, CODE.correctC] });
    const { env, pools, decisions } = await setup({
      codes: [CODE.square, CODE.correctA, CODE.offByOne],
      uts: [
        { input: 'sum_to(2)', expected: '3' },
        { input: 'sum_to(3)', expected: '6' },
      ],
      llm,
      exec,
      plans: ['plan zero', 'plan one', 'plan two'],
      nextPlan: 1,
      params: quick,
    });
    const before = exec.cellsRun;
    const out = await codeCleaning(env, 0);
    expect(out.changed).toBe(true);
    const prompts = llm.prompts('code', 'stage2');
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toContain('plan one');
    expect(prompts[1]).toContain('plan two');
    expect(pools.codes.map((c) => c.code.trim())).toEqual([CODE.correctB, CODE.correctA, CODE.correctC]);
    expect(pools.codes[0]).toMatchObject({ origin: 'cleaned', round: 1 });
    expect(exec.cellsRun - before).toBe(2 * 2);
    expect(exec.runs.at(-1)!.codes).toHaveLength(2);
    expect(decisions.map((d) => [d.code, d.action])).toEqual([
      [0, 'replaced'],
      [2, 'replaced'],
    ]);
    expect(pools.matrix().M).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  test('without plans, the codes to replace are asked for in one request (n = their number)', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], cleanCodes: [CODE.correctB, CODE.correctC] });
    const { env, pools } = await setup({
      codes: [CODE.square, CODE.correctA, CODE.offByOne],
      uts: [{ input: 'sum_to(2)', expected: '3' }],
      llm,
      exec: executor(),
      params: quick,
    });
    await codeCleaning(env, 0);
    expect(llm.calls.map((c) => [c.purpose, c.n])).toEqual([['code', 2]]);
    expect(pools.codes.map((c) => c.code.trim())).toEqual([CODE.correctB, CODE.correctA, CODE.correctC]);
  });

  test('once every plan is used, plans are cycled; a declined request leaves the code in place', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], cleanCodes: [CODE.correctB] });
    const { env, pools, decisions } = await setup({
      codes: [CODE.square, CODE.offByOne],
      uts: [{ input: 'sum_to(2)', expected: '3' }],
      llm,
      exec: executor(),
      plans: ['plan zero', 'plan one'],
      nextPlan: 2,
      params: quick,
    });
    await codeCleaning(env, 0);
    const prompts = llm.prompts('code', 'stage2');
    expect(prompts[0]).toContain('plan zero');
    expect(prompts[1]).toContain('plan one');
    expect(pools.codes[1].code.trim()).toBe(CODE.offByOne);
    expect(decisions[1]).toMatchObject({ code: 1, action: 'unchanged' });
  });

  test('skipped when no UT is valid', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], cleanCodes: [CODE.correctB] });
    const { env, decisions } = await setup({
      codes: [CODE.square],
      uts: [{ input: 'sum_to(2)' }],
      llm,
      exec: executor(),
      params: quick,
    });
    expect((await codeCleaning(env, 0)).changed).toBe(false);
    expect(llm.calls).toHaveLength(0);
    expect(decisions[0]).toMatchObject({ action: 'skipped' });
  });
});

describe('break spurious coupling', () => {
  const pool = {
    // pUT: [3, 1 (coupled to offByOne), 2]
    codes: [CODE.correctA, CODE.offByOne, CODE.correctB],
    uts: [
      { input: 'sum_to(0)', expected: '0' },
      { input: 'sum_to(3)', expected: '3' },
      { input: 'sum_to(2)', expected: '3' },
    ],
  };

  test('regenerates the lowest-pUT UT, shows a code that passed it, re-executes only that column', async () => {
    const exec = executor();
    const llm = world({ stage1Codes: [], stage1Inputs: [], regenInputs: calls(5) });
    const { env, pools, decisions } = await setup({ ...pool, llm, exec, params: quick });
    const before = exec.cellsRun;
    expect((await breakSpuriousCoupling(env, 0)).changed).toBe(true);
    const prompt = llm.prompts('ut-input', 'stage2')[0];
    expect(prompt).toContain(`A previous attempt that may be wrong:\n\`\`\`python\n${CODE.offByOne}`);
    expect(prompt).not.toContain(CODE.correctA);
    expect(pools.uts[1]).toMatchObject({
      input: 'sum_to(5)',
      valid: true,
      origin: 'regenerated',
      idea: 'a larger n',
    });
    expect(pools.uts[1].test).toEqual({ call: 'sum_to(5)', expected: '15' });
    expect(exec.cellsRun - before).toBe(3);
    expect(pools.matrix().M.map((r) => r[1])).toEqual([1, 0, 1]);
    expect(decisions[0]).toMatchObject({ ut: 1, action: 'regenerated' });
  });

  test('a failed regeneration marks the UT invalid', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], regenInputs: [] });
    const { env, pools, decisions } = await setup({ ...pool, llm, exec: executor(), params: quick });
    await breakSpuriousCoupling(env, 0);
    expect(pools.uts[1].valid).toBe(false);
    expect(pools.cells.map((r) => r[1])).toEqual([null, null, null]);
    expect(decisions[0]).toMatchObject({ ut: 1, action: 'invalidated' });
  });

  test('no self-consistent expected output also invalidates; a new input that duplicates a UT is a failure', async () => {
    const llm = world({
      stage1Codes: [],
      stage1Inputs: [],
      regenInputs: ['sum_to(2)'],
    });
    const { env, pools } = await setup({ ...pool, llm, exec: executor(), params: quick });
    await breakSpuriousCoupling(env, 0);
    expect(pools.uts[1].valid).toBe(false);
    expect(llm.count('ut-output')).toBe(0);
  });

  test('a spent budget leaves the UT as it was', async () => {
    const llm = world({
      stage1Codes: [],
      stage1Inputs: [],
      regenInputs: calls(5),
      llm: { failFrom: { index: 0, error: () => new BudgetExceededError('requests') } },
    });
    const { env, pools, ctx, decisions } = await setup({ ...pool, llm, exec: executor(), params: quick });
    await breakSpuriousCoupling(env, 0);
    expect(ctx.halted?.reason).toBe('budget');
    expect(pools.uts[1]).toMatchObject({ valid: true, input: 'sum_to(3)' });
    expect(decisions[0]).toMatchObject({ action: 'unchanged' });
  });
});

describe('code fixing', () => {
  // pUT: [4 (all), 3 (fix target), 2]; code 3 fails UT 1.
  const pool = {
    codes: [CODE.correctA, CODE.correctB, CODE.smallOnly2, CODE.square],
    uts: [
      { input: 'sum_to(0)', expected: '0' },
      { input: 'sum_to(2)', expected: '3' },
      { input: 'sum_to(1)', expected: '1' },
    ],
  };

  test('repairs every code failing the highest-pUT UT below |C|, with the input, expected and actual output', async () => {
    const exec = executor();
    const llm = world({ stage1Codes: [], stage1Inputs: [], fixes: { [CODE.square]: CODE.correctC } });
    const { env, pools, decisions } = await setup({
      ...pool,
      uts: [pool.uts[0], pool.uts[1], { input: 'sum_to(5)', expected: '15' }],
      llm,
      exec,
      params: quick,
    });
    expect(pools.matrix().M.map((r) => r[1])).toEqual([1, 1, 1, 0]);
    const before = exec.cellsRun;
    expect((await codeFixing(env, 0)).changed).toBe(true);
    const prompt = llm.prompts('fix')[0];
    expect(llm.count('fix')).toBe(1);
    expect(prompt).toContain('On input "sum_to(2)" the expected output is "3", but it produced "4"');
    expect(pools.codes[3]).toMatchObject({ origin: 'fixed', round: 1 });
    expect(pools.codes[3].code.trim()).toBe(CODE.correctC);
    expect(exec.cellsRun - before).toBe(3);
    expect(decisions[0]).toMatchObject({ code: 3, ut: 1, action: 'kept' });
  });

  test('ours: a repair that loses a high-support UT it passed before is rejected ...', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], fixes: { [CODE.square]: CODE.breaksOne } });
    const { env, pools, decisions } = await setup({ ...pool, llm, exec: executor(), params: quick });
    // square passes UT 0 (0) and UT 2 (1): both passed by 4 and 3 of 4 codes (high support).
    await codeFixing(env, 0);
    expect(pools.codes[3].code.trim()).toBe(CODE.square);
    expect(decisions[0]).toMatchObject({ code: 3, action: 'rejected' });
    expect(decisions[0].reason).toMatch(/the repair passes it but loses high-support UT\(s\) 2/);
  });

  test('... while the reference (guardRepairs: false) keeps every repair', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], fixes: { [CODE.square]: CODE.breaksOne } });
    const { env, pools, decisions } = await setup({
      ...pool,
      llm,
      exec: executor(),
      params: { ...quick, guardRepairs: false },
    });
    await codeFixing(env, 0);
    expect(pools.codes[3].code.trim()).toBe(CODE.breaksOne);
    expect(pools.matrix().M[3]).toEqual([1, 1, 0]);
    expect(decisions[0]).toMatchObject({ action: 'kept' });
  });

  test('an error is shown to the repair prompt as the actual result', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [] });
    const { env } = await setup({
      codes: [CODE.correctA, CODE.correctB, CODE.zeroBug],
      uts: [
        { input: 'sum_to(0)', expected: '0' },
        { input: 'sum_to(1)', expected: '1' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await codeFixing(env, 0);
    expect(llm.prompts('fix')[0]).toContain('it ended with error:\nValueError: 0');
  });
});

describe('UT replacement', () => {
  test('pUT = 0 first; all-pass UTs are then judged on the RE-EXECUTED matrix', async () => {
    // UT 0 all-pass, UT 1 has a wrong expected output (pUT 0). Its replacement is all-pass, so every valid UT
    // is all-pass afterwards and UT 0 is kept.
    const llm = world({ stage1Codes: [], stage1Inputs: [], regenInputs: calls(3, 4) });
    const { env, pools, decisions } = await setup({
      codes: [CODE.correctA, CODE.correctB],
      uts: [
        { input: 'sum_to(1)', expected: '1' },
        { input: 'sum_to(2)', expected: '99' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await utReplacement(env, 0);
    expect(llm.count('ut-input', 'stage2')).toBe(1);
    expect(pools.uts.map((u) => u.input)).toEqual(['sum_to(1)', 'sum_to(3)']);
    expect(decisions.at(-1)).toMatchObject({
      action: 'skipped',
      reason: 'every valid UT is all-pass: all-pass UTs kept',
    });
  });

  test('a failed regeneration keeps the old UT, and all-pass UTs are regenerated when some UT is not all-pass', async () => {
    const llm = world({
      stage1Codes: [],
      stage1Inputs: [],
      regenInputs: [],
      handlers: {
        'stage2.ut-input': (r) => {
          const prompt = r.messages[1].content;
          return prompt.includes('separates nothing')
            ? [jsonReply({ ideas: ['x'], inputs: ['sum_to(7)'] })]
            : [];
        },
      },
    });
    const { env, pools, decisions } = await setup({
      codes: [CODE.correctA, CODE.correctB],
      uts: [
        { input: 'sum_to(1)', expected: '1' },
        { input: 'sum_to(2)', expected: '99' },
        { input: 'sum_to(5)' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await utReplacement(env, 0);
    expect(pools.uts.map((u) => [u.input, u.valid])).toEqual([
      ['sum_to(7)', true],
      ['sum_to(2)', true],
      ['sum_to(5)', false],
    ]);
    expect(decisions.map((d) => [d.ut, d.action])).toEqual([
      [1, 'unchanged'],
      [2, 'unchanged'],
      [0, 'regenerated'],
    ]);
  });

  test('several UTs are regenerated in one request (meta.count), a duplicate new input fails only its UT', async () => {
    const llm = world({
      stage1Codes: [],
      stage1Inputs: [],
      regenInputs: ['sum_to(4)', 'sum_to(1)', 'sum_to(6)'],
    });
    const { env, pools, decisions } = await setup({
      codes: [CODE.correctA, CODE.correctB],
      uts: [
        { input: 'sum_to(1)', expected: '1' },
        { input: 'sum_to(2)', expected: '99' },
        { input: 'sum_to(3)', expected: '99' },
        { input: 'sum_to(5)' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await utReplacement(env, 0);
    const q = llm.calls.filter((c) => c.purpose === 'ut-input');
    // one request for the three UTs with pUT 0 or invalid, then one for the all-pass UTs 0, 1 and 3 (UT 2 still
    // has pUT 0, so not every valid UT is all-pass)
    expect(q.map((c) => c.meta)).toEqual([{ count: 3 }, { count: 3 }]);
    expect(q[0].messages[1].content).toMatch(
      /These 3 earlier tests are being replaced:\n1\. input "sum_to\(2\)"/,
    );
    expect(pools.uts.map((u) => u.input)).toEqual(['sum_to(1)', 'sum_to(4)', 'sum_to(3)', 'sum_to(6)']);
    expect(decisions.find((d) => d.ut === 2)!.reason).toMatch(/duplicates a UT in the pool/);
  });

  test('trusted UTs are never replaced, even with pUT 0 or |C|', async () => {
    const llm = world({ stage1Codes: [], stage1Inputs: [], regenInputs: calls(3, 4, 5) });
    const { env, pools } = await setup({
      codes: [CODE.zeroBug, CODE.zeroBug2],
      uts: [
        { input: 'sum_to(0)', expected: '0', trusted: true },
        { input: 'sum_to(1)', expected: '1', trusted: true },
        { input: 'sum_to(2)', expected: '3' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await utReplacement(env, 0);
    expect(pools.uts.slice(0, 2).map((u) => u.input)).toEqual(['sum_to(0)', 'sum_to(1)']);
  });
});

describe('reply handling', () => {
  test('a code reply without a fence of the task language is unusable', async () => {
    const llm = world({
      stage1Codes: [],
      stage1Inputs: [],
      handlers: {
        fix: () => ['```javascript\nfunction sum_to(n) { return 0 }\n```', codeReply(CODE.correctA)],
      },
    });
    const { env, pools } = await setup({
      codes: [CODE.correctB, CODE.correctC, CODE.square],
      uts: [
        { input: 'sum_to(0)', expected: '0' },
        { input: 'sum_to(2)', expected: '3' },
      ],
      llm,
      exec: executor(),
      params: quick,
    });
    await codeFixing(env, 0);
    expect(pools.codes[2].code.trim()).toBe(CODE.square);
  });
});
