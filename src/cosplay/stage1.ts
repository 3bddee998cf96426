// Stage 1: exploration-attack idea generation. Hints H -> plans S (from subsets of H of size 0, 1, 2) -> the
// code pool (one code per plan, cycling); attack ideas A per plan -> attack UT inputs; random valid inputs;
// expected outputs by self-consistency (k samples, accept a majority of at least scMinAgree, retry up to
// scMaxAttempts times, never accepted = invalid UT). Independent requests run concurrently.
import type { Stage, UnitTest } from '../types.js';
import { type Ctx, latest } from './context.js';
import { makeTest, type Pools } from './pool.js';
import {
  attackInputsPrompt,
  attackPrompt,
  codePrompt,
  expectedOutputPrompt,
  hintsPrompt,
  plansPrompt,
  randomInputsPrompt,
} from './prompts.js';
import { answerKey, inputKey, normaliseInput, parseCode, parseExpected, parseList } from './replies.js';
import type { PoolCode, PoolUt, Vote } from './types.js';

export interface Plan {
  /** The derived observation (the plan). */
  text: string;
  /** The subset of hints it was derived from. */
  hints: string[];
}

/** The plan as shown in a code prompt. */
export function planText(p: Plan): string {
  return [...p.hints, p.text].map((s) => `- ${s}`).join('\n');
}

/** Subsets of size 0, 1 and 2 of `items`, in that order (lexicographic within a size). */
export function subsets012<T>(items: T[]): T[][] {
  const out: T[][] = [[]];
  items.forEach((a) => out.push([a]));
  items.forEach((a, i) => items.slice(i + 1).forEach((b) => out.push([a, b])));
  return out;
}

export interface SelfConsistency {
  expected: string | null;
  attempts: number;
  votes: Vote[];
  cp: number;
}

/**
 * Self-consistency on the expected output of one input: per attempt, k samples from a prompt that sees only
 * the problem and the input; accept the most common answer when it has at least scMinAgree votes and no other
 * answer has as many; otherwise retry, up to scMaxAttempts attempts. Never accepted = null (invalid UT).
 */
export async function selfConsistency(
  ctx: Ctx,
  stage: Stage,
  input: string,
  after: number,
): Promise<SelfConsistency> {
  const { scSamples, scMinAgree, scMaxAttempts, temperature } = ctx.params;
  let cp = after;
  let votes: Vote[] = [];
  let attempts = 0;
  for (let a = 0; a < scMaxAttempts && !ctx.halted; a++) {
    attempts++;
    const r = await ctx.ask(expectedOutputPrompt(ctx.task, stage, input, scSamples, temperature), cp);
    cp = r.cp;
    const tally = new Map<string, Vote & { first: string }>();
    for (const t of r.texts.slice(0, scSamples)) {
      const e = parseExpected(t, ctx.task);
      if (e === null) continue;
      const k = answerKey(ctx.task, e);
      const v = tally.get(k);
      if (v) v.count++;
      else tally.set(k, { answer: e, count: 1, first: e });
    }
    const ranked = [...tally.values()].sort((x, y) => y.count - x.count);
    votes = ranked.map((v) => ({ answer: v.answer, count: v.count }));
    const top = ranked[0];
    if (top && top.count >= scMinAgree && (ranked.length === 1 || ranked[1].count < top.count))
      return { expected: top.answer, attempts, votes, cp };
  }
  return { expected: null, attempts, votes, cp };
}

/**
 * Asks for `count` inputs (`itemsPerRequest` per request, concurrently), normalised and de-duplicated against
 * each other and against `avoid` (input keys). Inputs come back in request order.
 */
