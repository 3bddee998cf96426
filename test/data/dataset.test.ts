import { describe, expect, it } from '@jest/globals';
import {
  loadDataset,
  parseDataset,
  selectionLimit,
  toTask,
  toUnitTest,
  BUNDLED_DATASET,
} from '../../src/data/dataset.js';
import { UserError } from '../../src/types.js';

describe('dataset', () => {
  it('loads the bundled HumanEval replay set', async () => {
    const tasks = await loadDataset(BUNDLED_DATASET);
    expect(tasks).toHaveLength(164);
    expect(tasks[0].id).toBe('HumanEval/0');
    expect(tasks[0].codes).toHaveLength(100);
    // the bundled copy declares CodeT's limit times five (data/humaneval-codegen16b/README.md)
    expect(new Set(tasks.map((t) => t.time_limit_ms))).toEqual(new Set([500]));
    const task = toTask(tasks[0]);
    expect(task).toEqual(expect.objectContaining({ kind: 'function', entryPoint: 'has_close_elements' }));
    expect(JSON.stringify(task)).not.toContain('check(');
    expect(toUnitTest(tasks[0], tasks[0].tests[0])).toEqual({
      call: 'has_close_elements([], 1)',
      expected: 'False',
    });
  });
  it('names the line of a bad task', () => {
    const good = JSON.stringify({ id: 'a', kind: 'stdio', prompt: 'p', codes: [], tests: [] });
    expect(() => parseDataset(`${good}\n{"id": "b", "kind": "weird"}`, 'x.jsonl')).toThrow(
      /x\.jsonl:2: "kind" must be/,
    );
    expect(() => parseDataset('{nope', 'x.jsonl')).toThrow(UserError);
    expect(() => parseDataset(`${good}\n${good}`, 'x.jsonl')).toThrow(/duplicate id/);
  });
  it('takes a task\'s time limit, which the run may override', () => {
    const line = (extra: object) =>
      JSON.stringify({ id: 'a', kind: 'stdio', prompt: 'p', codes: [], tests: [], ...extra });
    const [t] = parseDataset(line({ time_limit_ms: 2500 }));
    expect(selectionLimit(t)).toBe(2500);
    expect(selectionLimit(t, 300)).toBe(300);
    expect(selectionLimit(parseDataset(line({}))[0])).toBeUndefined();
    for (const bad of [0, -1, 1.5, '1000', 600_001])
      expect(() => parseDataset(line({ time_limit_ms: bad }), 'x.jsonl')).toThrow(
        /x\.jsonl:1: "time_limit_ms" must be a whole number/,
      );
  });
});
