// Stage 3: output-consensus cluster selection among the BoN-tied codes.
// 1. R random inputs; ours: validated by an LLM-written input validator program.
// 2. Every BoN-tied code runs on them; an output is ERR when the run's VERDICT says it failed (exception,
//    timeout, memory, output limit), never because its text mentions "error". ERR positions are wildcards.
// 3. Greedy clustering in index order: a code joins the first cluster whose every member agrees with it on all
//    positions where neither output is ERR (agreement by `outputsAgree`); else it starts a new cluster.
// 4. The cluster with the most pairwise agreements; ties: larger sum of pCode, then lowest index.
// 5. In it, the code with the most agreements with other members; ties: fewest ERR, highest pCode, lowest index.
import type { CellResult } from '../types.js';
import { type Agree, type Ctx, latest } from './context.js';
import { makeTest, type Pools } from './pool.js';
import { validatorPrompt, validatorTest } from './prompts.js';
import { parseCode } from './replies.js';
import { requestInputs } from './stage1.js';
import { highSupport } from './stage2.js';
import type { Cluster } from './types.js';

/** ERR: the run did not finish normally (from the verdict, never from the output text). */
export function isErr(c: CellResult | null | undefined): boolean {
  return !c || (c.verdict !== 'pass' && c.verdict !== 'fail');
}

export interface ClusterSelection {
  /** The selected code index (null when there are no candidates). */
  index: number | null;
  clusters: Cluster[];
  /** Index into `clusters` of the chosen cluster (-1 when none). */
  chosen: number;
  /** Per candidate (same order as `candidates`): agreements with the other members of its cluster. */
  memberAgreements: number[];
  /** Per candidate: ERR positions. */
  errs: number[];
  /**
   * Codes (indexes, ascending) that every rule above ranks equal to the pick, which is the lowest index among
   * them: the members with the best (agreements, fewest ERR, pCode) of every cluster tied with the chosen one
   * on (agreements, pCode sum). Sampling order carries no information, so a benchmark averages over them.
   */
  tied: number[];
}

/**
 * selectByCluster: greedy output-consensus clustering of `candidates` (code indexes, taken in ascending order)
 * on `outputs[k][p]` (candidate k, input p), then cluster and code choice with the method's tie-breaks.
 */
export function selectByCluster(args: {
  candidates: number[];
  outputs: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>>;
  /** pCode by code index. */
  pCode: ReadonlyArray<number>;
  agree: Agree;
}): ClusterSelection {
  const order = args.candidates.map((c, k) => ({ c, k })).sort((a, b) => a.c - b.c);
  const err = args.outputs.map((row) => row.map(isErr));
  const positions = Math.max(0, ...args.outputs.map((r) => r.length));
  const agreeAt = (a: number, b: number, p: number) =>
    !err[a][p] && !err[b][p] && args.agree(args.outputs[a][p]!.output, args.outputs[b][p]!.output);
  const compatible = (a: number, b: number) => {
    for (let p = 0; p < positions; p++) if (!err[a][p] && !err[b][p] && !agreeAt(a, b, p)) return false;
    return true;
  };
  const agreements = (a: number, b: number) => {
    let s = 0;
    for (let p = 0; p < positions; p++) if (agreeAt(a, b, p)) s++;
    return s;
  };

  // Greedy clustering in index order (members are positions k in `candidates`).
  const groups: number[][] = [];
  for (const { k } of order) {
    const g = groups.find((members) => members.every((x) => compatible(x, k)));
    if (g) g.push(k);
    else groups.push([k]);
  }
  const memberAgreements = args.candidates.map(() => 0);
  const clusters: Cluster[] = groups.map((members) => {
    let total = 0;
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) {
        const s = agreements(members[a], members[b]);
        total += s;
        memberAgreements[members[a]] += s;
        memberAgreements[members[b]] += s;
      }
    return {
      members: members.map((k) => args.candidates[k]),
      agreements: total,
      pCodeSum: members.reduce((s, k) => s + (args.pCode[args.candidates[k]] ?? 0), 0),
    };
  });
  const errs = err.map((row) => row.slice(0, positions).filter(Boolean).length);
  if (groups.length === 0) return { index: null, clusters, chosen: -1, memberAgreements, errs, tied: [] };

  // Cluster choice: most pairwise agreements, then sum of pCode, then lowest index.
  let chosen = 0;
  for (let g = 1; g < clusters.length; g++) {
    const a = clusters[g];
    const b = clusters[chosen];
    if (
      a.agreements > b.agreements ||
      (a.agreements === b.agreements &&
        (a.pCodeSum > b.pCodeSum ||
          (a.pCodeSum === b.pCodeSum && Math.min(...a.members) < Math.min(...b.members))))
    )
      chosen = g;
  }
  // Code choice: most agreements with other members, then fewest ERR, then highest pCode, then lowest index.
  const key = (k: number) => [memberAgreements[k], -errs[k], args.pCode[args.candidates[k]] ?? 0];
  const cmp = (a: number, b: number) => {
    const [ka, kb] = [key(a), key(b)];
    for (let q = 0; q < ka.length; q++) if (ka[q] !== kb[q]) return ka[q] - kb[q];
    return 0;
  };
  const topOf = (members: number[]) => {
    let top = [members[0]];
    for (const k of members.slice(1)) {
      const c = cmp(k, top[0]);
      if (c > 0) top = [k];
      else if (c === 0) top.push(k);
    }
    return top.map((k) => args.candidates[k]);
  };
  const best = Math.min(...topOf(groups[chosen]));
  const c0 = clusters[chosen];
  const tied = clusters
    .map((c, g) => ({ c, g }))
    .filter(({ c }) => c.agreements === c0.agreements && c.pCodeSum === c0.pCodeSum)
    .flatMap(({ g }) => topOf(groups[g]))
    .sort((a, b) => a - b);
  return { index: best, clusters, chosen, memberAgreements, errs, tied };
}

