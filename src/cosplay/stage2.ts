// Stage 2: execution-matrix self-play, at most T_max rounds. Each round, in this order, re-executing M (only
// the changed rows / columns) after every step that changes a pool:
//   1. code cleaning           every code with pCode = 0 -> a fresh code from an unused plan
//   2. break spurious coupling the valid non-trivial UT with the LOWEST pUT -> regenerated from a new attack
//                              idea (failure marks it invalid)
//   3. code fixing             the valid UT with the HIGHEST pUT among pUT < |C| (skip when that pUT is 0 or M
//                              is all ones) -> every code failing it gets a repair prompt; ours: a repair is
//                              kept only if it keeps every high-support UT it passed before
//   4. UT replacement          UTs with pUT = 0 or invalid are regenerated; then UTs with pUT = |C| unless every
//                              valid UT is all-pass (a failed regeneration keeps the old UT)
// Ours: early stop when M is all ones or nothing changed in a round. Trusted tests are never replaced.
// Ties everywhere go to the lowest index.
import { type Ctx, latest } from './context.js';
import {
  type ExecutionMatrix,
  allOnes,
  nCodes,
  nonTrivialColumns,
  pCode,
  pUT,
  passingAll,
  validColumns,
} from './matrix.js';
import { makeTest, type Pools } from './pool.js';
import { codePrompt, fixPrompt, regenerateUtPrompt } from './prompts.js';
import { inputKey, normaliseInput, parseCode, parseList } from './replies.js';
import { type Plan, planText, selfConsistency, utFrom } from './stage1.js';
import type { Decision, PoolCode, PoolUt, RoundTrace, StopReason } from './types.js';

// ---------------------------------------------------------------- the rules, as pure functions of M

/** Code cleaning: codes with pCode = 0. None when M has no valid UT (pCode then carries no signal). */
export function selectCleaning(m: ExecutionMatrix): number[] {
  if (validColumns(m).length === 0) return [];
  return pCode(m).flatMap((p, i) => (p === 0 ? [i] : []));
}

/**
 * Break spurious coupling: the valid, non-trivial (0 < pUT < |C|), non-trusted UT with the LOWEST pUT; ties go
 * to the lowest index. Null when there is none.
 */
export function selectCouplingBreak(m: ExecutionMatrix, trusted: ReadonlyArray<boolean> = []): number | null {
  const put = pUT(m);
  let best: number | null = null;
  for (const j of nonTrivialColumns(m)) if (!trusted[j] && (best === null || put[j] < put[best])) best = j;
  return best;
}

export interface FixTarget {
  ut: number;
  /** Codes failing the target UT, ascending. */
  failing: number[];
}

/**
 * Code fixing target: the valid UT with the HIGHEST pUT among those with pUT < |C| (ties: lowest index);
 * null when that pUT is 0 or every code passes every valid UT. Ours (repair mode): while no code passes
 * every trusted test, the target is the trusted test with the highest pUT < |C|, even when that pUT is 0
 * (a trusted test is known to be right).
 */
export function selectFixTarget(m: ExecutionMatrix, trusted: ReadonlyArray<boolean> = []): FixTarget | null {
  const put = pUT(m);
  const n = nCodes(m);
  if (n === 0) return null;
  const highest = (cols: number[]) => {
    let best: number | null = null;
    for (const j of cols) if (put[j] < n && (best === null || put[j] > put[best])) best = j;
    return best;
  };
  const trustedCols = validColumns(m).filter((j) => trusted[j]);
  let ut: number | null = null;
  if (trustedCols.length > 0 && !passingAll(m, trustedCols).some(Boolean)) ut = highest(trustedCols);
  if (ut === null) {
    ut = highest(validColumns(m));
    if (ut === null || put[ut] === 0) return null;
  }
  const j = ut;
  return { ut: j, failing: m.M.flatMap((row, i) => (row[j] ? [] : [i])) };
}

