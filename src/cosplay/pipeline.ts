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
import { Pools, makeTest } from './pool.js';
import { stage1 } from './stage1.js';
import { stage2 } from './stage2.js';
import { type FreshRun, archiveEligible, behaviourTie } from './select.js';
import { type ClusterSelection, selectByCluster, stage3, stage3Outputs as stage3Run } from './stage3.js';
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

  // The archive: every code and UT the run executed. The archive rule completes its matrix (cells only, no
  // LLM call), asks for stage 3's fresh inputs, runs on them the archived codes whose behaviour group can still
  // reach the top score (cells only) and takes the BoN tie from the behaviour groups of the archive
  // (src/cosplay/select.ts); a tied code that left the pool comes back into it as a new row.
  const archive = pools.archive;
  pools.sync();
  const useArchive = params.bonRule === 'archive';
  let archiveTied: number[] = [];
  let archiveScore: number | undefined;
  let archiveGroups = 0;
  let archiveCandidates: number[] = [];
  let archiveFresh = new Map<number, CellResult[]>();
  let stage3Inputs: string[] = [];
  let cp = latest(s1.cp, s2.cp);
  // The other BoN rules on the pool the self-play left (before any archived code comes back), clustered on the
  // same stage-3 outputs: reported beside the archive rule, at no cost in tokens.
  const m0 = useArchive ? pools.matrix() : null;
  const inPool = m0 ? eligibleOf(m0, pools.uts) : [];
  const paperTie = m0 ? bonTies(m0, inPool) : [];
  const dualTie = m0 ? codetScores(m0, inPool).tied : [];
  const wantArchiveStage3 = () => useArchive && params.cluster && !ctx.halted && archiveCandidates.length > 1;
  let ranArchiveStage3 = false;
  if (useArchive && pools.codes.length > 0) {
    // Eligibility reads the trusted columns only. Every archived code met every trusted UT in the pool, so it is
    // known before the completion, and the completion's cells run while stage 3 waits for its inputs.
    const trustedKnown = archive
      .missing()
      .every((cols) => cols.every((j) => archive.uts[j].origin !== 'trusted'));
    const completing = pools.completeArchive();
    if (!trustedKnown) await completing;
    const elig = archiveEligible(archive);
    archiveCandidates = elig.flatMap((e, i) => (e ? [i] : []));
    let fresh: FreshRun | undefined;
    if (wantArchiveStage3()) {
      ranArchiveStage3 = true;
      const leave = input.onStage3?.();
      const [got] = await Promise.all([stage3Run(ctx, pools, [], cp).finally(() => leave?.()), completing]);
      cp = latest(cp, got.cp);
      stage3Inputs = got.inputs;
      const tests = stage3Inputs.map((s) => makeTest(task.kind, s));
      fresh = (ids) =>
        ctx.exec(
          ids.map((a) => archive.codes[a].code),
          tests,
        );
    } else await completing;
    // the pool ties' own clustering reads their codes' fresh rows
    const also = [...new Set([...paperTie, ...dualTie])].map((i) => pools.codeId(i)).filter((a) => elig[a]);
    const g = await behaviourTie(archive, { eligible: elig, fresh, also, agree: ctx.agree });
    archiveTied = g.tied;
    archiveScore = g.score;
    archiveGroups = g.groups;
    archiveFresh = g.fresh;
    for (const a of archiveTied) pools.restore(a);
  }

  // Stage 3.
  const m = pools.matrix();
  const pc = pCode(m);
  const eligible = eligibleOf(m, pools.uts);
  // The BoN tie: maximal pCode (the paper), the top dual-agreement group(s) of the final matrix, or those of
  // the archive (ours, params.bonRule).
  const dual = params.bonRule === 'dual-agreement' ? codetScores(m, eligible) : null;
  const tied = useArchive
    ? archiveTied.map((a) => pools.slotOf(a)).sort((x, y) => x - y)
    : dual
      ? dual.tied
      : bonTies(m, eligible);
  const tieWhy = () =>
    useArchive
      ? `with the top dual-agreement score ${archiveScore} among ${archiveGroups} behaviour group(s) of the archive (${archiveCandidates.length} codes x ${archive.validUts().length} valid UTs executed, ${stage3Inputs.length} fresh inputs)`
      : dual
        ? `with the top dual-agreement score ${dual.scores[tied[0]]} (pCode ${pc[tied[0]]})`
        : `with maximal pCode ${pc[tied[0]]}`;
  const asPick = (i: number | null | undefined): Pick | null =>
    i === null || i === undefined ? null : { index: i, code: pools.codes[i].code, pCode: pc[i] };
  const selectedNoCluster = asPick(tied[0]);
  let selected = selectedNoCluster;
  let selection: ClusterSelection | null = null;
  // Codes the method cannot tell from the pick (the pick is the lowest index among them).
  let selectedTie: number[] = [...tied];
  let stage3Outputs: CellResult[][] = [];
  const finalRound = params.maxRounds + 1;
  if (pools.codes.length > 0 && tied.length === 0) ctx.degrade('no code passes every trusted test: no pick');
  // Archive rule: stage 3's clustering of the BoN tie on the outputs already run.
  const runArchiveStage3 = ranArchiveStage3;
  const outputsOf = (slots: number[]) => slots.map((i) => archiveFresh.get(pools.codeId(i)) ?? []);
  // Stage 3's pick within the BoN tie, and its record in the trace (both rules); returns the selection.
  const adopt = (s3: { selection: ClusterSelection; inputs: unknown[]; outputs: CellResult[][] }) => {
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
    return s3.selection;
  };
  if (useArchive && runArchiveStage3 && tied.length > 1) {
    const sel = selectByCluster({ candidates: tied, outputs: outputsOf(tied), pCode: pc, agree: ctx.agree });
    selection = adopt({ selection: sel, inputs: stage3Inputs, outputs: outputsOf(tied) });
  } else if (!useArchive && tied.length > 1 && params.cluster && !ctx.halted) {
    const leave = input.onStage3?.();
    const s3 = await stage3(ctx, pools, tied, pc, cp).finally(() => leave?.());
    cp = latest(cp, s3.cp);
    stage3Inputs = s3.inputs;
    selection = adopt(s3);
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

  const alternatives: Record<string, string[]> = {};
  if (useArchive) {
    const alt = (t: number[]) => {
      if (t.length > 1 && runArchiveStage3)
        return selectByCluster({ candidates: t, outputs: outputsOf(t), pCode: pc, agree: ctx.agree }).tied;
      return t;
    };
    alternatives.passCountRule = alt(paperTie).map((i) => pools.codes[i].code);
    alternatives.passCountRuleNoCluster = paperTie.map((i) => pools.codes[i].code);
    alternatives.dualFinalRule = alt(dualTie).map((i) => pools.codes[i].code);
  }

  const freshIds = [...archiveFresh.keys()].sort((x, y) => x - y);
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
    archive: {
      codes: archive.codes.map((c) => ({ ...c })),
      uts: archive.uts.map((u) => ({ ...u })),
      cells: archive.cells(),
      poolIds: pools.codes.map((_, i) => pools.codeId(i)),
      utPoolIds: pools.uts.map((_, j) => pools.utId(j)),
      stage3Candidates: freshIds,
      stage3Outputs: freshIds.map((a) => archiveFresh.get(a)!),
    },
    alternatives,
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
