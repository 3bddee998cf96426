// The CoSPlay pipeline: stage 1 -> stage 2 -> stage 3, plus the baselines on the stage-1 and final matrices.
// Pure: all I/O goes through the Llm and the Executor. A spent budget or an unreachable endpoint ends the
// run with the best pick so far; declined requests simply yield fewer items.
import type { CellResult, Executor, Llm, Task, UnitTest } from '../types.js';
import { agreeFor } from './agree.js';
import { codetScores, computeBaselines } from './baselines.js';
import { Ctx, latest } from './context.js';
import {
  type ExecutionMatrix,
  bonTies,
  buildMatrix,
  pCode,
  pUT,
  passingAll,
  validColumns,
} from './matrix.js';
import { type CosplayParams, resolveParams } from './params.js';
import { Pools } from './pool.js';
import { stage1 } from './stage1.js';
import { stage2 } from './stage2.js';
import { type ClusterSelection, stage3 } from './stage3.js';
import type { CosplayResult, Pick, PoolCode, PoolUt } from './types.js';

export interface RunCosplayInput {
  task: Task;
  llm: Llm;
  executor: Executor;
  params?: Partial<CosplayParams>;
  /**
   * Codes added to the pool as candidates (repair: the current implementation; gate: the PR's implementation).
   * They are judged like any other candidate and never favoured: they come after the generated codes, so
   * lowest-index tie-breaks go against them.
   */
  seedCodes?: string[];
  /** Tests that are always valid, never replaced, and that every pick must pass (repair: the failing tests). */
  trustedTests?: UnitTest[];
  /** Clock in milliseconds (wall time and per-call latencies); default Date.now. */
  now?: () => number;
  /** Called when stage 3 starts; returns what to call when it ends (the benchmark's time breakdown). */
  onStage3?: () => () => void;
}

/** Codes that pass every trusted test (all codes when there is none). */
function eligibleOf(m: ExecutionMatrix, uts: PoolUt[]): boolean[] {
  const cols = validColumns(m).filter((j) => uts[j].origin === 'trusted');
  return passingAll(m, cols);
}

