// The CoSPlay parameters every mode (solve, gate, repair) runs with: the preset of the inputs with their
// overrides, and room for seed candidates.
import { PAPER_PARAMS, SMALL_PARAMS, type CosplayParams } from '../cosplay/index.js';
import type { ActionInputs } from './types.js';

/** The preset's parameters with the bon-rule/codes/tests/rounds overrides of the inputs. */
export function presetParams(
  inputs: Pick<ActionInputs, 'preset' | 'codes' | 'tests' | 'rounds'> &
    Partial<Pick<ActionInputs, 'bonRule'>>,
): Partial<CosplayParams> {
  const base = inputs.preset === 'paper' ? PAPER_PARAMS : SMALL_PARAMS;
  const params: Partial<CosplayParams> = { ...base };
  if (inputs.bonRule !== undefined) params.bonRule = inputs.bonRule;
  if (inputs.codes !== undefined) params.nCodes = inputs.codes;
  if (inputs.tests !== undefined) params.nTests = inputs.tests;
  if (inputs.rounds !== undefined) params.maxRounds = inputs.rounds;
  return params;
}

/**
 * The parameters of every mode (solve, gate, repair): `presetParams`, and a `tests` override also raises the
 * number of random stage-3 inputs (up to 16).
 */
export function paramsFromInputs(
  inputs: Pick<ActionInputs, 'preset' | 'codes' | 'tests' | 'rounds'> &
    Partial<Pick<ActionInputs, 'bonRule'>>,
): Partial<CosplayParams> {
  const base = inputs.preset === 'paper' ? PAPER_PARAMS : SMALL_PARAMS;
  const params = presetParams(inputs);
  if (inputs.tests !== undefined)
    params.nRandomInputs = Math.max(base.nRandomInputs, Math.min(inputs.tests, 16));
  return params;
}

/**
 * The same parameters with room for `seeds` extra candidates: the generated pool keeps its size N_c and the
 * seeds come on top (the engine counts seeds inside N_c).
 */
export function withSeeds(params: Partial<CosplayParams>, seeds: number): Partial<CosplayParams> {
  const n = params.nCodes ?? SMALL_PARAMS.nCodes;
  return { ...params, nCodes: n + seeds };
}
