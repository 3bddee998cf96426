// The archive of a run (src/cosplay/archive.ts): every code and UT the run executed, with its cells and what the
// self-play did with it; completed (every archived code against every valid archived UT) by the archive rule.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import { Archive, archiveOf } from '../../src/cosplay/archive.js';
import type { CellResult } from '../../src/types.js';
import { archiveEligible, behaviourTie } from '../../src/cosplay/select.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { CODE, COUPLED, TASK, executor, isCorrect, world, WORLD_PARAMS } from './world.js';

const base = WORLD_PARAMS;

describe('Archive bookkeeping', () => {
  test('cells are kept only for valid UTs; missing() lists the cells a code never met', () => {
    const a = archiveOf({
      codes: [{}, {}],
      uts: [{}, { valid: false }, {}],
      M: [
        [1, null, 0],
        [1, null, null],
      ],
    });
    expect(a.validUts()).toEqual([0, 2]);
    expect(a.missing()).toEqual([[], [2]]);
    expect(a.cells()[0].map((c) => c?.verdict ?? null)).toEqual(['pass', null, 'fail']);
  });

  test('a retired entry keeps its first fate', () => {
    const a = new Archive();
    const i = a.addCode({ code: 'x', origin: 'plan', round: 0 });
    a.retireCode(i, 'cleaned', 1);
    a.retireCode(i, 'repaired', 2);
    expect(a.codes[i]).toMatchObject({ fate: 'cleaned', retiredIn: 1 });
    // a seed (or a repair of one) stays a seed in the archive: the gate never counts it as independent
    const s = a.addCode({ code: 'y', origin: 'fixed', round: 1, seed: 0 });
    expect(a.codes[s].seed).toBe(0);
  });
});

