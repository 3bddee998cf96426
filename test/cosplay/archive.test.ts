// The archive of a run (src/cosplay/archive.ts): every code and UT the run executed, with its cells and what the
// self-play did with it; completed (every archived code against every valid archived UT) by the archive rule.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import { Archive, archiveOf } from '../../src/cosplay/archive.js';
import type { CosplayParams } from '../../src/cosplay/params.js';
import { CODE, TASK, calls, executor, isCorrect, world } from './world.js';

const base: Partial<CosplayParams> = {
  nCodes: 4,
  nTests: 4,
  maxRounds: 5,
  nRandomInputs: 4,
  scSamples: 4,
  scMinAgree: 3,
  scMaxAttempts: 2,
};

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
  });
});

describe('a run keeps everything it executed', () => {
  // The first scenario of pipeline.test.ts: the off-by-one code passes two wrong UTs; the coupling break
  // regenerates the UT with the lowest pUT, the off-by-one code ends with pCode 0 and is cleaned.
  const run = (over: Partial<CosplayParams> = {}) =>
    runCosplay({
      task: TASK,
      llm: world({
        stage1Codes: [CODE.offByOne, CODE.correctA, CODE.correctB, CODE.correctC],
        stage1Inputs: calls(0, 3, 4, 2),
        wrongExpected: { 'sum_to(3)': '3', 'sum_to(4)': '6' },
        regenInputs: calls(5, 6, 7, 8, 9, 10),
        cleanCodes: [CODE.correctD],
        stage3Inputs: calls(11, 12, 13),
      }),
      executor: executor(),
      params: { ...base, ...over },
    });

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
    // stage 3 ran every eligible archived code on its inputs
    expect(a.stage3Candidates).toEqual([0, 1, 2, 3, 4]);
    expect(a.stage3Outputs).toHaveLength(5);
  });
});
