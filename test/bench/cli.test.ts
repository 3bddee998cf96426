import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { runBenchCommand, type BenchDeps, type SelectSetup } from '../../src/bench/cli.js';
import { executeRecorded } from '../../src/bench/static.js';
import { codetTied, passCountTied } from '../../src/bench/selectors.js';
import { register as registerMerge, runBenchMerge } from '../../src/commands/bench-merge.js';
import type { BenchReport } from '../../src/bench/report.js';
import { UserError } from '../../src/types.js';
import { TableExecutor, type Table } from './helpers/table-executor.js';
import { tempDir } from '../support/temp-dir.js';

const table: Table = {
  A: { 'f(1)': '1', 'f(2)': '4' },
  B: { 'f(1)': '1', 'f(2)': '5' },
  C: { 'f(1)': '2', 'f(2)': '5' },
};
const values = { '1': '1', '2': '2', '4': '4', '5': '5' };

function dataset(correct: (i: number) => string): string {
  const lines = [0, 1, 2, 3, 4].map((i) =>
    JSON.stringify({
      id: `T/${i}`,
      kind: 'function',
      language: 'python',
      entry_point: 'f',
      prompt: 'def f(x):',
      codes: i % 2 ? ['A\n', 'B\n', 'B\n', 'C\n'] : ['C\n', 'A\n', 'B\n'],
      tests: [
        { call: 'f(1)', expected: '1' },
        { call: 'f(2)', expected: '5' },
        { call: 'f(2)', expected: '4' },
      ],
      ground_truth: { test: `def check(candidate): pass\n# correct: ${correct(i)}`, entry_point: 'f' },
    }),
  );
  return lines.join('\n') + '\n';
}

class Sink extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

// A stand-in for the engine: selects on the recordings with the baselines, sees only what setup gives it.
function fakeDeps(seen: SelectSetup[] = []): BenchDeps {
  return {
    createExecutor: () => Object.assign(new TableExecutor(table, values), { close: () => undefined }),
    defaultRounds: 5,
    async createSelect(setup) {
      seen.push(setup);
      return {
        params: { fake: true },
        close: () => undefined,
        select: async (task) => {
          const d = setup.tasks.find((t) => t.id === task.id)!;
          const codes = d.codes.slice(0, setup.codes);
          const tests = d.tests.slice(0, setup.tests);
          const { pass } = await executeRecorded(setup.executor, { ...d }, codes, tests);
          const tie = (ix: number[]) => ix.map((i) => codes[i]);
          return {
            initialCodes: codes,
            finalCodes: codes,
            initialUts: tests.map((t) => ({ test: { call: t.call!, expected: t.expected }, valid: true })),
            finalUts: tests
              .slice(0, 1)
              .map((t) => ({ test: { call: t.call!, expected: t.expected }, valid: true })),
            ties: {
              cosplay: tie(codetTied(pass)).slice(0, 1),
              cosplayNoCluster: tie(passCountTied(pass)),
              passCount: tie(passCountTied(pass)),
              codet: tie(codetTied(pass)),
              mbr: tie(codetTied(pass)),
              first: codes,
            },
            tokens: 10,
            requests: 2,
            wallMs: 1,
          };
        },
      };
    },
  };
}

const dir = tempDir('bench-cli-');
const honestFile = join(dir, 'honest.jsonl');
writeFileSync(
  honestFile,
  dataset(() => 'A'),
);
const corruptFile = join(dir, 'corrupt.jsonl');
writeFileSync(
  corruptFile,
  dataset(() => 'B, C'),
);

async function run(file: string, extra: Record<string, unknown> = {}, deps = fakeDeps()) {
  const stdout = new Sink();
  const stderr = new Sink();
  const report = await runBenchCommand({ dataset: file, codes: 16, tests: 16, ...extra }, deps, {
    stdout,
    stderr,
  });
  return { report, stdout: stdout.text, stderr: stderr.text };
}