describe('a run keeps everything it executed', () => {
  // The first scenario of pipeline.test.ts: the off-by-one code passes two wrong UTs; the coupling break
  // regenerates the UT with the lowest pUT, the off-by-one code ends with pCode 0 and is cleaned.
  const model = () => world(COUPLED);
  const run = (over: Partial<CosplayParams> = {}) =>
    runCosplay({ task: TASK, llm: model(), executor: executor(), params: { ...base, ...over } });

  test('retired codes and UTs stay in the archive with their fate and their cells', async () => {
    const r = await run({ bonRule: 'pass-count' });
    const a = r.archive;
    // every code that was ever in the pool: the four of stage 1 and the fresh code of code cleaning
    expect(a.codes.map((c) => c.code.trim())).toEqual([
      CODE.offByOne,
      CODE.correctA,
      CODE.correctB,
      CODE.correctC,
      CODE.correctD,
    ]);
    expect(a.codes[0]).toMatchObject({ fate: 'cleaned', origin: 'plain' });
    expect(a.codes[4]).toMatchObject({ fate: 'final', origin: 'cleaned' });
    // the UT the coupling break regenerated (UT 1 of stage 1) keeps its fate
    expect(a.uts[1]).toMatchObject({ fate: 'coupled', retiredIn: 1 });
    expect(a.uts.filter((u) => u.fate === 'final')).toHaveLength(r.utPool.length);
    // the off-by-one code's row as it was executed: it passed UTs 0, 1 and 2 of stage 1
    expect([0, 1, 2, 3].map((j) => a.cells[0][j]?.verdict)).toEqual(['pass', 'pass', 'pass', 'fail']);
    // the pools map onto the archive
    expect(r.codePool.map((c, i) => a.codes[a.poolIds[i]].code)).toEqual(r.codePool.map((c) => c.code));
    expect(r.utPool.map((u, j) => a.uts[a.utPoolIds[j]].input)).toEqual(r.utPool.map((u) => u.input));
    // the paper's rule does not complete the archive: the fresh code never met the UT retired before it came
    expect(a.codes[4].round).toBeGreaterThan(a.uts[1].retiredIn!);
    expect(a.cells[4][1]).toBeNull();
    expect(r.alternatives).toEqual({});
  });

  test('the archive rule completes the archive (no LLM call) and reports the other rules beside it', async () => {
    const paper = await run({ bonRule: 'pass-count' });
    const r = await run({ bonRule: 'archive' });
    expect(r.tokens).toBe(paper.tokens);
    const a = r.archive;
    for (const [i] of a.codes.entries())
      for (const [j, u] of a.uts.entries()) expect(a.cells[i][j] !== null).toBe(u.valid);
    expect(isCorrect(r.selected?.code)).toBe(true);
    expect(Object.keys(r.alternatives).sort()).toEqual([
      'dualFinalRule',
      'passCountRule',
      'passCountRuleNoCluster',
    ]);
    // stage 3 ran the four correct codes on its inputs (one UT group, bound 4 x its UTs); the cleaned off-by-one
    // code is alone in its UT group, whose bound (1 x the UTs it passes) cannot reach their score: never run
    expect(a.stage3Candidates).toEqual([1, 2, 3, 4]);
    expect(a.stage3Outputs).toHaveLength(4);
    for (const row of a.stage3Outputs) expect(row).toHaveLength(r.stage3Inputs.length);
  });

  test("the completion's cells run while stage 3 waits for its inputs (eligibility needs trusted columns only)", async () => {
    // The completion is the second request that runs the cleaning's fresh code alone (the first is its row in
    // the pool; the completion adds the UT retired before it came). It is held until stage 3 asks for its
    // inputs; were the run to wait for it first, the fallback would release it after 100 ms and the request
    // would find it done.
    const inner = executor();
    let release: () => void = () => undefined;
    let held: 'no' | 'pending' | 'done' = 'no';
    let pendingAtInputs: boolean | undefined;
    let soloD = 0;
    const exec = {
      run: async (req: Parameters<typeof inner.run>[0]) => {
        const codes = req.codes.map((c) => c.trim());
        if (codes.length === 1 && codes[0] === CODE.correctD) soloD++;
        if (held === 'no' && soloD === 2) {
          held = 'pending';
          await new Promise<void>((go) => {
            release = go;
            setTimeout(go, 100);
          });
          held = 'done';
        }
        return inner.run(req);
      },
    };
    const llm = model();
    const r = await runCosplay({
      task: TASK,
      llm: {
        complete: (req) => {
          if (req.stage === 'stage3' && req.purpose === 'inputs') {
            pendingAtInputs ??= held === 'pending';
            release();
          }
          return llm.complete(req);
        },
      },
      executor: exec,
      params: { ...base, bonRule: 'archive' },
    });
    expect(pendingAtInputs).toBe(true);
    expect(r.archive.stage3Candidates).toEqual([1, 2, 3, 4]);
    expect(isCorrect(r.selected?.code)).toBe(true);
  });
});

