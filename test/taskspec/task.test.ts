import { describe, expect, it } from '@jest/globals';
import { functionTask, specToTask, type TaskSpec } from '../../src/taskspec/index.js';

describe('functionTask', () => {
  it('builds a Python docstring prompt from the signature, description and examples', () => {
    const task = functionTask({
      id: 'repair:a.py#add',
      language: 'python',
      fn: { name: 'add', signature: '  def add(a, b)' },
      description: 'Add two numbers.\n\nSays """hi""" and \\n.',
      examples: [{ call: 'add(1, 2)', expected: '3' }, { call: 'add(0, 0)' }],
      context: 'import math\u200b',
    });
    expect(task).toEqual({
      id: 'repair:a.py#add',
      language: 'python',
      kind: 'function',
      entryPoint: 'add',
      prompt:
        'def add(a, b):\n    """\n    Add two numbers.\n\n    Says \\"\\"\\"hi\\"\\"\\" and \\\\n.\n\n    Examples:\n    >>> add(1, 2)\n    3\n    """\n',
      context: 'import math',
    });
  });

  it('builds a JSDoc prompt without export or the body brace, and a default description', () => {
    const task = functionTask({
      id: 'gate:a.js#f',
      language: 'javascript',
      fn: { name: 'f', signature: 'export default function f(x) {' },
      description: '  ',
      examples: [{ call: 'f(1)', expected: '2' }],
    });
    expect(task.prompt).toBe(
      '/**\n * Implement `f`.\n *\n * @example\n * f(1) // => 2\n */\nfunction f(x)\n',
    );
    expect(task.context).toBeUndefined();
  });

  it('formats docs like specToTask does for the same signature and description', () => {
    const spec = {
      kind: 'function',
      language: 'python',
      entryPoint: 'g',
      signature: 'def g(x):',
      description: 'Double x.',
      examples: '',
      exampleTests: [{ call: 'g(2)', expected: '4' }],
    } as unknown as TaskSpec;
    const fromSpec = specToTask(spec, { id: 't' });
    const fromFn = functionTask({
      id: 't',
      language: 'python',
      fn: { name: 'g', signature: 'def g(x):' },
      description: 'Double x.',
      examples: [{ call: 'g(2)', expected: '4' }],
    });
    expect(fromFn.prompt).toBe(fromSpec.prompt);
  });
});

describe('method tasks', () => {
  it('show the method inside its class; the class is the entry point the tests construct', () => {
    const py = functionTask({
      id: 'gate:m.py#Counter.add',
      language: 'python',
      fn: { name: 'add', signature: 'def add(self, k: int) -> int' },
      description: 'Add k and return the new total.',
      className: 'Counter',
    });
    expect(py).toMatchObject({ entryPoint: 'Counter', method: 'add' });
    expect(py.prompt).toBe(
      'class Counter:\n    def add(self, k: int) -> int:\n        """\n        Add k and return the new total.\n        """\n',
    );
    const js = functionTask({
      id: 'gate:m.js#Counter.add',
      language: 'javascript',
      fn: { name: 'add', signature: 'add(k) {' },
      description: 'Add k.',
      className: 'Counter',
    });
    expect(js.prompt).toBe('class Counter {\n  /**\n   * Add k.\n   */\n  add(k)\n}\n');
  });
});
