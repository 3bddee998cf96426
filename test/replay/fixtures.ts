import type { DatasetTask } from '../../src/data/dataset.js';

/** Two small recorded tasks: a function task with duplicate test inputs and a stdio task. */
export function recordedTasks(): DatasetTask[] {
  return [
    {
      id: 'F/1',
      kind: 'function',
      language: 'python',
      entry_point: 'inc',
      prompt: 'def inc(x):\n    """Add one."""\n',
      codes: [
        'def inc(x):\n    return x + 1\n',
        'def inc(x):\n    return x + 2\n',
        'def inc(x):\n    """```"""\n    return x\n',
      ],
      tests: [
        { assert: 'assert inc(1) == 2', call: 'inc(1)', expected: '2' },
        { assert: 'assert inc(2) == 3', call: 'inc(2)', expected: '3' },
        { assert: 'assert inc(1) == 3', call: 'inc( 1 )', expected: '3' },
        { assert: 'assert inc([1,2]) == 0', call: 'inc([1,2])', expected: '0' },
        { assert: 'assert inc(5) == 6', call: 'inc(5)', expected: '6' },
      ],
    },
    {
      id: 'S/1',
      kind: 'stdio',
      language: 'python',
      prompt: 'Read n, print n*2.',
      codes: ['print(int(input()) * 2)\n'],
      tests: [
        { input: '3\n', expected: '6\n' },
        { input: '4\n', expected: '8\n' },
      ],
    },
  ];
}