/** UT replacement, first part: non-trusted UTs that are invalid or have pUT = 0, ascending. */
export function selectUtReplacement(m: ExecutionMatrix, trusted: ReadonlyArray<boolean> = []): number[] {
  const put = pUT(m);
  return m.valid.flatMap((v, j) => (!trusted[j] && (!v || put[j] === 0) ? [j] : []));
}

/**
 * UT replacement, second part: non-trusted valid UTs with pUT = |C|, unless every valid UT is all-pass (then
 * nothing: the matrix agrees everywhere).
 */
export function selectAllPassReplacement(m: ExecutionMatrix, trusted: ReadonlyArray<boolean> = []): number[] {
  const put = pUT(m);
  const n = nCodes(m);
  const cols = validColumns(m);
  if (n === 0 || cols.length === 0 || cols.every((j) => put[j] === n)) return [];
  return cols.filter((j) => !trusted[j] && put[j] === n);
}

/** High-support UTs: trusted ones and valid ones that a strict majority of codes passes. */
export function highSupport(m: ExecutionMatrix, trusted: ReadonlyArray<boolean> = []): boolean[] {
  const put = pUT(m);
  const n = nCodes(m);
  return m.valid.map((v, j) => v && (!!trusted[j] || 2 * put[j] > n));
}

/** Ours: a repair is kept only if it still passes every high-support UT the old code passed. */
export function repairKeeps(
  before: ReadonlyArray<number>,
  after: ReadonlyArray<number>,
  high: ReadonlyArray<boolean>,
): { keep: boolean; lost: number[] } {
  const lost = high.flatMap((h, j) => (h && before[j] === 1 && after[j] !== 1 ? [j] : []));
  return { keep: lost.length === 0, lost };
}

// ---------------------------------------------------------------- the loop

export interface PlanCursor {
  plans: Plan[];
  /** First plan not yet used for a code. */
  next: number;
  /** Cycling position once every plan has been used. */
  cycle: number;
}

/** The plan for a fresh code: the next unused plan, else cycling through all plans, else none. */
function takePlan(pc: PlanCursor): { plan: Plan | null; how: string } {
  if (pc.next < pc.plans.length) {
    const k = pc.next++;
    return { plan: pc.plans[k], how: `unused plan #${k}` };
  }
  if (pc.plans.length > 0) {
    const k = pc.cycle++ % pc.plans.length;
    return { plan: pc.plans[k], how: `plan #${k} again (no unused plan left)` };
  }
  return { plan: null, how: 'the problem alone (no plans)' };
}

const same = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

export interface Regeneration {
  /** The UT to replace. */
  j: number;
  /** Why it is replaced (shown in the prompt). */
  why: string;
}

/**
 * Regenerates UTs from new attack ideas: one request per batch of `itemsPerRequest` UTs (meta.count = batch
 * size, one new input per old UT, in order), then self-consistency on each new input, concurrently. The prompt
 * may show one code as "a previous attempt that may be wrong". A new input that duplicates a UT of the pool
 * (or another new input) is a failure.
 */
