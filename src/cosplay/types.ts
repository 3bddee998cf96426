// The result and trace of a CoSPlay run.
import type { CellResult, Stage, Task, UnitTest } from '../types.js';
import type { ArchivedCode, ArchivedUt } from './archive.js';
import type { CosplayParams } from './params.js';

/** Where a code of the code pool came from. */
export type CodeOrigin = 'plan' | 'plain' | 'seed' | 'cleaned' | 'fixed';
/** Where a UT of the UT pool came from. */
export type UtOrigin = 'attack' | 'random' | 'trusted' | 'regenerated';

export interface PoolCode {
  code: string;
  origin: CodeOrigin;
  /** The plan the code followed (stage 1 and code cleaning), when any. */
  plan?: string;
  /** Index into `seedCodes` when this code is a seed or a repair of one. */
  seed?: number;
  /** 0 = stage 1, r = made in stage-2 round r. */
  round: number;
  /** pCode in the final matrix (filled in the result). */
  pCode?: number;
}

export interface Vote {
  answer: string;
  count: number;
}

export interface PoolUt {
  test: UnitTest;
  /** The input: the call expression (function tasks) or stdin text (stdio tasks). */
  input: string;
  valid: boolean;
  /** pUT in the final matrix (filled in the result; 0 for an invalid UT). */
  pUT?: number;
  origin: UtOrigin;
  /** The attack idea behind it, when any. */
  idea?: string;
  round: number;
  /** Self-consistency: attempts made and the votes of the last attempt. */
  attempts: number;
  votes?: Vote[];
}

export type Step =
  | 'stage 1'
  | 'code cleaning'
  | 'break spurious coupling'
  | 'code fixing'
  | 'UT replacement'
  | 'early stop'
  | 'selection';

export interface Decision {
  /** 0 = stage 1, r = stage-2 round r, maxRounds + 1 = stage 3. */
  round: number;
  step: Step;
  code?: number;
  ut?: number;
  /** What was done: e.g. `replaced`, `kept`, `rejected`, `invalidated`, `unchanged`, `skipped`, `selected`. */
  action: string;
  reason: string;
}

export interface MatrixSnapshot {
  M: number[][];
  valid: boolean[];
  pCode: number[];
  pUT: number[];
}

export interface RoundTrace {
  round: number;
  /** M at the start and at the end of the round. */
  before: MatrixSnapshot;
  after: MatrixSnapshot;
  decisions: Decision[];
  changed: boolean;
}

export interface Pick {
  index: number;
  code: string;
  pCode: number;
}

/** A baseline's choice: the deterministic pick (lowest index) and every candidate tied at the best score. */
export interface BaselinePick {
  index: number;
  code: string;
  score: number;
  /** Indexes tied at the best score, ascending (benchmarks average accuracy uniformly over them). */
  tied: number[];
  tiedCodes: string[];
}

export interface Baselines {
  /** First sample; tied = every (eligible) code, so that the uniform average is the pool's pass@1. */
  first: BaselinePick | null;
  /** Pass-count best-of-n: argmax pCode. */
  passCount: BaselinePick | null;
  /** CodeT dual execution agreement. */
  codet: BaselinePick | null;
  /** MBR-exec (hard agreement of outputs on every UT input). */
  mbr: BaselinePick | null;
}

export interface Cluster {
  members: number[];
  agreements: number;
  pCodeSum: number;
}

export interface StageUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export type StopReason =
  'converged' | 'no-change' | 'max-rounds' | 'budget' | 'llm-unavailable' | 'no-codes' | 'no-valid-uts';

export interface CosplayResult {
  task: Task;
  params: CosplayParams;
  /** The CoSPlay pick (with clustering when enabled), or null when no code is eligible. */
  selected: Pick | null;
  /** The first BoN-tied code (the pick without clustering). */
  selectedNoCluster: Pick | null;
  /**
   * Codes no rule of the method tells from `selected` (ascending; `selected` is the lowest): the rest of the
   * BoN tie when stage 3 did not run, else the codes stage 3 ranks equal (ClusterSelection.tied).
   */
  selectedTie: number[];
  /**
   * BoN-tied codes of the final matrix (among codes passing every trusted test): maximal pCode, or the top
   * dual-agreement group(s) when params.bonRule is `dual-agreement`.
   */
  bonTied: number[];
  /** Stage 3 clusters (empty when stage 3 did not cluster). */
  clusters: Cluster[];
  /** Stage 3 inputs the clustering used (after validation). */
  stage3Inputs: string[];
  /** stage3Outputs[k][p]: BoN-tied code bonTied[k] on stage3Inputs[p] (empty when stage 3 did not run). */
  stage3Outputs: CellResult[][];
  /** Baselines on the stage-1 matrix (the plain pool, before self-play); indexes into `initial.codePool`. */
  baselines: Baselines;
  /** The same baselines on the final matrix; indexes into `codePool`. */
  baselinesFinal: Baselines;
  codePool: PoolCode[];
  utPool: PoolUt[];
  /** Final M (rows = codePool, columns = utPool). */
  executionMatrix: number[][];
  /** Final cells; null where a UT is invalid (not executed). */
  cells: (CellResult | null)[][];
  /** Pools and matrix after stage 1. */
  initial: { codePool: PoolCode[]; utPool: PoolUt[]; executionMatrix: number[][] };
  rounds: RoundTrace[];
  /**
   * Everything the run executed (src/cosplay/archive.ts): every code and UT that was ever in the pools (and
   * repairs rejected on trial), what became of it, and its cells (codes x UTs; null where the UT is invalid or
   * the cell was never executed: the archive rule executes every missing cell before it selects).
   */
  archive: {
    codes: ArchivedCode[];
    uts: ArchivedUt[];
    cells: (CellResult | null)[][];
    /** The archive index of every final code-pool row / UT-pool column. */
    poolIds: number[];
    utPoolIds: number[];
    /** Archive rule: the archived codes run on stage 3's inputs, and their results (rows in that order). */
    stage3Candidates: number[];
    stage3Outputs: CellResult[][];
  };
  /**
   * Archive rule: the ties the other BoN rules give on the pool the self-play left, clustered on the same
   * stage-3 outputs (`passCountRule`: the paper's max pCode; `passCountRuleNoCluster`; `dualFinalRule`:
   * dual agreement on the final matrix), as code strings. Empty for the other rules.
   */
  alternatives: Record<string, string[]>;
  decisions: Decision[];
  stopReason: StopReason;
  /** Why the run is weaker than asked for (declined requests, short pools, spent budget, ...). */
  degraded: string[];
  usage: { byStage: Record<Stage, StageUsage>; byPurpose: Record<string, StageUsage> };
  tokens: number;
  requests: number;
  /** Cells run by the executor (incremental execution runs only new rows and columns). */
  cellsExecuted: number;
  /** Time spent waiting for the executor (sum over calls; part of the wall time, not of the critical path). */
  execMs: number;
  wallMs: number;
  /** The longest chain of dependent LLM calls, each call counted with its measured latency. */
  criticalPathMs: number;
}