export async function requestInputs(
  ctx: Ctx,
  stage: Stage,
  count: number,
  avoid: Set<string>,
  after: number,
): Promise<{ inputs: string[]; cp: number }> {
  if (count <= 0) return { inputs: [], cp: after };
  const per = ctx.params.itemsPerRequest;
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= per) sizes.push(Math.min(per, left));
  const avoidList = [...avoid];
  const replies = await Promise.all(
    sizes.map((n) =>
      ctx.ask(randomInputsPrompt(ctx.task, stage, n, avoidList, ctx.params.temperature), after),
    ),
  );
  const inputs: string[] = [];
  const seen = new Set(avoid);
  replies.forEach((r, b) => {
    let took = 0;
    for (const t of r.texts.slice(0, 1)) {
      for (const raw of parseList(t, 'inputs')) {
        if (took >= sizes[b]) break;
        const s = normaliseInput(ctx.task, raw);
        if (s === null || seen.has(inputKey(s))) continue;
        seen.add(inputKey(s));
        inputs.push(s);
        took++;
      }
    }
  });
  return { inputs, cp: latest(after, ...replies.map((r) => r.cp)) };
}

/** A UT from an input and its self-consistency outcome. */
export function utFrom(
  ctx: Ctx,
  input: string,
  sc: SelfConsistency,
  origin: PoolUt['origin'],
  round: number,
  idea?: string,
): PoolUt {
  const test: UnitTest = makeTest(ctx.task.kind, input, sc.expected ?? undefined);
  return {
    test,
    input,
    valid: sc.expected !== null,
    origin,
    round,
    attempts: sc.attempts,
    votes: sc.votes,
    ...(idea ? { idea } : {}),
  };
}

interface PendingUt {
  input: string;
  idea?: string;
  origin: 'attack' | 'random';
}

export interface Stage1Result {
  plans: Plan[];
  /** Index of the first plan not used for a stage-1 code (code cleaning takes plans from here on). */
  nextPlan: number;
  cp: number;
}