export async function regenerateUts(
  ctx: Ctx,
  pools: Pools,
  items: Regeneration[],
  shownCode: string | null,
  round: number,
  after: number,
): Promise<Array<{ ut: PoolUt | null; why: string; cp: number }>> {
  const taken = new Set(pools.uts.map((u) => inputKey(u.input)));
  const per = ctx.params.itemsPerRequest;
  const batches: Regeneration[][] = [];
  for (let i = 0; i < items.length; i += per) batches.push(items.slice(i, i + per));
  const replies = await Promise.all(
    batches.map((b) =>
      ctx.ask(
        regenerateUtPrompt(
          ctx.task,
          b.map(({ j, why }) => {
            const old = pools.uts[j];
            return {
              input: old.input,
              expected: 'expected' in old.test ? old.test.expected : undefined,
              why,
            };
          }),
          shownCode,
          [...taken],
          ctx.params.temperature,
        ),
        after,
      ),
    ),
  );
  // Parse in order (deterministic de-duplication), then run self-consistency for every new input at once.
  const planned = batches.flatMap((b, k) => {
    const text = replies[k].texts[0];
    const inputs = text === undefined ? [] : parseList(text, 'inputs');
    const ideas = text === undefined ? [] : parseList(text, 'ideas');
    return b.map((_, i) => {
      const cp = replies[k].cp;
      if (text === undefined) return { fail: 'no new input (declined or empty reply)', cp };
      const input = i < inputs.length ? normaliseInput(ctx.task, inputs[i]) : null;
      if (input === null) return { fail: 'no usable input in the reply', cp };
      if (taken.has(inputKey(input))) return { fail: 'the new input duplicates a UT in the pool', cp };
      taken.add(inputKey(input));
      return { input, idea: ideas.length === inputs.length ? ideas[i] : undefined, cp };
    });
  });
  return Promise.all(
    planned.map(async (x) => {
      if (!('input' in x) || x.input === undefined) return { ut: null, why: x.fail!, cp: x.cp };
      const sc = await selfConsistency(ctx, 'stage2', x.input, x.cp);
      if (sc.expected === null)
        return {
          ut: null,
          why: ctx.halted
            ? 'stopped before an expected output was agreed'
            : `no self-consistent expected output in ${sc.attempts} attempt(s)`,
          cp: sc.cp,
        };
      return { ut: utFrom(ctx, x.input, sc, 'regenerated', round, x.idea), why: 'regenerated', cp: sc.cp };
    }),
  );
}

function describeInput(s: string): string {
  const t = JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s);
  return t;
}

export interface Stage2Result {
  rounds: RoundTrace[];
  stopReason: StopReason;
  cp: number;
}

interface StepEnv {
  ctx: Ctx;
  pools: Pools;
  plans: PlanCursor;
  round: number;
  note: (d: Omit<Decision, 'round'>) => void;
}
interface StepOut {
  changed: boolean;
  cp: number;
}

/** 1. Code cleaning: every code with pCode = 0 is replaced by a fresh code from an unused plan. */
export async function codeCleaning(env: StepEnv, cp: number): Promise<StepOut> {
  const { ctx, pools, plans, round, note } = env;
  const m = pools.matrix();
  const valid = validColumns(m).length;
  const targets = selectCleaning(m);
  if (valid === 0) {
    note({ step: 'code cleaning', action: 'skipped', reason: 'no valid UT: pCode carries no signal' });
    return { changed: false, cp };
  }
  if (targets.length === 0) {
    note({ step: 'code cleaning', action: 'skipped', reason: 'no code has pCode = 0' });
    return { changed: false, cp };
  }
  const picks = targets.map(() => takePlan(plans));
  // One request per distinct plan, n = the codes it must replace (several items per request).
  const groups = new Map<string, number[]>();
  picks.forEach((p, k) => {
    const key = p.plan ? planText(p.plan) : '';
    groups.set(key, [...(groups.get(key) ?? []), k]);
  });
  const entries = [...groups.entries()];
  const answers = await Promise.all(
    entries.map(([key, ks]) =>
      ctx.ask(codePrompt(ctx.task, 'stage2', key || null, ks.length, ctx.params.temperature), cp),
    ),
  );
  const fresh: (string | null)[] = targets.map(() => null);
  entries.forEach(([, ks], g) => {
    const codes = answers[g].texts
      .map((t) => parseCode(t, ctx.task.language))
      .filter((c): c is string => c !== null);
    ks.forEach((k, q) => (fresh[k] = codes[q] ?? null));
  });
  const rows: number[] = [];
  targets.forEach((i, k) => {
    const code = fresh[k];
    if (code === null || same(code, pools.codes[i].code)) {
      note({
        step: 'code cleaning',
        code: i,
        action: 'unchanged',
        reason:
          `pCode = 0 (passes none of ${valid} valid UTs) but ` +
          (code === null
            ? 'no new code came back (declined or unusable)'
            : 'the fresh code is identical to it'),
      });
      return;
    }
    const plan = picks[k].plan;
    pools.retireCode(i, 'cleaned', round);
    pools.codes[i] = { code, origin: 'cleaned', round, ...(plan ? { plan: planText(plan) } : {}) };
    rows.push(i);
    note({
      step: 'code cleaning',
      code: i,
      action: 'replaced',
      reason: `pCode = 0 (passes none of ${valid} valid UTs); fresh code from ${picks[k].how}`,
    });
  });
  await pools.runRows(rows);
  return { changed: rows.length > 0, cp: latest(cp, ...answers.map((r) => r.cp)) };
}