export async function runCosplay(input: RunCosplayInput): Promise<CosplayResult> {
  const params = resolveParams(input.params);
  const now = input.now ?? Date.now;
  const t0 = now();
  const task = input.task;
  const ctx = new Ctx(task, params, input.llm, input.executor, now, agreeFor(task.kind));
  const pools = new Pools(ctx);
  const seeds = input.seedCodes ?? [];
  const trusted = input.trustedTests ?? [];

  // Stage 1.
  const s1 = await stage1(ctx, pools, seeds, trusted, 0);
  const m1 = pools.matrix();
  const initialCodes = pools.codes.map((c) => ({ ...c }));
  const initialUts = pools.uts.map((u) => ({ ...u }));
  const initialCells = pools.cells.map((r) => [...r]);
  const baselines = computeBaselines({
    matrix: m1,
    cells: initialCells,
    codes: initialCodes.map((c) => c.code),
    agree: ctx.agree,
    eligible: eligibleOf(m1, initialUts),
  });
  if (pools.codes.length === 0) ctx.degrade('no code in the pool: nothing to select');
  else if (validColumns(m1).length === 0) ctx.degrade('no valid UT after stage 1');

  // Stage 2.
  const s2 = await stage2(ctx, pools, { plans: s1.plans, next: s1.nextPlan, cycle: 0 }, s1.cp);
  let stopReason = s2.stopReason;

  // Stage 3.
  const m = pools.matrix();
  const pc = pCode(m);
  const eligible = eligibleOf(m, pools.uts);
  // The BoN tie: maximal pCode (the paper) or the top dual-agreement group(s) (ours, params.bonRule).
  const dual = params.bonRule === 'dual-agreement' ? codetScores(m, eligible) : null;
  const tied = dual ? dual.tied : bonTies(m, eligible);
  const tieWhy = () =>
    dual
      ? `with the top dual-agreement score ${dual.scores[tied[0]]} (pCode ${pc[tied[0]]})`
      : `with maximal pCode ${pc[tied[0]]}`;
  const asPick = (i: number | null | undefined): Pick | null =>
    i === null || i === undefined ? null : { index: i, code: pools.codes[i].code, pCode: pc[i] };
  const selectedNoCluster = asPick(tied[0]);
  let selected = selectedNoCluster;
  let selection: ClusterSelection | null = null;
  // Codes the method cannot tell from the pick (the pick is the lowest index among them).
  let selectedTie: number[] = [...tied];
  let stage3Inputs: string[] = [];
  let stage3Outputs: CellResult[][] = [];
  let cp = latest(s1.cp, s2.cp);
  const finalRound = params.maxRounds + 1;
  if (pools.codes.length > 0 && tied.length === 0) ctx.degrade('no code passes every trusted test: no pick');
  if (tied.length > 1 && params.cluster && !ctx.halted) {
    const leave = input.onStage3?.();
    const s3 = await stage3(ctx, pools, tied, pc, cp).finally(() => leave?.());
    cp = latest(cp, s3.cp);
    selection = s3.selection;
    stage3Inputs = s3.inputs;
    stage3Outputs = s3.outputs;
    selected = asPick(s3.selection.index);
    selectedTie = s3.selection.tied;
    const chosen = s3.selection.clusters[s3.selection.chosen];
    ctx.note({
      round: finalRound,
      step: 'selection',
      code: selected?.index,
      action: 'selected',
      reason:
        `${tied.length} codes BoN-tied ${tieWhy()}; ${s3.selection.clusters.length} output cluster(s) on ` +
        `${s3.inputs.length} random inputs; chosen cluster {${chosen?.members.join(', ')}} with ${chosen?.agreements} pairwise agreements ` +
        `(pCode sum ${chosen?.pCodeSum}); code ${selected?.index} has the most agreements within it`,
    });
  } else if (selected) {
    const why =
      tied.length === 1
        ? `the only code ${tieWhy()}`
        : !params.cluster
          ? `first of ${tied.length} codes ${tieWhy()} (clustering off)`
          : `first of ${tied.length} codes ${tieWhy()} (stage 3 skipped: ${ctx.halted?.reason ?? 'halted'})`;
    ctx.note({ round: finalRound, step: 'selection', code: selected.index, action: 'selected', reason: why });
  }
  if (ctx.halted) stopReason = ctx.halted.reason;
  else if (pools.codes.length === 0) stopReason = 'no-codes';

  const put = pUT(m);
  const codePool: PoolCode[] = pools.codes.map((c, i) => ({ ...c, pCode: pc[i] }));
  const utPool: PoolUt[] = pools.uts.map((u, j) => ({ ...u, pUT: put[j] }));
  const pc1 = pCode(m1);
  const put1 = pUT(m1);
  const all = (u: Record<string, { requests: number; promptTokens: number; completionTokens: number }>) =>
    Object.values(u).reduce(
      (a, b) => ({
        requests: a.requests + b.requests,
        tokens: a.tokens + b.promptTokens + b.completionTokens,
      }),
      { requests: 0, tokens: 0 },
    );
  const total = all(ctx.byStage);
  return {
    task,
    params,
    selected,
    selectedNoCluster,
    selectedTie,
    bonTied: tied,
    clusters: selection?.clusters ?? [],
    stage3Inputs,
    stage3Outputs,
    baselines,
    baselinesFinal: computeBaselines({
      matrix: m,
      cells: pools.cells,
      codes: pools.codes.map((c) => c.code),
      agree: ctx.agree,
      eligible,
    }),
    codePool,
    utPool,
    executionMatrix: m.M,
    cells: pools.cells.map((r) => r.map((c): CellResult | null => c)),
    initial: {
      codePool: initialCodes.map((c, i) => ({ ...c, pCode: pc1[i] })),
      utPool: initialUts.map((u, j) => ({ ...u, pUT: put1[j] })),
      executionMatrix: buildMatrix(initialCells, m1.valid).M,
    },
    rounds: s2.rounds,
    decisions: ctx.decisions,
    stopReason,
    degraded: ctx.degraded,
    usage: { byStage: ctx.byStage, byPurpose: ctx.byPurpose },
    tokens: total.tokens,
    requests: total.requests,
    cellsExecuted: ctx.cellsExecuted,
    execMs: ctx.execMs,
    wallMs: Math.max(0, now() - t0),
    criticalPathMs: latest(cp, ctx.criticalPath),
  };
}
