import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { addTask, emptySums, mergeSums } from '../../src/bench/metrics.js';
import { buildReport, formatTable, mergeReports, missingShards, Progress } from '../../src/bench/report.js';
import { parseShard, selectShard } from '../../src/bench/shard.js';
import { UserError } from '../../src/types.js';

class Sink extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const sums = addTask(emptySums(), {
  id: 'a',
  poolCorrect: [true, false],
  ties: { first: [true, false], codet: [true], cosplay: [false] },
  utBefore: { valid: 2, correct: 1 },
  utAfter: { valid: 2, correct: 2 },
  tokens: 5,
  requests: 1,
});

describe('Progress', () => {
  it('rewrites one line on a TTY', () => {
    const s = new Sink(true);
    const p = new Progress(s, 3);
    p.update(1, 'a');
    p.update(2, 'b');
    p.update(3, 'c');
    expect(s.text.split('\r').length).toBe(4);
    expect(s.text.endsWith('\n')).toBe(true);
    expect(s.text.split('\n').length).toBe(2);
  });
  it('prints plain lines, throttled, when not a TTY', () => {
    const s = new Sink(false);
    const p = new Progress(s, 100);
    for (let i = 1; i <= 100; i++) p.update(i, `t${i}`);
    const lines = s.text.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.at(-1)).toMatch(/\[100\/100\] t100/);
    expect(s.text).not.toMatch(/\r/);
  });
});

describe('reports', () => {
  it('formats the table with every measured selector', () => {
    const t = formatTable(
      buildReport(sums, { mode: 'cosplay', dataset: 'd', model: 'replay', codes: 2, tests: 2 }),
    );
    expect(t).toMatch(/CoSPlay \(with clustering\)\s+0\.0 %/);
    expect(t).toMatch(/CodeT\s+100\.0 %/);
    expect(t).toMatch(/UT accuracy\s+50\.0 % -> 100\.0 %/);
    expect(t).not.toMatch(/MBR/);
  });
  it('says where the executed cells came from, and how many chunks handed their tests back after a timeout', () => {
    const r = buildReport(sums, { mode: 'cosplay', dataset: 'd', codes: 2, tests: 2 });
    const line = (execCells: NonNullable<typeof r.execCells>) =>
      formatTable({ ...r, execCells })
        .split('\n')
        .find((l) => l.includes('the executor'));
    expect(line({ executed: 7, cached: 2, stored: 1 })).toBe(
      '  the executor (every request, UT grading included): ran 7 in the sandbox, from memory 2, from the persistent cache 1',
    );
    expect(line({ executed: 7, cached: 2, stored: 1, handedBack: 0 })).not.toMatch(/handed/);
    expect(line({ executed: 7, cached: 2, stored: 1, handedBack: 3 })).toMatch(
      /cache 1; 3 chunk\(s\) stopped at a timeout and handed their tests left to the other workers$/,
    );
  });
  it('refuses to merge reports of different benchmarks or the same shard twice', () => {
    const a = buildReport(sums, { mode: 'cosplay', dataset: 'd', codes: 2, tests: 2, shard: '1/2' });
    const b = buildReport(sums, { mode: 'cosplay', dataset: 'other', codes: 2, tests: 2, shard: '2/2' });
    expect(() => mergeReports([a, b], mergeSums)).toThrow(UserError);
    expect(() => mergeReports([a, a], mergeSums)).toThrow(/twice/);
    expect(() => mergeReports([{} as never], mergeSums)).toThrow(/cosplay bench --json/);
    expect(missingShards(['1/3', '3/3'])).toEqual(['2/3']);
  });
});

describe('shards', () => {
  it('parses I/N and takes every N-th task', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(undefined)).toBeUndefined();
    for (const bad of ['0/2', '3/2', 'x', '1/0', '1-2']) expect(() => parseShard(bad)).toThrow(UserError);
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const all = [1, 2, 3].flatMap((i) => selectShard(items, { index: i, count: 3 }).map((x) => x.index));
    expect(all.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(selectShard(items, { index: 2, count: 3 }).map((x) => x.item)).toEqual(['b', 'e']);
  });
});