/** 2. Break spurious coupling: regenerate the valid non-trivial UT with the lowest pUT; failure invalidates it. */
export async function breakSpuriousCoupling(env: StepEnv, cp: number): Promise<StepOut> {
  const { ctx, pools, round, note } = env;
  const m = pools.matrix();
  const j = selectCouplingBreak(m, pools.trusted());
  if (j === null) {
    note({
      step: 'break spurious coupling',
      action: 'skipped',
      reason: 'no valid non-trivial UT (0 < pUT < |C|)',
    });
    return { changed: false, cp };
  }
  const put = pUT(m)[j];
  const shown = m.M.findIndex((row) => row[j] === 1);
  const why = `Only ${put} of ${nCodes(m)} candidate solutions pass it, so it may be coupled to a bug they share.`;
  const [g] = await regenerateUts(
    ctx,
    pools,
    [{ j, why }],
    shown >= 0 ? pools.codes[shown].code : null,
    round,
    cp,
  );
  const base = `lowest pUT = ${put} of ${nCodes(m)} among non-trivial UTs (input ${describeInput(pools.uts[j].input)})`;
  if (g.ut) {
    pools.retireUt(j, 'coupled', round);
    pools.uts[j] = g.ut;
    await pools.runCols([j]);
    note({
      step: 'break spurious coupling',
      ut: j,
      action: 'regenerated',
      reason: `${base}; new input ${describeInput(g.ut.input)} from a new attack idea`,
    });
    return { changed: true, cp: g.cp };
  }
  if (ctx.halted) {
    note({ step: 'break spurious coupling', ut: j, action: 'unchanged', reason: `${base}; ${g.why}` });
    return { changed: false, cp: g.cp };
  }
  const old = pools.uts[j];
  pools.retireUt(j, 'coupled', round);
  pools.uts[j] = { ...old, valid: false, test: makeTest(ctx.task.kind, old.input) };
  await pools.runCols([j]);
  note({
    step: 'break spurious coupling',
    ut: j,
    action: 'invalidated',
    reason: `${base}; regeneration failed: ${g.why}`,
  });
  return { changed: true, cp: g.cp };
}

/**
 * 3. Code fixing: every code failing the target UT gets a repair prompt; ours: the repair is kept only when it
 * keeps every high-support UT the old code passed (reference, guardRepairs = false: kept unconditionally).
 */
