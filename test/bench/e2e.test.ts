// End to end with the real engine, the replay model and the executor (no sandbox, so the test runs anywhere
// python3 is installed): the selection never depends on the ground truth.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runBenchCommand } from '../../src/bench/cli.js';
import { benchParams, factsOf, presetName, realDeps } from '../../src/bench/wiring.js';
import type { CosplayResult } from '../../src/cosplay/index.js';
import { tempDir } from '../support/temp-dir.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const double = 'def f(x):\n    return x * 2\n';
const double2 = 'def f(x):\n    return 2 * x\n';
const plus2 = 'def f(x):\n    return x + 2\n';
const ident = 'def f(x):\n    return x\n';

function dataset(check: string): string {
  const tasks = [0, 1].map((k) => ({
    id: `T/${k}`,
    kind: 'function',
    language: 'python',
    entry_point: 'f',
    prompt: 'def f(x):\n    """Return twice x."""\n',
    codes: k ? [plus2, double, ident, double2, plus2] : [ident, plus2, double, double2, double],
    tests: [
      { call: 'f(2)', expected: '4' },
      { call: 'f(1)', expected: '3' },
      { call: 'f(0)', expected: '0' },
      { call: 'f(5)', expected: '10' },
      { call: 'f(3)', expected: '6' },
    ],
    ground_truth: { test: `def check(candidate):\n    ${check}\n`, entry_point: 'f' },
  }));
  return tasks.map((t) => JSON.stringify(t)).join('\n') + '\n';
}

const dir = tempDir('bench-e2e-');

async function run(check: string, name: string, more: { execCache?: string; concurrency?: number } = {}) {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, dataset(check));
  const trace = join(dir, `${name}.trace.jsonl`);
  const opts = {
    dataset: file,
    codes: 3,
    tests: 3,
    rounds: 2,
    sandbox: 'none',
    trace,
    params: 'replay',
    ...more,
  };
  const report = await runBenchCommand(opts, realDeps(opts), { stdout: new Sink(), stderr: new Sink() });
  const tasks = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === 'task');
  return { report, tasks };
}

describe('bench with the engine and the replay model', () => {
  it('measures CoSPlay and the baselines, and a corrupted ground truth changes no pick', async () => {
    const honest = await run('assert candidate(7) == 14', 'honest');
    const corrupt = await run('assert candidate(7) == 9', 'corrupt');
    expect(honest.report.tasks).toBe(2);
    expect(honest.report.failedTasks).toBe(0);
    for (const t of honest.tasks) expect(t.ok).toBe(true);
    const picks = (ts: typeof honest.tasks) =>
      ts.map((t) => ({
        id: t.id,
        picks: Object.fromEntries(Object.entries(t.picks).map(([k, v]) => [k, (v as { tie: number[] }).tie])),
        codes: t.codes.map((c: { code: string }) => c.code),
        rounds: t.details.rounds,
        finalMatrix: t.details.finalMatrix,
        archive: t.details.archive,
      }));
    expect(picks(corrupt.tasks)).toEqual(picks(honest.tasks));
    // the grading did read the two ground truths differently (x * 2 is right, then x + 2)
    const verdicts = (ts: typeof honest.tasks) =>
      ts.map((t) => t.codes.map((c: { code: string; correct: boolean }) => [c.code, c.correct]));
    expect(verdicts(corrupt.tasks)).not.toEqual(verdicts(honest.tasks));
    for (const t of honest.tasks)
      for (const c of t.codes) expect(c.correct).toBe(c.code === double || c.code === double2);
    for (const t of corrupt.tasks) for (const c of t.codes) expect(c.correct).toBe(c.code === plus2);
    expect(honest.report.bon.cosplay).not.toBeNull();
    expect(honest.report.tokensPerTask).toBeGreaterThan(0);
    // CodeT given the samples the run read: at least the pools' sizes, at most what is recorded
    expect(honest.report.bon.codetSameSamples).not.toBeNull();
    for (const t of honest.tasks) {
      const used = t.details.sameSamples as { codes: number; tests: number };
      expect(used.codes).toBeGreaterThanOrEqual(3);
      expect(used.codes).toBeLessThanOrEqual(5);
      expect(used.tests).toBeGreaterThanOrEqual(3);
      expect(used.tests).toBeLessThanOrEqual(5);
      expect(t.picks.codetSameSamples.tie.length).toBeGreaterThan(0);
    }
    // the archive: every code the run executed, with its row and (graded after the pick) its correctness; the
    // paper's rule and dual agreement on the final pool are scored beside, on the same run
    for (const t of honest.tasks) {
      const a = t.details.archive;
      expect(a.codes.length).toBeGreaterThanOrEqual(3);
      expect(t.archiveCorrect).toHaveLength(a.codes.length);
      expect(a.matrix).toHaveLength(a.codes.length);
      expect(t.picks['cosplay.passCountRule']).toBeDefined();
      expect(t.picks['cosplay.dualFinalRule']).toBeDefined();
    }
    expect(honest.report.pairedVsSameSamples?.cosplay?.tasks).toBe(2);
  });

  it('gives identical figures without the persistent cache, with a cold one and with a warm one', async () => {
    const cache = tempDir('bench-e2e-cache-');
    const none = await run('assert candidate(7) == 14', 'nocache');
    const cold = await run('assert candidate(7) == 14', 'cold', { execCache: cache, concurrency: 2 });
    const warm = await run('assert candidate(7) == 14', 'warm', { execCache: cache });
    // the figures, minus what is about time and about where the cells came from
    const figures = (r: typeof none.report) => {
      const { wallMs: _w, timing: _t, execCells: _e, dataset: _d, sums, ...rest } = r;
      const { wallMs: _sw, taskWallMs: _st, timing: _stt, ...s } = sums;
      return { ...rest, sums: s };
    };
    expect(figures(cold.report)).toEqual(figures(none.report));
    expect(figures(warm.report)).toEqual(figures(none.report));
    expect(cold.report.execCells!.stored).toBe(0);
    expect(warm.report.execCells!.executed).toBe(0);
    expect(warm.report.execCells!.stored).toBeGreaterThan(0);
    // the time breakdown: every phase, adding up to the tasks' time
    const t = none.report.timing!;
    expect(Object.keys(t).sort()).toEqual(['execMs', 'gradeMs', 'llmMs', 'otherMs', 'stage3Ms', 'taskMs']);
    expect(t.execMs + t.gradeMs + t.llmMs + t.stage3Ms + t.otherMs).toBe(t.taskMs);
    expect(t.execMs).toBeGreaterThan(0);
    expect(t.gradeMs).toBeGreaterThan(0);
  });

  it('maps presets and overrides onto the method parameters', () => {
    const p = benchParams({ codes: 8, tests: 4, rounds: 2 }, { params: 'paper', scMinAgree: '2' });
    expect(p).toMatchObject({ nCodes: 8, nTests: 4, maxRounds: 2, scSamples: 4, scMinAgree: 2 });
    expect(benchParams({ codes: 16, tests: 16 }, { params: 'replay' }).scSamples).toBe(1);
    expect(() => benchParams({ codes: 1, tests: 1 }, { params: 'nope' })).toThrow(/--params/);
  });

  it('defaults to the replay preset (the archive rule) for the replay model and to the paper for a live one', () => {
    expect(presetName({})).toBe('replay');
    expect(presetName({ model: 'replay' })).toBe('replay');
    expect(presetName({ model: 'gpt-4o-mini' })).toBe('paper');
    expect(presetName({ model: 'replay', params: 'paper' })).toBe('paper');
    const replay = benchParams({ codes: 16, tests: 16, model: 'replay' }, {});
    expect(replay).toMatchObject({ scSamples: 1, bonRule: 'archive' });
    const live = benchParams({ codes: 16, tests: 16, model: 'gpt-4o-mini' }, {});
    expect(live).toMatchObject({ scSamples: 4, scMinAgree: 3, bonRule: 'pass-count' });
    expect(
      benchParams({ codes: 16, tests: 16 }, { params: 'paper', bonRule: 'dual-agreement' }).bonRule,
    ).toBe('dual-agreement');
    expect(() => benchParams({ codes: 16, tests: 16 }, { bonRule: 'votes' })).toThrow(
      /--bon-rule must be one of pass-count, dual-agreement, archive/,
    );
  });
});