/** Runs stage 1 and fills `pools` (codes: generated then seeds; UTs: trusted, attack, random) and M. */
export async function stage1(
  ctx: Ctx,
  pools: Pools,
  seedCodes: string[],
  trustedTests: UnitTest[],
  after = 0,
): Promise<Stage1Result> {
  const P = ctx.params;
  const task = ctx.task;
  const nGen = Math.max(0, P.nCodes - seedCodes.length);
  const nAttack = Math.floor(P.nTests / 2);
  const nRandom = P.nTests - nAttack;

  const trustedUts: PoolUt[] = trustedTests.map((t) => {
    const input = 'call' in t ? t.call : t.input;
    return { test: t, input, valid: true, origin: 'trusted', round: 0, attempts: 0 };
  });
  const taken = new Set(trustedUts.map((u) => inputKey(u.input)));

  // Random valid inputs depend on nothing: ask at once, then self-consistency for each as soon as they arrive.
  const randomP = requestInputs(ctx, 'stage1', nRandom, taken, after).then((r) => {
    r.inputs.forEach((s) => taken.add(inputKey(s)));
    return r;
  });
  const scOf = (pending: PendingUt[], from: number) =>
    Promise.all(pending.map(async (p) => ({ p, sc: await selfConsistency(ctx, 'stage1', p.input, from) })));
  const randomUtsP = randomP.then((r) =>
    scOf(
      r.inputs.map((input) => ({ input, origin: 'random' as const })),
      r.cp,
    ),
  );

  // Hints -> plans.
  const hintsP = (async () => {
    if (P.maxHints <= 0) return { hints: [] as string[], cp: after };
    const r = await ctx.ask(hintsPrompt(task, P.maxHints, P.temperature), after);
    const hints = uniq(r.texts.flatMap((t) => parseList(t, 'observations'))).slice(0, P.maxHints);
    if (hints.length === 0)
      ctx.degrade('no hints (declined or unusable): plans derived from the problem alone');
    return { hints, cp: r.cp };
  })();
  const plansP = hintsP.then(async ({ hints, cp }) => {
    const subsets = subsets012(hints);
    const replies = await Promise.all(subsets.map((s) => ctx.ask(plansPrompt(task, s, P.temperature), cp)));
    // Plans in round-robin order over the subsets (the first observation of every subset, then the second,
    // ...), so that the code pool, which takes plans in order, covers every subset of hints.
    const lists = replies.map((r) => r.texts.slice(0, 1).flatMap((t) => parseList(t, 'observations')));
    const seen = new Set<string>();
    const plans: Plan[] = [];
    for (let q = 0; lists.some((l) => q < l.length); q++)
      lists.forEach((l, k) => {
        if (q >= l.length) return;
        const key = l[q].trim().toLowerCase();
        if (seen.has(key)) return;
        seen.add(key);
        plans.push({ text: l[q].trim(), hints: subsets[k] });
      });
    if (plans.length === 0)
      ctx.degrade('no plans (declined or unusable): codes generated from the problem alone');
    return { plans, cp: latest(cp, ...replies.map((r) => r.cp)) };
  });

  // Code pool: one code per plan, cycling through plans until N_c (one request per plan, n = its share).
  const codesP = plansP.then(async ({ plans, cp }) => {
    const used = Math.min(plans.length, nGen);
    const slots: (PoolCode | null)[] = Array.from({ length: nGen }, () => null);
    let codeCp = cp;
    if (used > 0) {
      const replies = await Promise.all(
        plans.slice(0, used).map((pl, i) => {
          const n = Math.ceil((nGen - i) / used);
          return ctx.ask(codePrompt(task, 'stage1', planText(pl), n, P.temperature), cp);
        }),
      );
      replies.forEach((r, i) => {
        const codes = r.texts.map((t) => parseCode(t, task.language)).filter((c): c is string => c !== null);
        codes.forEach((code, q) => {
          const k = i + q * used;
          if (k < nGen) slots[k] = { code, origin: 'plan', plan: planText(plans[i]), round: 0 };
        });
      });
      codeCp = latest(cp, ...replies.map((r) => r.cp));
    }
    let codes = slots.filter((c): c is PoolCode => c !== null);
    const short = nGen - codes.length;
    if (short > 0) {
      const r = await ctx.ask(codePrompt(task, 'stage1', null, short, P.temperature), used > 0 ? codeCp : cp);
      codeCp = latest(codeCp, r.cp);
      const more = r.texts.map((t) => parseCode(t, task.language)).filter((c): c is string => c !== null);
      codes = codes.concat(
        more.slice(0, short).map((code) => ({ code, origin: 'plain' as const, round: 0 })),
      );
    }
    if (codes.length < nGen) ctx.degrade(`stage 1 produced ${codes.length} of ${nGen} codes`);
    return { codes, cp: codeCp, nextPlan: used };
  });

  // Attack ideas for the plans used by codes (or for the problem itself) -> one input per idea.
  const attackUtsP = plansP.then(async ({ plans, cp }) => {
    if (nAttack === 0) return { uts: [] as Array<{ p: PendingUt; sc: SelfConsistency }>, cp };
    const targets: (Plan | null)[] = plans.slice(0, Math.max(1, Math.min(plans.length, nGen)));
    if (targets.length === 0) targets.push(null);
    const a = Math.min(targets.length, nAttack);
    const per = Math.ceil(nAttack / a);
    const replies = await Promise.all(
      targets
        .slice(0, a)
        .map((pl) => ctx.ask(attackPrompt(task, pl ? planText(pl) : null, per, P.temperature), cp)),
    );
    const lists = replies.map((r) => uniq(r.texts.slice(0, 1).flatMap((t) => parseList(t, 'ideas'))));
    const ideas: string[] = [];
    for (let q = 0; ideas.length < nAttack && lists.some((l) => q < l.length); q++)
      for (const l of lists)
        if (q < l.length && ideas.length < nAttack && !ideas.includes(l[q])) ideas.push(l[q]);
    const ideasCp = latest(cp, ...replies.map((r) => r.cp));
    if (ideas.length === 0) {
      ctx.degrade('no attack ideas (declined or unusable): the UT pool is filled with random inputs');
      return { uts: [], cp: ideasCp };
    }
    const batches: string[][] = [];
    for (let i = 0; i < ideas.length; i += P.itemsPerRequest)
      batches.push(ideas.slice(i, i + P.itemsPerRequest));
    const inReplies = await Promise.all(
      batches.map((b) => ctx.ask(attackInputsPrompt(task, b, P.temperature), ideasCp)),
    );
    // De-duplicate against the random inputs too (asked at time 0, normally back by now).
    const rnd = await randomP;
    const pending: PendingUt[] = [];
    inReplies.forEach((r, b) => {
      const inputs = r.texts.slice(0, 1).flatMap((t) => parseList(t, 'inputs'));
      batches[b].forEach((idea, i) => {
        const s = i < inputs.length ? normaliseInput(task, inputs[i]) : null;
        if (s === null || taken.has(inputKey(s))) return;
        taken.add(inputKey(s));
        pending.push({ input: s, idea, origin: 'attack' });
      });
    });
    const inCp = latest(ideasCp, rnd.cp, ...inReplies.map((r) => r.cp));
    const uts = await scOf(pending, inCp);
    return { uts, cp: latest(inCp, ...uts.map((u) => u.sc.cp)) };
  });

  // Execute the generated codes on the random UTs while the attack chain is still waiting for the LLM.
  const earlyP = Promise.all([codesP, randomUtsP]).then(async ([codes, rnd]) => {
    const cols = rnd.filter((u) => u.sc.expected !== null);
    const cells = await ctx.exec(
      codes.codes.map((c) => c.code),
      cols.map((u) => makeTest(task.kind, u.p.input, u.sc.expected!)),
    );
    const at = new Map(cols.map((u, k) => [u.p.input, k]));
    return { n: codes.codes.length, at, cells };
  });

  // Top up with random inputs when attacks or de-duplication left the UT pool short (at most two requests).
  const topUpP = Promise.all([randomP, attackUtsP]).then(async ([rnd, att]) => {
    const got: Array<{ p: PendingUt; sc: SelfConsistency }> = [];
    let cp = latest(rnd.cp, att.cp);
    for (let tries = 0; tries < 2 && !ctx.halted; tries++) {
      const short = P.nTests - (rnd.inputs.length + att.uts.length + got.length);
      if (short <= 0) break;
      const r = await requestInputs(ctx, 'stage1', short, taken, cp);
      r.inputs.forEach((s) => taken.add(inputKey(s)));
      const scs = await scOf(
        r.inputs.map((input) => ({ input, origin: 'random' as const })),
        r.cp,
      );
      got.push(...scs);
      cp = latest(r.cp, ...scs.map((u) => u.sc.cp));
      if (r.inputs.length === 0) break;
    }
    return { uts: got, cp };
  });

  const [codes, randomUts, attackUts, topUp, early] = await Promise.all([
    codesP,
    randomUtsP,
    attackUtsP,
    topUpP,
    earlyP,
  ]);
  const { plans } = await plansP;

  pools.codes = [
    ...codes.codes,
    ...seedCodes.map((code, s): PoolCode => ({ code, origin: 'seed', seed: s, round: 0 })),
  ];
  const toUt = ({ p, sc }: { p: PendingUt; sc: SelfConsistency }) =>
    utFrom(ctx, p.input, sc, p.origin, 0, p.idea);
  pools.uts = [...trustedUts, ...attackUts.uts.map(toUt), ...randomUts.map(toUt), ...topUp.uts.map(toUt)];
  const generated = pools.uts.length - trustedUts.length;
  if (generated < P.nTests) ctx.degrade(`stage 1 produced ${generated} of ${P.nTests} UTs`);
  const invalid = pools.uts.filter((u) => !u.valid).length;
  await pools.runMissing((i, j) => {
    const k = pools.uts[j].origin === 'random' ? early.at.get(pools.uts[j].input) : undefined;
    return i < early.n && k !== undefined ? early.cells[i][k] : undefined;
  });

  const cp = latest(after, codes.cp, topUp.cp, attackUts.cp, ...randomUts.map((u) => u.sc.cp));
  ctx.note({
    round: 0,
    step: 'stage 1',
    action: 'generated',
    reason:
      `${plans.length} plans; ${codes.codes.length} generated codes (${codes.codes.filter((c) => c.origin === 'plan').length} from plans)` +
      `${seedCodes.length ? ` + ${seedCodes.length} seed` : ''}; ${generated} UTs ` +
      `(${attackUts.uts.length} attack, ${randomUts.length + topUp.uts.length} random, ${invalid} invalid)` +
      `${trustedUts.length ? ` + ${trustedUts.length} trusted` : ''}`,
  });
  return { plans, nextPlan: codes.nextPlan, cp };
}

function uniq(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = x.trim().toLowerCase();
    if (!k || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