export async function codeFixing(env: StepEnv, cp: number): Promise<StepOut> {
  const { ctx, pools, round, note } = env;
  const m = pools.matrix();
  const trusted = pools.trusted();
  const t = selectFixTarget(m, trusted);
  const n = nCodes(m);
  if (t === null) {
    const put = pUT(m);
    const reason = allOnes(m)
      ? 'every code passes every valid UT'
      : validColumns(m).length === 0
        ? 'no valid UT'
        : `the highest pUT below |C| is 0 (${validColumns(m).filter((j) => put[j] < n).length} valid UT(s) that no code passes)`;
    note({ step: 'code fixing', action: 'skipped', reason });
    return { changed: false, cp };
  }
  const ut = pools.uts[t.ut];
  const expected = ('expected' in ut.test ? ut.test.expected : undefined) ?? '';
  const put = pUT(m)[t.ut];
  const replies = await Promise.all(
    t.failing.map((i) => {
      const cell = pools.cells[i][t.ut] ?? { verdict: 'fail' as const, output: '' };
      return ctx.ask(fixPrompt(ctx.task, pools.codes[i].code, { input: ut.input, expected }, cell), cp);
    }),
  );
  const repaired = t.failing.map((i, k) => {
    const code = firstCode(ctx, replies[k].texts);
    return code !== null && !same(code, pools.codes[i].code) ? code : null;
  });
  const onTrial = t.failing.flatMap((i, k) => (repaired[k] !== null ? [{ i, code: repaired[k]! }] : []));
  const trialRows = await pools.trial(onTrial.map((x) => x.code));
  const high = highSupport(m, trusted);
  const pc = pCode(m);
  const base = `fails UT ${t.ut} (input ${describeInput(ut.input)}; ${trusted[t.ut] ? 'trusted; ' : ''}highest pUT below |C|: ${put} of ${n})`;
  let changed = false;
  t.failing.forEach((i) => {
    const q = onTrial.findIndex((x) => x.i === i);
    if (q < 0) {
      note({
        step: 'code fixing',
        code: i,
        ut: t.ut,
        action: 'unchanged',
        reason: `${base}; no repair came back (declined, unusable or identical)`,
      });
      return;
    }
    const row = trialRows[q];
    const afterRow = m.valid.map((v, j): number => (v && row[j]?.verdict === 'pass' ? 1 : 0));
    const passes = afterRow[t.ut] === 1 ? 'the repair passes it' : 'the repair still fails it';
    const verdict = repairKeeps(m.M[i], afterRow, high);
    if (ctx.params.guardRepairs && !verdict.keep) {
      pools.archiveRejected(i, onTrial[q].code, round, row);
      note({
        step: 'code fixing',
        code: i,
        ut: t.ut,
        action: 'rejected',
        reason: `${base}; ${passes} but loses high-support UT(s) ${verdict.lost.join(', ')} it passed before`,
      });
      return;
    }
    const old = pools.codes[i];
    const repair: PoolCode = {
      code: onTrial[q].code,
      origin: 'fixed',
      round,
      ...(old.plan ? { plan: old.plan } : {}),
      ...(old.seed !== undefined ? { seed: old.seed } : {}),
    };
    pools.retireCode(i, 'repaired', round, repair);
    pools.codes[i] = repair;
    pools.cells[i] = row;
    changed = true;
    const newP = afterRow.reduce((a, b) => a + b, 0);
    note({
      step: 'code fixing',
      code: i,
      ut: t.ut,
      action: 'kept',
      reason:
        `${base}; ${passes}` +
        (ctx.params.guardRepairs ? ' and keeps every high-support UT it passed' : ' (kept unconditionally)') +
        `; pCode ${pc[i]} -> ${newP}`,
    });
  });
  pools.sync();
  return { changed, cp: latest(cp, ...replies.map((r) => r.cp)) };
}

async function replaceUts(
  env: StepEnv,
  cols: number[],
  why: (j: number) => string,
  prompt: (j: number) => string,
  shown: string | null,
  cp: number,
  fate: 'replaced-zero' | 'replaced-all-pass',
): Promise<StepOut> {
  const { ctx, pools, round, note } = env;
  const reasons = cols.map(why);
  const gens = await regenerateUts(
    ctx,
    pools,
    cols.map((j) => ({ j, why: prompt(j) })),
    shown,
    round,
    cp,
  );
  const done: number[] = [];
  cols.forEach((j, k) => {
    const g = gens[k];
    if (g.ut) {
      note({
        step: 'UT replacement',
        ut: j,
        action: 'regenerated',
        reason: `${reasons[k]}; new input ${describeInput(g.ut.input)}`,
      });
      pools.retireUt(j, fate, round);
      pools.uts[j] = g.ut;
      done.push(j);
    } else
      note({
        step: 'UT replacement',
        ut: j,
        action: 'unchanged',
        reason: `${reasons[k]}; regeneration failed (${g.why}), old UT kept`,
      });
  });
  await pools.runCols(done);
  return { changed: done.length > 0, cp: latest(cp, ...gens.map((g) => g.cp)) };
}

/**
 * 4. UT replacement: UTs with pUT = 0 (or invalid) are regenerated; then, on the re-executed M, UTs with
 * pUT = |C| unless every valid UT is all-pass. A failed regeneration keeps the old UT.
 */
