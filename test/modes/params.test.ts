// The parameters every mode runs with (src/modes/params.ts): the preset, the input overrides, the seeds.
import { describe, expect, it } from '@jest/globals';
import { PAPER_PARAMS, SMALL_PARAMS } from '../../src/cosplay/index.js';
import { paramsFromInputs, presetParams, withSeeds } from '../../src/modes/params.js';

describe('paramsFromInputs', () => {
  it('takes the preset and the overrides', () => {
    expect(paramsFromInputs({ preset: 'small' })).toEqual({ ...SMALL_PARAMS });
    expect(paramsFromInputs({ preset: 'paper', codes: 8, rounds: 0 })).toMatchObject({
      ...PAPER_PARAMS,
      nCodes: 8,
      maxRounds: 0,
    });
    expect(paramsFromInputs({ preset: 'small', tests: 12 })).toMatchObject({ nTests: 12, nRandomInputs: 12 });
    expect(paramsFromInputs({ preset: 'small', bonRule: 'dual-agreement' }).bonRule).toBe('dual-agreement');
    expect(presetParams({ preset: 'paper', bonRule: 'dual-agreement' }).bonRule).toBe('dual-agreement');
    expect(presetParams({ preset: 'paper' }).bonRule).toBe('pass-count');
  });
});

describe('presetParams and withSeeds', () => {
  it('applies the overrides without scaling the random inputs, and adds the seeds on top of N_c', () => {
    expect(presetParams({ preset: 'small', tests: 12 })).toEqual({ ...SMALL_PARAMS, nTests: 12 });
    expect(withSeeds(presetParams({ preset: 'paper', codes: 4 }), 1)).toMatchObject({ nCodes: 5 });
    expect(withSeeds({}, 2)).toEqual({ nCodes: SMALL_PARAMS.nCodes + 2 });
  });
});
