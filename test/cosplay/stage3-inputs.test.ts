// Stage 3 (ours): random inputs validated by an LLM-written validator program before clustering.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { CODE, TASK, calls, executor, world } from './world.js';

// Two correct programs that disagree only outside the problem's domain (n < 0): n(n+1)/2 vs sum(range(n+1)).
const params: Partial<CosplayParams> = {
  nCodes: 2,
  nTests: 2,
  scSamples: 1,
  scMinAgree: 1,
  scMaxAttempts: 1,
};
const run = (validator: string | null, over: Partial<CosplayParams> = {}) => {
  const llm = world({
    stage1Codes: [CODE.correctA, CODE.correctB],
    stage1Inputs: calls(2, 3),
    stage3Inputs: ['sum_to(-3)', 'sum_to(4)', 'sum_to(-1)', 'sum_to(6)'],
    validator,
  });
  return { llm, r: runCosplay({ task: TASK, llm, executor: executor(), params: { ...params, ...over } }) };
};

describe('validated stage-3 inputs', () => {
  test('the validator drops invalid inputs, so codes that agree on the valid domain form one cluster', async () => {
    const { r: p, llm } = run(CODE.validator);
    const r = await p;
    expect(llm.count('generator', 'stage3')).toBe(1);
    expect(r.stage3Inputs).toEqual(['sum_to(4)', 'sum_to(6)']);
    expect(r.clusters.map((c) => c.members)).toEqual([[0, 1]]);
    expect(r.decisions.some((d) => d.action === 'filtered' && /rejected 2 of 4/.test(d.reason))).toBe(true);
  });

  test('without a validator (declined) the invalid inputs split the codes, and the run says so', async () => {
    const r = await run(null).r;
    expect(r.stage3Inputs).toHaveLength(4);
    expect(r.clusters.map((c) => c.members)).toEqual([[0], [1]]);
    expect(r.degraded).toContain(
      'no input validator (declined or unusable): stage 3 inputs are not validated',
    );
  });

  test('a validator that rejects the inputs of high-support UTs is distrusted', async () => {
    // "Valid" only for n > 100: it rejects sum_to(2) and sum_to(3), which every code passes.
    const r = await run(CODE.square).r; // square(n) is never True: rejects everything
    expect(r.stage3Inputs).toHaveLength(4);
    expect(r.degraded.some((d) => /input validator distrusted/.test(d))).toBe(true);
  });

  test('validateInputs: false asks for no validator', async () => {
    const { r: p, llm } = run(CODE.validator, { validateInputs: false });
    const r = await p;
    expect(llm.count('generator')).toBe(0);
    expect(r.stage3Inputs).toHaveLength(4);
  });
});