export async function utReplacement(env: StepEnv, cp: number): Promise<StepOut> {
  const { ctx, pools, note } = env;
  let changed = false;
  const m = pools.matrix();
  const zero = selectUtReplacement(m, pools.trusted());
  if (zero.length === 0)
    note({ step: 'UT replacement', action: 'skipped', reason: 'no invalid UT and no UT with pUT = 0' });
  else {
    const wasValid = new Map(zero.map((j) => [j, pools.uts[j].valid]));
    const r = await replaceUts(
      env,
      zero,
      (j) => (wasValid.get(j) ? 'pUT = 0 (no code passes it)' : 'invalid (no agreed expected output)'),
      (j) =>
        wasValid.get(j)
          ? 'No candidate solution passes it, so its expected output is probably wrong.'
          : 'Its expected output could not be agreed on.',
      null,
      cp,
      'replaced-zero',
    );
    changed = r.changed;
    cp = r.cp;
  }
  if (ctx.halted) return { changed, cp };
  const m2 = pools.matrix();
  const full = selectAllPassReplacement(m2, pools.trusted());
  if (full.length === 0) {
    const put = pUT(m2);
    const anyFull = validColumns(m2).some((j) => put[j] === nCodes(m2));
    note({
      step: 'UT replacement',
      action: 'skipped',
      reason: anyFull ? 'every valid UT is all-pass: all-pass UTs kept' : 'no UT with pUT = |C|',
    });
    return { changed, cp };
  }
  const r = await replaceUts(
    env,
    full,
    () => `pUT = |C| = ${nCodes(m2)} (separates nothing)`,
    () => 'Every candidate solution passes it, so it separates nothing; find a harder case.',
    pools.codes[0]?.code ?? null,
    cp,
    'replaced-all-pass',
  );
  return { changed: changed || r.changed, cp: r.cp };
}

const STEPS = [codeCleaning, breakSpuriousCoupling, codeFixing, utReplacement];

export async function stage2(
  ctx: Ctx,
  pools: Pools,
  plans: PlanCursor,
  after: number,
): Promise<Stage2Result> {
  const P = ctx.params;
  const rounds: RoundTrace[] = [];
  let cp = after;
  const halted = () => ctx.halted !== null;
  if (ctx.halted) return { rounds, stopReason: ctx.halted.reason, cp };
  if (pools.codes.length === 0) return { rounds, stopReason: 'no-codes', cp };
  if (P.earlyStop && allOnes(pools.matrix())) {
    ctx.note({ round: 0, step: 'early stop', action: 'stopped', reason: 'M is all ones after stage 1' });
    return { rounds, stopReason: 'converged', cp };
  }
  let stopReason: StopReason = 'max-rounds';
  for (let round = 1; round <= P.maxRounds && !halted(); round++) {
    const before = pools.snapshot();
    const decisions: Decision[] = [];
    const env: StepEnv = { ctx, pools, plans, round, note: (d) => decisions.push(ctx.note({ round, ...d })) };
    let changed = false;
    for (const step of STEPS) {
      if (halted()) break;
      const out = await step(env, cp);
      changed ||= out.changed;
      cp = out.cp;
    }
    rounds.push({ round, before, after: pools.snapshot(), decisions, changed });
    if (halted()) break;
    if (P.earlyStop && allOnes(pools.matrix())) {
      ctx.note({ round, step: 'early stop', action: 'stopped', reason: 'M is all ones' });
      stopReason = 'converged';
      break;
    }
    if (P.earlyStop && !changed) {
      ctx.note({ round, step: 'early stop', action: 'stopped', reason: 'nothing changed in this round' });
      stopReason = 'no-change';
      break;
    }
  }
  const h = ctx.halted as Ctx['halted'];
  if (h) stopReason = h.reason;
  return { rounds, stopReason, cp };
}

function firstCode(ctx: Ctx, texts: string[]): string | null {
  for (const t of texts) {
    const c = parseCode(t, ctx.task.language);
    if (c !== null) return c;
  }
  return null;
}
