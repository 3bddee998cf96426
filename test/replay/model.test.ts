import { describe, expect, it } from '@jest/globals';
import { extractCodeBlock, extractJson } from '../../src/llm/parse.js';
import { ReplayModel, normalizeInput, type ReplayRequest } from '../../src/replay/model.js';
import { recordedTasks } from './fixtures.js';

const texts = (m: ReplayModel, r: ReplayRequest) => m.answer(r).choices.map((c) => c.text);
const inputsOf = (t: string | null) => (t === null ? null : extractJson<{ inputs: string[] }>(t)!.inputs);
const expectedOf = (t: string | null) => (t === null ? null : extractJson<{ expected: string }>(t)!.expected);

describe('ReplayModel', () => {
  it('code: the recorded codes in order, one per choice, then declines', () => {
    const m = new ReplayModel(recordedTasks());
    const codes = recordedTasks()[0].codes;
    const a = texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', n: 2 });
    expect(a.map((t) => extractCodeBlock(t!, 'python'))).toEqual([codes[0], codes[1]]);
    const b = m.answer({ stage: 'stage2', purpose: 'code', task: 'F/1', n: 2 });
    expect(extractCodeBlock(b.choices[0].text!, 'python')).toBe(codes[2]);
    expect(b.choices[1].text).toBeNull();
    expect(b.declined).toBe(1);
  });

  it('ut-input: the next meta.count recorded inputs per choice, duplicates kept', () => {
    const m = new ReplayModel(recordedTasks());
    const a = texts(m, { stage: 'stage1', purpose: 'ut-input', task: 'F/1', n: 2, meta: { count: 2 } });
    expect(a.map(inputsOf)).toEqual([
      ['inc(1)', 'inc(2)'],
      ['inc( 1 )', 'inc([1,2])'],
    ]);
    const b = texts(m, { stage: 'stage1', purpose: 'ut-input', task: 'F/1', n: 2, meta: { count: 2 } });
    expect(b.map(inputsOf)).toEqual([['inc(5)'], null]);
  });

  it('inputs (stage 3): distinct recorded inputs on an independent cursor', () => {
    const m = new ReplayModel(recordedTasks());
    texts(m, { stage: 'stage1', purpose: 'ut-input', task: 'F/1', meta: { count: 5 } });
    const a = texts(m, { stage: 'stage3', purpose: 'inputs', task: 'F/1', meta: { count: 3 } });
    expect(a.map(inputsOf)).toEqual([['inc(1)', 'inc(2)', 'inc([1,2])']]);
    const b = texts(m, { stage: 'stage3', purpose: 'inputs', task: 'F/1', n: 2, meta: { count: 3 } });
    expect(b.map(inputsOf)).toEqual([['inc(5)'], null]);
  });

  it('ut-output: the recorded expected values of that input in order, whitespace-normalised, per-input cursor', () => {
    const m = new ReplayModel(recordedTasks());
    const a = texts(m, {
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'F/1',
      n: 1,
      meta: { input: 'inc(1)' },
    });
    expect(a.map(expectedOf)).toEqual(['2']);
    const other = texts(m, {
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'F/1',
      n: 2,
      meta: { input: 'inc(2)' },
    });
    expect(other.map(expectedOf)).toEqual(['3', null]);
    const b = texts(m, {
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'F/1',
      n: 4,
      meta: { input: '  inc(1)\n' },
    });
    expect(b.map(expectedOf)).toEqual(['3', null, null, null]);
    const loose = texts(m, {
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'F/1',
      n: 1,
      meta: { input: 'inc([1, 2])' },
    });
    expect(loose.map(expectedOf)).toEqual(['0']);
    const stdio = texts(m, {
      stage: 'stage1',
      purpose: 'ut-output',
      task: 'S/1',
      n: 1,
      meta: { input: '4\n' },
    });
    expect(stdio.map(expectedOf)).toEqual(['8\n']);
  });

  it('declines unknown inputs, unknown tasks and purposes without recordings', () => {
    const m = new ReplayModel(recordedTasks());
    expect(
      texts(m, { stage: 'stage1', purpose: 'ut-output', task: 'F/1', n: 2, meta: { input: 'inc(99)' } }),
    ).toEqual([null, null]);
    expect(texts(m, { stage: 'stage1', purpose: 'ut-output', task: 'F/1' })).toEqual([null]);
    expect(texts(m, { stage: 'stage1', purpose: 'code', task: 'nope', n: 3 })).toEqual([null, null, null]);
    for (const purpose of ['hints', 'plans', 'attack', 'fix', 'generator', 'other'])
      expect(m.answer({ stage: 'stage2', purpose, task: 'F/1', n: 2 })).toMatchObject({
        choices: [{ text: null }, { text: null }],
        declined: 2,
      });
    // declined purposes move no cursor
    expect(extractCodeBlock(texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1' })[0]!, 'python')).toBe(
      recordedTasks()[0].codes[0],
    );
  });

  it('answers a repeated request id identically without moving a cursor', () => {
    const m = new ReplayModel(recordedTasks());
    const r = { stage: 'stage1', purpose: 'code', task: 'F/1', n: 1, requestId: 'id-1' };
    const first = m.answer(r);
    expect(m.answer(r)).toEqual(first);
    expect(m.answer(r)).toEqual(first);
    const next = m.answer({ ...r, requestId: 'id-2' });
    expect(extractCodeBlock(next.choices[0].text!, 'python')).toBe(recordedTasks()[0].codes[1]);
  });

  it('normalises function inputs outside string literals and stdio inputs by collapsing whitespace', () => {
    expect(normalizeInput('f([1, 2],\n 3)', 'function')).toBe('f([1,2],3)');
    expect(normalizeInput('f(\'a b\', "c \\" d")', 'function')).toBe('f(\'a b\',"c \\" d")');
    expect(normalizeInput('f("a b")', 'function')).not.toBe(normalizeInput('f("ab")', 'function'));
    expect(normalizeInput('  1  2\n3\n', 'stdio')).toBe('1 2 3');
  });

  it('keeps cursors per session', () => {
    const m = new ReplayModel(recordedTasks());
    const a = texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', session: 'A' });
    const b = texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', session: 'B' });
    expect(b).toEqual(a);
    m.reset('A');
    expect(texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', session: 'A' })).toEqual(a);
    expect(texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', session: 'B' })).not.toEqual(a);
  });

  it('reports how much of a task each session has read', () => {
    const m = new ReplayModel(recordedTasks());
    expect(m.consumed('A', 'F/1')).toEqual({ codes: 0, tests: 0, inputs: 0 });
    texts(m, { stage: 'stage1', purpose: 'code', task: 'F/1', session: 'A', n: 2 });
    texts(m, { stage: 'stage1', purpose: 'ut-input', task: 'F/1', session: 'A', meta: { count: 3 } });
    texts(m, { stage: 'stage3', purpose: 'inputs', task: 'F/1', session: 'A', meta: { count: 2 } });
    expect(m.consumed('A', 'F/1')).toEqual({ codes: 2, tests: 3, inputs: 2 });
    // a declined code request reads nothing more; another session is counted apart
    texts(m, { stage: 'stage2', purpose: 'code', task: 'F/1', session: 'A', n: 5 });
    expect(m.consumed('A', 'F/1').codes).toBe(recordedTasks()[0].codes.length);
    expect(m.consumed('B', 'F/1')).toEqual({ codes: 0, tests: 0, inputs: 0 });
  });
});