export interface Stage3Result {
  selection: ClusterSelection;
  inputs: string[];
  /** outputs[k][p]: tied code k on input p. */
  outputs: CellResult[][];
  cp: number;
}

/**
 * Random inputs (validated when a usable validator comes back), the tied codes run on them, selectByCluster.
 */
export async function stage3(
  ctx: Ctx,
  pools: Pools,
  tied: number[],
  pCodes: number[],
  after: number,
): Promise<Stage3Result> {
  const run = await stage3Outputs(
    ctx,
    pools,
    tied.map((i) => pools.codes[i].code),
    after,
  );
  const selection = selectByCluster({
    candidates: tied,
    outputs: run.outputs,
    pCode: pCodes,
    agree: ctx.agree,
  });
  return { selection, ...run };
}

/**
 * Stage 3's fresh inputs and the given codes' results on them: R random inputs, validated when a usable
 * validator comes back (inputs it rejects are dropped); outputs[k][p] = code k on kept input p.
 */
export async function stage3Outputs(
  ctx: Ctx,
  pools: Pools,
  codes: string[],
  after: number,
): Promise<{ inputs: string[]; outputs: CellResult[][]; cp: number }> {
  const P = ctx.params;
  const task = ctx.task;
  const [got, validator] = await Promise.all([
    requestInputs(ctx, 'stage3', P.nRandomInputs, new Set(), after),
    // A validator is a function with the entry point's parameters: a method's inputs are whole expressions.
    P.validateInputs && !task.method ? ctx.ask(validatorPrompt(task), after) : Promise.resolve(null),
  ]);
  const cp = latest(after, got.cp, validator?.cp ?? 0);
  const inputs = got.inputs;
  if (inputs.length < P.nRandomInputs)
    ctx.degrade(`stage 3 got ${inputs.length} of ${P.nRandomInputs} random inputs`);
  const code = validator
    ? (validator.texts.map((t) => parseCode(t, task.language)).find((c) => c !== null) ?? null)
    : null;
  if (validator && code === null)
    ctx.degrade('no input validator (declined or unusable): stage 3 inputs are not validated');
  const m = pools.matrix();
  const high = highSupport(m, pools.trusted());
  const known = pools.uts.filter((_, j) => high[j]).map((u) => u.input);
  // The tied codes and the validator run side by side; the validator's verdicts then filter the columns.
  const [all, checked] = await Promise.all([
    ctx.exec(
      codes,
      inputs.map((s) => makeTest(task.kind, s)),
    ),
    code !== null && inputs.length > 0
      ? ctx.exec(
          [code],
          [...inputs, ...known].map((s) => validatorTest(task, s)),
        )
      : Promise.resolve(null),
  ]);
  let keep = inputs.map(() => true);
  if (checked) {
    const ok = checked[0].map((c) => c.verdict === 'pass');
    const accepted = ok.slice(0, inputs.length).filter(Boolean).length;
    const knownOk = ok.slice(inputs.length).filter(Boolean).length;
    if (accepted === 0 || 2 * knownOk < known.length)
      ctx.degrade(
        `input validator distrusted (accepts ${accepted} of ${inputs.length} inputs and ${knownOk} of ${known.length} high-support UT inputs): stage 3 inputs are not validated`,
      );
    else {
      keep = inputs.map((_, p) => ok[p]);
      if (accepted < inputs.length)
        ctx.note({
          round: P.maxRounds + 1,
          step: 'selection',
          action: 'filtered',
          reason: `the input validator rejected ${inputs.length - accepted} of ${inputs.length} random inputs`,
        });
    }
  }
  const used = inputs.filter((_, p) => keep[p]);
  const outputs = all.map((row) => row.filter((_, p) => keep[p]));
  return { inputs: used, outputs, cp };
}