describe('behaviourTie: the archive rule on archives written in the test', () => {
  const agree = (x: string, y: string) => x === y;
  const pass = { verdict: 'pass' as const, output: 'ok' };
  const fail = (output: string) => ({ verdict: 'fail' as const, output });
  const err = { verdict: 'error' as const, output: '' };
  /** Fresh rows written in the test (row i: archived code i), recording which codes were run, in order. */
  const freshFrom = (rows: CellResult[][]) => {
    const asked: number[] = [];
    return {
      asked,
      run: (ids: number[]) => {
        asked.push(...ids);
        return ids.map((i) => rows[i]);
      },
    };
  };

  test("CodeT's score over every code the run executed, retired ones included", async () => {
    // codes 0-2 (cleaned early, never in the final pool) pass UTs 0 and 1; codes 3-4 (the final pool) pass UTs
    // 0, 1 and 2. Dual agreement: 3 x 2 = 6 against 2 x 3 = 6 -> both groups tied; a fourth retired code in the
    // first group makes it 4 x 2 = 8 and the final pool alone would have lost it.
    const a = archiveOf({
      codes: [{ fate: 'cleaned' }, { fate: 'cleaned' }, { fate: 'cleaned' }, {}, {}, { fate: 'cleaned' }],
      uts: [{}, {}, {}],
      M: [
        [1, 1, 0],
        [1, 1, 0],
        [1, 1, 0],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 0],
      ],
    });
    const t = await behaviourTie(a, { agree });
    expect(t).toMatchObject({ tied: [0, 1, 2, 5], score: 8, groups: 2 });
    const without = await behaviourTie(a, { agree, eligible: [true, true, true, true, true, false] });
    expect(without.tied).toEqual([0, 1, 2, 3, 4]);
  });

  test('codes that pass the same UTs but behave differently on the fresh inputs form different groups', async () => {
    // four codes pass UTs 0 and 1; on the fresh input two answer 7, two answer 8 and 9; a fifth code passes
    // all three UTs alone. Plain CodeT: 4 x 2 = 8 wins; behaviour groups: 2 x 2 = 4 each, against 1 x 3 = 3.
    const a = new Archive();
    for (let i = 0; i < 5; i++) a.addCode({ code: `c${i}`, origin: 'plan', round: 0 });
    for (let j = 0; j < 3; j++)
      a.addUt({
        test: { call: `t${j}`, expected: '1' },
        input: `t${j}`,
        valid: true,
        origin: 'random',
        round: 0,
      });
    [0, 1, 2, 3].forEach((i) => [0, 1].forEach((j) => a.record(i, j, pass)));
    [0, 1, 2, 3].forEach((i) => a.record(i, 2, fail('0')));
    [0, 1, 2].forEach((j) => a.record(4, j, pass));
    const fresh = freshFrom([[fail('7')], [fail('7')], [fail('8')], [fail('9')], [err]]);
    expect((await behaviourTie(a, { agree })).tied).toEqual([0, 1, 2, 3]);
    const t = await behaviourTie(a, { agree, fresh: fresh.run });
    expect(t.groups).toBe(4);
    expect(t.tied).toEqual([0, 1]);
    expect(t.score).toBe(4);
    // the lone code 4 (bound 1 x 3 = 3 < 4) is never run on the fresh inputs
    expect(fresh.asked).toEqual([0, 1, 2, 3]);
  });

  test('ERR is one output: two codes that crash on the same input agree there', async () => {
    const a = archiveOf({ codes: [{}, {}, {}], uts: [{}], M: [[1], [1], [1]] });
    const fresh = freshFrom([
      [err, fail('1')],
      [err, fail('1')],
      [fail('2'), fail('1')],
    ]);
    expect(await behaviourTie(a, { agree, fresh: fresh.run })).toMatchObject({
      tied: [0, 1],
      score: 2,
      groups: 2,
    });
  });

  test('only groups that can still reach the top score run on the fresh inputs', async () => {
    // UT groups: A = codes 0-3 pass UTs 0 and 1 (bound 4 x 2 = 8), B = codes 4-5 pass all three (bound 6),
    // C = codes 6-8 pass UT 0 only (bound 3). A runs first and splits 2 + 2 on the fresh input (4 each); B can
    // still reach 4, runs, stays whole and wins with 6; C can at most reach 3 and never runs.
    const a = archiveOf({
      codes: Array.from({ length: 9 }, () => ({})),
      uts: [{}, {}, {}],
      M: [
        ...[0, 1, 2, 3].map(() => [1, 1, 0] as Array<0 | 1>),
        ...[4, 5].map(() => [1, 1, 1] as Array<0 | 1>),
        ...[6, 7, 8].map(() => [1, 0, 0] as Array<0 | 1>),
      ],
    });
    const rows = [7, 7, 8, 8, 5, 5, 1, 1, 1].map((v) => [fail(String(v))]);
    const fresh = freshFrom(rows);
    const t = await behaviourTie(a, { agree, fresh: fresh.run });
    expect(t).toMatchObject({ tied: [4, 5], score: 6, groups: 4 });
    expect(fresh.asked).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...t.fresh.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    // codes the caller needs rows for run in the first batch whatever their bound
    const again = freshFrom(rows);
    expect((await behaviourTie(a, { agree, fresh: again.run, also: [7] })).tied).toEqual([4, 5]);
    expect(again.asked).toEqual([0, 1, 2, 3, 7, 4, 5]);
  });

  test('the bounded run gives the tie of running every eligible code (400 random archives)', async () => {
    // Reference, written independently: group eligible codes by their exact outputs on every UT input and every
    // fresh input (ERR one output), score |group| x UTs passed, tie = the top groups.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const out = (v: number): CellResult => (v === 0 ? err : fail(String(v)));
    let asked = 0;
    let eligibleCodes = 0;
    for (let k = 0; k < 400; k++) {
      const n = 1 + rnd(12);
      const m = 1 + rnd(5);
      const w = rnd(4);
      const alphabet = 1 + rnd(3);
      const expected = Array.from({ length: m }, () => 1 + rnd(alphabet));
      const a = new Archive();
      for (let i = 0; i < n; i++) a.addCode({ code: `c${i}`, origin: 'plan', round: 0 });
      for (let j = 0; j < m; j++)
        a.addUt({
          test: { call: `t${j}`, expected: String(expected[j]) },
          input: `t${j}`,
          valid: true,
          origin: 'random',
          round: 0,
        });
      const utOut = Array.from({ length: n }, () => Array.from({ length: m }, () => rnd(alphabet + 1)));
      utOut.forEach((row, i) =>
        row.forEach((v, j) =>
          a.record(i, j, v === expected[j] ? { verdict: 'pass', output: String(v) } : out(v)),
        ),
      );
      const rows = Array.from({ length: n }, () => Array.from({ length: w }, () => out(rnd(alphabet + 1))));
      const eligible = Array.from({ length: n }, () => rnd(5) > 0);
      const ref = new Map<string, number[]>();
      eligible.forEach((e, i) => {
        if (!e) return;
        const key = JSON.stringify([
          utOut[i],
          rows[i].map((c) => (c.verdict === 'error' ? 'ERR' : c.output)),
        ]);
        ref.set(key, [...(ref.get(key) ?? []), i]);
      });
      const score = (g: number[]) => g.length * utOut[g[0]].filter((v, j) => v === expected[j]).length;
      const top = Math.max(...[...ref.values()].map(score));
      const want = [...ref.values()]
        .filter((g) => score(g) === top)
        .flat()
        .sort((x, y) => x - y);
      const fresh = freshFrom(rows);
      const got = await behaviourTie(a, { agree, eligible, fresh: fresh.run });
      expect(got.tied).toEqual(want);
      expect(got.score).toBe(ref.size > 0 ? top : undefined);
      asked += fresh.asked.length;
      eligibleCodes += eligible.filter(Boolean).length;
    }
    // and the bound spares a good part of the fresh cells
    expect(asked).toBeLessThan(0.8 * eligibleCodes);
  });

  test('a rejected repair and a code failing a trusted UT are not eligible; no UT passed ties everyone', async () => {
    const a = archiveOf({
      codes: [{}, { fate: 'rejected-repair' }, {}],
      uts: [{ origin: 'trusted' }, {}],
      M: [
        [1, 0],
        [1, 1],
        [0, 1],
      ],
    });
    expect(archiveEligible(a)).toEqual([true, false, false]);
    expect((await behaviourTie(a, { agree })).tied).toEqual([0]);
    const none = archiveOf({ codes: [{}, {}], uts: [{}], M: [[0], [0]] });
    expect(await behaviourTie(none, { agree })).toMatchObject({ tied: [0, 1], score: 0 });
  });
});
