// CoSPlay parameters from the action inputs (preset, then codes/tests/rounds overrides). The entry's solve
// mode needs the same mapping; it lives here because src/modes/common.ts belongs to the entry (move it there
// when both exist).
import { PAPER_PARAMS, SMALL_PARAMS, type CosplayParams } from '../cosplay/index.js';
import type { ActionInputs } from '../modes/types.js';

export function cosplayParamsFor(
  inputs: Pick<ActionInputs, 'preset' | 'codes' | 'tests' | 'rounds'>,
): Partial<CosplayParams> {
  const base = inputs.preset === 'paper' ? PAPER_PARAMS : SMALL_PARAMS;
  const params: Partial<CosplayParams> = { ...base };
  if (inputs.codes !== undefined) params.nCodes = inputs.codes;
  if (inputs.tests !== undefined) params.nTests = inputs.tests;
  if (inputs.rounds !== undefined) params.maxRounds = inputs.rounds;
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
