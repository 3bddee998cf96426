// Parameters of the method (symbols of the paper in comments) and the presets.
import { UserError } from '../types.js';

export const BON_RULES = ['pass-count', 'dual-agreement', 'archive'] as const;
export type BonRule = (typeof BON_RULES)[number];

export interface CosplayParams {
  /** N_c: size of the code pool. */
  nCodes: number;
  /** N_t: size of the UT pool (half from attack ideas, half random valid inputs). */
  nTests: number;
  /** T_max: at most this many stage-2 rounds. */
  maxRounds: number;
  /** R: random inputs for stage-3 output-consensus clustering. */
  nRandomInputs: number;
  /** |H| at most: hints asked for in stage 1 (plans come from subsets of size 0, 1, 2). */
  maxHints: number;
  /** k: self-consistency samples per attempt for an expected output. */
  scSamples: number;
  /** Accept the majority answer of an attempt when at least this many samples agree. */
  scMinAgree: number;
  /** Attempts before a UT is declared invalid. */
  scMaxAttempts: number;
  /**
   * Which codes are BoN-tied after stage 2 (the candidates of stage 3):
   * - `pass-count` (the paper): the codes with maximal pCode.
   * - `dual-agreement` (ours, CodeT's score on the final matrix): codes grouped by the exact set of valid UTs
   *   they pass, score = (#codes in the group) x (#UTs passed), the top group(s). More robust when many of
   *   the UTs are still wrong after self-play: a wrong UT that a few codes happen to pass lifts their pCode
   *   but not a large group's score. Measured on the bundled replay set in docs/benchmark.md.
   * - `archive` (ours): the same score over everything the run executed (src/cosplay/select.ts): every archived
   *   code and UT, codes grouped by identical behaviour on every UT input and stage-3 fresh input. A tied code
   *   that left the pool comes back into it.
   */
  bonRule: BonRule;
  /** Stage 3 output-consensus clustering (false: the pick is the first BoN-tied code). */
  cluster: boolean;
  /** Ours: stop stage 2 when M is all ones or nothing changed in a round (the reference runs all rounds). */
  earlyStop: boolean;
  /** Ours: keep a repair only if it keeps every high-support UT it passed before (reference: always keep). */
  guardRepairs: boolean;
  /** Ours: validate stage-3 random inputs with an LLM-written validator program. */
  validateInputs: boolean;
  /** Inputs (or ideas) asked for per request, as a JSON array. */
  itemsPerRequest: number;
  /** Wall-clock limit per executed cell. */
  timeoutMs?: number;
  /** Sampling temperature for codes, inputs and self-consistency samples. */
  temperature: number;
}

/** The paper's defaults: N_c = N_t = 16, T_max = 5, R = 16, k = 4 (accept 3 of 4, up to 5 attempts), up to 4 hints. */
export const PAPER_PARAMS: CosplayParams = Object.freeze({
  nCodes: 16,
  nTests: 16,
  maxRounds: 5,
  nRandomInputs: 16,
  maxHints: 4,
  scSamples: 4,
  scMinAgree: 3,
  scMaxAttempts: 5,
  bonRule: 'pass-count',
  cluster: true,
  earlyStop: true,
  guardRepairs: true,
  validateInputs: true,
  itemsPerRequest: 8,
  temperature: 0.8,
});

/**
 * For small free quotas (GitHub Models: tens to hundreds of requests a day, about 8k input / 4k output
 * tokens per request): 6 codes x 6 UTs, 2 rounds, 2 hints (4 plan requests), k = 3 accept 2, 2 attempts.
 * A run costs about 25 logical requests when the pool converges at once and up to about 80 when both rounds
 * do everything (each expected-output request asks for n = 3 samples: 3 HTTP requests where `n` is ignored).
 */
export const SMALL_PARAMS: CosplayParams = Object.freeze({
  nCodes: 6,
  nTests: 6,
  maxRounds: 2,
  nRandomInputs: 6,
  maxHints: 2,
  scSamples: 3,
  scMinAgree: 2,
  scMaxAttempts: 2,
  bonRule: 'pass-count',
  cluster: true,
  earlyStop: true,
  guardRepairs: true,
  validateInputs: true,
  itemsPerRequest: 8,
  temperature: 0.8,
});

/**
 * For the replay model (recorded samples): a recorded test has one recorded expected output per input, so
 * self-consistency degenerates to k = 1 (the test as the model wrote it, as in CodeT); with UTs that stay
 * mostly wrong, the BoN tie is taken by dual agreement over the archive (everything the run executed).
 * Sizes as the paper.
 */
export const REPLAY_PARAMS: CosplayParams = Object.freeze({
  ...PAPER_PARAMS,
  scSamples: 1,
  scMinAgree: 1,
  scMaxAttempts: 1,
  bonRule: 'archive',
});

export function resolveParams(p?: Partial<CosplayParams>): CosplayParams {
  const out = { ...PAPER_PARAMS, ...(p ?? {}) } as CosplayParams;
  for (const k of [
    'nCodes',
    'nTests',
    'maxRounds',
    'nRandomInputs',
    'maxHints',
    'scSamples',
    'scMaxAttempts',
  ] as const) {
    const v = out[k];
    if (!Number.isInteger(v) || v < 0)
      throw new UserError(`CosplayParams.${k} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(out.itemsPerRequest) || out.itemsPerRequest < 1)
    throw new UserError(
      `CosplayParams.itemsPerRequest must be a positive integer, got ${out.itemsPerRequest}`,
    );
  if (!(BON_RULES as readonly string[]).includes(out.bonRule))
    throw new UserError(`CosplayParams.bonRule must be one of ${BON_RULES.join(', ')}, got ${out.bonRule}`);
  if (!Number.isInteger(out.scMinAgree) || out.scMinAgree < 1 || out.scMinAgree > Math.max(1, out.scSamples))
    throw new UserError(`CosplayParams.scMinAgree must be in 1..scSamples, got ${out.scMinAgree}`);
  return out;
}