describe('bench command registration', () => {
  it('registers bench with the contract options', async () => {
    const { Command } = await import('commander');
    const { register } = await import('../../src/commands/bench.js');
    const program = new Command();
    register(program);
    const bench = program.commands.find((c) => c.name() === 'bench')!;
    const flags = bench.options.map((o) => o.long);
    for (const f of [
      '--dataset',
      '--model',
      '--base-url',
      '--codes',
      '--tests',
      '--rounds',
      '--limit',
      '--shard',
      '--json',
      '--trace',
      '--sandbox',
      '--params',
      '--bon-rule',
    ])
      expect(flags).toContain(f);
  });
});

describe('what the benchmark scores of a CoSPlay run', () => {
  it('averages the CoSPlay pick over the codes the method ranks equal, and keeps the deterministic pick', () => {
    const code = (c: string) => ({ code: c, origin: 'stage1', round: 0, pCode: 1 });
    const r = {
      selected: { index: 1, code: 'b', pCode: 1 },
      selectedNoCluster: { index: 0, code: 'a', pCode: 1 },
      selectedTie: [1, 3],
      bonTied: [0, 1, 3],
      params: { bonRule: 'dual-agreement' },
      codePool: ['a', 'b', 'c', 'd'].map(code),
      utPool: [],
      initial: { codePool: [], utPool: [], executionMatrix: [] },
      baselines: { first: null, passCount: null, codet: null, mbr: null },
      clusters: [],
      stage3Inputs: [],
      rounds: [],
      decisions: [],
      executionMatrix: [],
      archive: {
        codes: [],
        uts: [],
        cells: [],
        poolIds: [],
        utPoolIds: [],
        stage3Candidates: [],
        stage3Outputs: [],
      },
      alternatives: { passCountRule: ['a'] },
      usage: { byStage: {}, byPurpose: {} },
    } as unknown as CosplayResult;
    const f = factsOf(r);
    expect(f.ties.cosplay).toEqual(['b', 'd']);
    expect(f.ties.cosplayNoCluster).toEqual(['a', 'b', 'd']);
    expect(f.ties['cosplay.passCountRule']).toEqual(['a']);
    expect(f.details).toMatchObject({ selected: 1, selectedTie: [1, 3], bonRule: 'dual-agreement' });
  });
});