describe('cosplay bench (selection through injected deps)', () => {
  it('writes the contract JSON, a table, a trace and progress', async () => {
    const json = join(dir, 'out.json');
    const trace = join(dir, 'trace.jsonl');
    const { report, stdout, stderr } = await run(honestFile, { json, trace });
    const j = JSON.parse(readFileSync(json, 'utf8'));
    for (const k of [
      'tasks',
      'oracle',
      'codeAccuracy',
      'utAccuracy',
      'bon',
      'tokensPerTask',
      'requestsPerTask',
      'wallMs',
    ])
      expect(j).toHaveProperty(k);
    expect(Object.keys(j.bon).sort()).toEqual([
      'codet',
      'cosplay',
      'cosplayNoCluster',
      'first',
      'mbr',
      'passCount',
    ]);
    expect(j.tasks).toBe(5);
    expect(j.oracle).toBe(1);
    // A is correct; pass@1 = 1/3 on even tasks (3 of them), 1/4 on odd ones
    expect(j.codeAccuracy).toBeCloseTo((3 / 3 + 2 / 4) / 5);
    expect(j.tokensPerTask).toBe(10);
    // A (correct) passes f(1) == 1 and f(2) == 4, not f(2) == 5: UT accuracy 2/3 before, 1/1 after
    expect(j.utAccuracyBefore).toBeCloseTo(2 / 3);
    expect(j.utAccuracyAfter).toBe(1);
    for (const v of Object.values(j.bon) as number[]) expect(v).toBeGreaterThanOrEqual(0);
    expect(report.params).toEqual({ fake: true });
    expect(stdout).toMatch(/CodeT/);
    expect(stderr).toMatch(/\[5\/5\]/);
    const lines = readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('run');
    expect(lines.filter((l) => l.type === 'task')).toHaveLength(5);
    expect(lines.at(-1).type).toBe('summary');
  });

  it('never shows the ground truth to the selection, and corrupting it leaves every pick unchanged', async () => {
    const seen: SelectSetup[] = [];
    const t1 = join(dir, 't1.jsonl');
    const t2 = join(dir, 't2.jsonl');
    const a = await run(honestFile, { trace: t1 }, fakeDeps(seen));
    const b = await run(corruptFile, { trace: t2 }, fakeDeps(seen));
    for (const s of seen) for (const t of s.tasks) expect(t).not.toHaveProperty('ground_truth');
    const picks = (f: string) =>
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.type === 'task')
        .map((l) => ({
          id: l.id,
          picks: Object.fromEntries(Object.entries(l.picks).map(([k, v]: [string, any]) => [k, v.tie])),
          codes: l.codes.map((c: any) => c.code),
        }));
    expect(picks(t2)).toEqual(picks(t1));
    expect(b.report.bon.codet).not.toEqual(a.report.bon.codet);
  });

  it('shards round-robin and bench-merge reproduces the unsharded totals', async () => {
    const whole = (await run(honestFile)).report;
    const files: string[] = [];
    const seenIds: string[][] = [];
    for (const s of ['1/2', '2/2']) {
      const f = join(dir, `shard-${s.replace('/', 'of')}.json`);
      const trace = join(dir, `shard-${s.replace('/', 'of')}.jsonl`);
      await run(honestFile, { shard: s, json: f, trace });
      files.push(f);
      seenIds.push(
        readFileSync(trace, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .filter((l) => l.type === 'task')
          .map((l) => l.id),
      );
    }
    expect(seenIds).toEqual([
      ['T/0', 'T/2', 'T/4'],
      ['T/1', 'T/3'],
    ]);
    const out = new Sink();
    const err = new Sink();
    const mergedFile = join(dir, 'merged.json');
    const merged = await runBenchMerge(files, { json: mergedFile }, { stdout: out, stderr: err });
    const strip = (r: BenchReport) =>
      JSON.parse(
        JSON.stringify(
          {
            ...r,
            wallMs: 0,
            timing: undefined,
            sums: { ...r.sums, wallMs: 0, timing: undefined },
            shard: undefined,
            shards: undefined,
          },
          (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v),
        ),
      );
    expect(strip(merged)).toEqual(strip(whole));
    // the time breakdown of a merge is the shards' breakdowns added up
    const shardReports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchReport);
    expect(merged.timing!.taskMs).toBe(shardReports.reduce((n, r) => n + r.timing!.taskMs, 0));
    expect(merged.shards).toEqual(['1/2', '2/2']);
    expect(err.text).toBe('');
    // a missing shard is reported
    await runBenchMerge(files.slice(0, 1), {}, { stdout: out, stderr: err });
    expect(err.text).toMatch(/2\/2 are missing/);
    // the command is registered on a program
    const program = new Command();
    registerMerge(program);
    expect(program.commands.map((c) => c.name())).toContain('bench-merge');
  });

  it('runs the static selection check', async () => {
    const { report } = await run(honestFile, { static: true });
    expect(report.mode).toBe('static');
    expect(report.bon.passCountCluster).not.toBeNull();
    expect(report.bon.cosplay).toBeNull();
    expect(report.cells).toBeGreaterThan(0);
  });

  it('refuses bad options and datasets without recordings in replay mode', async () => {
    await expect(run(honestFile, { shard: '3/2' })).rejects.toThrow(UserError);
    await expect(run(honestFile, { codes: 'x' })).rejects.toThrow(/--codes/);
    const lcb = join(dir, 'lcb.jsonl');
    writeFileSync(
      lcb,
      JSON.stringify({
        question_id: 'q',
        question_content: 'x',
        public_test_cases: '[{"input":"1","output":"1","testtype":"stdin"}]',
      }) + '\n',
    );
    await expect(run(lcb)).rejects.toThrow(/--model NAME --base-url/);
  });
});
