import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, deflateSync, inflateSync } from 'node:zlib';
import {
  decodeLcbTests,
  loadBenchDataset,
  parseLiveCodeBench,
  pythonLiteral,
} from '../../src/bench/datasets.js';
import { unpickleString } from '../../src/bench/pickle.js';
import { UserError } from '../../src/types.js';
import { tempDir } from '../support/temp-dir.js';

// base64(zlib(pickle.dumps(json.dumps(TESTS), protocol=p))) made with CPython 3.11
const TESTS = [
  { input: '3\n1 2 3\n', output: '6\n', testtype: 'stdin' },
  { input: '1\nü\n', output: 'é\n', testtype: 'stdin' },
];
const PICKLED: Record<string, string> = {
  0: 'eJwLi65WyswrKC1RslJQMo4pNTAwTc4zVDBSgLGVdBSU8ktLoCrMkERLUotLSioLUkHixSUpmXlKtToKSKYZQtVCKCCRlozVTLh8qiV+02O5Cgy49AB9kTUQ',
  2: 'eJxrYIpoYWBgiK5WyswrKC1RslJQMo7JM1QwUgBSSjoKSvmlJVBxM4hASWpxSUllQSpIqLgkJTNPqVZHAUm7YUxeTKmBQVoyun6QaKolTkNiCxn0AIUDKm0=',
  3: 'eJxrYI5oYWBgiK5WyswrKC1RslJQMo7JM1QwUgBSSjoKSvmlJVBxM4hASWpxSUllQSpIqLgkJTNPqVZHAUm7YUxeTKmBQVoyun6QaKolTkNiCxn0AIWQKm4=',
  4: 'eJxrYJnawQABPS3R1UqZeQWlJUpWCkrGMXmGCkYKQEpJR0Epv7QEKm4GEShJLS4pqSxIBQkVl6Rk5inV6iggaTeMyYspNTBIS0bXDxJNtcRpSOwUPQAZQCvj',
  5: 'eJxrYJ3awQABPS3R1UqZeQWlJUpWCkrGMXmGCkYKQEpJR0Epv7QEKm4GEShJLS4pqSxIBQkVl6Rk5inV6iggaTeMyYspNTBIS0bXDxJNtcRpSOwUPQAZ0ivk',
};
// pickle.dumps(TESTS) (a list, not a JSON string): must be refused, never interpreted
const PICKLED_LIST =
  'eJxrYJkazgABsVM0aqdo9LBm5hWUlkzp4TDmMlQwUjDmmtLDll9aAhZjMgPyOEpSi0tKKgtSp/SwFpekZOZNKQXqy2DqYTXkOryHa0oGSw/z4ZVAmi2DvTRVDwDbUSBy';

describe('LiveCodeBench test-case decoding', () => {
  for (const [p, b64] of Object.entries(PICKLED))
    it(`decodes base64+zlib+pickle protocol ${p}`, () => {
      expect(decodeLcbTests(b64, 'x')).toEqual(TESTS);
    });
  it('reads plain JSON', () => {
    expect(decodeLcbTests(JSON.stringify(TESTS), 'x')).toEqual(TESTS);
  });
  it('refuses a pickle that is not a single string, with a UserError saying what to do', () => {
    expect(() => unpickleString(inflateSync(Buffer.from(PICKLED_LIST, 'base64')))).toThrow(/not supported/);
    expect(() => decodeLcbTests(PICKLED_LIST, 'x')).toThrow(UserError);
    expect(() => decodeLcbTests(deflateSync(Buffer.from('garbage')).toString('base64'), 'x')).toThrow(
      /plain JSON/,
    );
  });
});

describe('parseLiveCodeBench', () => {
  it('turns stdin problems into stdio tasks with public + private ground truth', () => {
    const row = {
      question_id: 'abc001_a',
      question_content: 'Sum the numbers.',
      public_test_cases: JSON.stringify([TESTS[0]]),
      private_test_cases: PICKLED['4'],
      metadata: '{}',
    };
    const d = parseLiveCodeBench(JSON.stringify(row));
    expect(d.format).toBe('livecodebench');
    expect(d.tasks[0]).toMatchObject({ id: 'abc001_a', kind: 'stdio', codes: [], tests: [] });
    expect(d.tasks[0].ground_truth!.tests).toEqual([
      { input: '3\n1 2 3\n', expected: '6\n' },
      { input: '3\n1 2 3\n', expected: '6\n' },
      { input: '1\nü\n', expected: 'é\n' },
    ]);
  });
  it('turns functional (LeetCode) problems into function tasks checked through class Solution', () => {
    const row = {
      question_id: '42',
      question_content: 'Add.',
      starter_code: 'class Solution:\n    def add(self, a: int, b: List[int]) -> bool:\n        ',
      public_test_cases: JSON.stringify([{ input: '1\n[2, null]', output: 'true', testtype: 'functional' }]),
      private_test_cases: '[]',
      metadata: JSON.stringify({ func_name: 'add' }),
    };
    const t = parseLiveCodeBench(JSON.stringify([row])).tasks[0];
    expect(t.kind).toBe('function');
    expect(t.entry_point).toBe('Solution');
    expect(t.ground_truth!.test).toBe(
      'def check(candidate):\n    assert candidate().add(1, [2, None]) == True\n',
    );
  });
  it('skips rows it cannot convert and says why', () => {
    const d = parseLiveCodeBench(
      JSON.stringify({ question_id: 'q', question_content: 'x', public_test_cases: '[]' }),
    );
    expect(d.tasks).toHaveLength(0);
    expect(d.skipped).toEqual([{ id: 'q', reason: 'no test cases' }]);
  });
  it('writes JSON values as Python literals', () => {
    expect(pythonLiteral({ a: [1, 2.5, 'x"y', null, false] })).toBe('{"a": [1, 2.5, "x\\"y", None, False]}');
  });
});

describe('loadBenchDataset', () => {
  const dir = tempDir('bench-ds-');
  it('detects the shared/data format (gzip or plain) and LiveCodeBench files', async () => {
    const task = {
      id: 'T/1',
      kind: 'function',
      language: 'python',
      entry_point: 'f',
      prompt: 'def f():',
      codes: ['def f(): return 1'],
      tests: [{ call: 'f()', expected: '1' }],
      ground_truth: { test: 'def check(c): assert c() == 1', entry_point: 'f' },
    };
    writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync(JSON.stringify(task) + '\n'));
    const a = await loadBenchDataset(join(dir, 'a.jsonl.gz'));
    expect(a.format).toBe('cosplay');
    expect(a.tasks[0].codes).toHaveLength(1);
    writeFileSync(
      join(dir, 'b.jsonl'),
      JSON.stringify({ question_id: 'q1', question_content: 'x', public_test_cases: JSON.stringify(TESTS) }) +
        '\n',
    );
    const b = await loadBenchDataset(join(dir, 'b.jsonl'));
    expect(b.format).toBe('livecodebench');
    expect(b.tasks).toHaveLength(1);
    await expect(loadBenchDataset(join(dir, 'missing.jsonl'))).rejects.toThrow(UserError);
  });
});
