import { describe, expect, it } from '@jest/globals';
import { loadDataset, parseDataset, toTask, toUnitTest, BUNDLED_DATASET } from '../../src/data/dataset.js';
import { UserError } from '../../src/types.js';

describe('dataset', () => {
  it('loads the bundled HumanEval replay set', async () => {
    const tasks = await loadDataset(BUNDLED_DATASET);
    expect(tasks).toHaveLength(164);
    expect(tasks[0].id).toBe('HumanEval/0');
    expect(tasks[0].codes).toHaveLength(100);
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
});
