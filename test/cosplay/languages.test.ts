// Stdio tasks and JavaScript tasks through the whole pipeline (fake executor), and the prompts' formats.
import { describe, expect, test } from '@jest/globals';
import { runCosplay } from '../../src/cosplay/index.js';
import { describeTask, expectedOutputPrompt, fixPrompt, validatorTest } from '../../src/cosplay/prompts.js';
import { answerKey, normaliseInput, parseExpected, parseList } from '../../src/cosplay/replies.js';
import type { Task } from '../../src/types.js';
import { FakeExecutor, parseCall } from '../support/fake-executor.js';
import { FakeLlm, codeReply, cursor, jsonReply, metaCount, metaInput } from '../support/fake-llm.js';

const STDIO: Task = {
  id: 'test/max-of-list',
  language: 'python',
  kind: 'stdio',
  prompt: 'The first line holds n, the second n integers. Print the largest.',
};

describe('stdio task', () => {
  const right = 'n = int(input())\nprint(max(map(int, input().split())))';
  const firstOnly = 'n = int(input())\nprint(input().split()[0])';
  const crashes = 'print(undefined_name)';
  const validator = 'import sys\nprint("VALID")';
  const max = (stdin: string) => String(Math.max(...stdin.split('\n')[1].split(' ').map(Number)));

  test('inputs are stdin texts, expected outputs exact text; the pick is the right program', async () => {
    const exec = new FakeExecutor({
      [right]: (s: string) => max(s) + '\n',
      [firstOnly]: (s: string) => s.split('\n')[1].split(' ')[0] + '\n',
      [crashes]: () => {
        throw new Error('NameError');
      },
      [validator]: () => 'VALID\n',
    });
    const codes = cursor([firstOnly, right, crashes]);
    const ins = cursor(['2\n5 9\n', '3\n1 2 3', '1\n4\n', '2\n7 1\n', '3\n2 9 4\n', '2\n8 3\n']);
    const llm = new FakeLlm({
      code: (r) => codes(r.n ?? 1).map((c) => codeReply(c)),
      'ut-input': (r) => [jsonReply({ inputs: ins(metaCount(r)) })],
      'ut-output': (r) => Array.from({ length: r.n ?? 1 }, () => jsonReply({ expected: max(metaInput(r)) })),
      inputs: () => [jsonReply({ inputs: ['3\n1 8 7\n', '2\n-5 -1\n'] })],
      generator: () => [codeReply(validator)],
    });
    const r = await runCosplay({
      task: STDIO,
      llm,
      executor: exec,
      params: {
        nCodes: 3,
        nTests: 3,
        maxRounds: 2,
        scSamples: 2,
        scMinAgree: 2,
        scMaxAttempts: 1,
        nRandomInputs: 2,
      },
    });
    expect(r.initial.utPool.map((u) => u.test)).toEqual([
      { input: '2\n5 9\n', expected: '9' },
      { input: '3\n1 2 3\n', expected: '3' },
      { input: '1\n4\n', expected: '4' },
    ]);
    expect(r.selected?.code.trim()).toBe(right);
    expect(r.decisions.find((d) => d.step === 'break spurious coupling')).toMatchObject({
      ut: 0,
      action: 'regenerated',
    });
    expect(exec.runs.every((q) => q.kind === 'stdio' && q.entryPoint === undefined)).toBe(true);
    expect(llm.prompts('code')[0]).toMatch(/reads its input from standard input/);
  });

  test('stdio answers compare modulo trailing whitespace; inputs get a final newline', () => {
    expect(answerKey(STDIO, '1 2\n3  \n\n')).toBe(answerKey(STDIO, '1 2\n3'));
    expect(answerKey(STDIO, '1  2')).not.toBe(answerKey(STDIO, '1 2'));
    expect(normaliseInput(STDIO, '1\n2')).toBe('1\n2\n');
    expect(normaliseInput(STDIO, '   ')).toBeNull();
    expect(validatorTest(STDIO, '1\n')).toEqual({ input: '1\n', expected: 'VALID' });
  });
});

const JS: Task = {
  id: 'test/js-add',
  language: 'javascript',
  kind: 'function',
  entryPoint: 'add',
  prompt: '/** Adds two numbers. */\nfunction add(a, b) {}',
};

describe('JavaScript function task', () => {
  test('prompts ask for javascript fences and JS literals; replies parse', async () => {
    const good = 'function add(a, b) {\n  return a + b;\n}';
    const bad = 'function add(a, b) {\n  return a - b;\n}';
    const exec = new FakeExecutor({
      [good]: (a: number[]) => a[0] + a[1],
      [bad]: (a: number[]) => a[0] - a[1],
      ['function add(a, b) {\n  return typeof a === "number" && typeof b === "number";\n}']: () => true,
    });
    const codes = cursor([bad, good, good]);
    const ins = cursor(['add(1, 2)', 'add(0, 0)', '(5, 5)']);
    const llm = new FakeLlm({
      code: (r) => codes(r.n ?? 1).map((c) => codeReply(c, 'javascript')),
      'ut-input': (r) => [jsonReply({ inputs: ins(metaCount(r)) })],
      'ut-output': (r) => {
        const { args } = parseCall(metaInput(r));
        return [jsonReply({ expected: (args[0] as number) + (args[1] as number) })];
      },
    });
    const r = await runCosplay({
      task: JS,
      llm,
      executor: exec,
      params: { nCodes: 3, nTests: 3, maxRounds: 1, scSamples: 1, scMinAgree: 1, scMaxAttempts: 1 },
    });
    expect(llm.prompts('code')[0]).toContain('```javascript');
    expect(llm.prompts('ut-output')[0]).toMatch(/`true`, `\[1, 2\]`, `"abc"`, `null`/);
    // '(5, 5)' was normalised into a call of the entry point
    expect(r.initial.utPool.map((u) => u.input)).toEqual(['add(1, 2)', 'add(0, 0)', 'add(5, 5)']);
    expect(r.selected?.code.trim()).toBe(good);
    expect(validatorTest(JS, 'add(1, 2)')).toEqual({ call: 'add(1, 2)', expected: 'true' });
  });

  test('expected values given as JSON values become JS literals', () => {
    expect(parseExpected(jsonReply({ expected: [1, 'a', null] }), JS)).toBe('[1,"a",null]');
    expect(parseExpected(jsonReply({ expected: false }), JS)).toBe('false');
  });
});

describe('reply parsing', () => {
  const PY: Task = {
    id: 't',
    language: 'python',
    kind: 'function',
    entryPoint: 'f',
    prompt: 'def f(x): ...',
  };
  test('lists: under the key, as a bare array, or as objects with one text field', () => {
    expect(parseList(jsonReply({ ideas: ['a', 'b'] }), 'ideas')).toEqual(['a', 'b']);
    expect(parseList('```json\n["x", 3]\n```', 'inputs')).toEqual(['x', '3']);
    expect(parseList(jsonReply({ observations: [{ observation: 'o1' }] }), 'observations')).toEqual(['o1']);
    expect(parseList('no json here', 'ideas')).toEqual([]);
  });
  test('method inputs construct the class and call the method', () => {
    const M: Task = { ...PY, entryPoint: 'Counter', method: 'add' };
    expect(normaliseInput(M, 'Counter(3).add(2)')).toBe('Counter(3).add(2)');
    expect(normaliseInput(M, 'Counter.add(2)')).toBe('Counter.add(2)');
    expect(normaliseInput({ ...M, language: 'javascript' }, 'new Counter(3).add(2);')).toBe(
      'new Counter(3).add(2)',
    );
    expect(normaliseInput(M, 'Counter(3).sub(2)')).toBeNull();
    expect(normaliseInput(M, 'add(2)')).toBeNull();
    expect(describeTask(M)).toMatch(/implement the method `add` of the Python class `Counter`/);
  });
  test('function inputs must be calls of the entry point', () => {
    expect(normaliseInput(PY, ' f([1, 2]); ')).toBe('f([1, 2])');
    expect(normaliseInput(PY, '([1], 2)')).toBe('f([1], 2)');
    expect(normaliseInput(PY, 'g(1)')).toBeNull();
    expect(normaliseInput(PY, 'an empty list')).toBeNull();
  });
  test('expected outputs: Python literals from JSON values; missing or empty is unusable', () => {
    expect(parseExpected(jsonReply({ expected: [true, null, 'a'] }), PY)).toBe('[True, None, "a"]');
    expect(parseExpected(jsonReply({ expected: { k: 1.5 } }), PY)).toBe('{"k": 1.5}');
    expect(parseExpected(jsonReply({ expected: '  ' }), PY)).toBeNull();
    expect(parseExpected(jsonReply({ answer: 1 }), PY)).toBeNull();
    expect(parseExpected('The result is 3', PY)).toBeNull();
  });
  test('the task is shown in a fence of its language, with context when given', () => {
    const d = describeTask({ ...PY, context: 'import math' });
    expect(d).toContain('```python\ndef f(x): ...\n```');
    expect(d).toContain('Context:\nimport math');
    expect(expectedOutputPrompt(PY, 'stage1', 'f(1)', 4, 0.8).meta).toEqual({ input: 'f(1)' });
  });
});

describe('code fixing prompt', () => {
  test('quotes a timeout by its limit, not by the CPU time it happened to use: two runs send the same prompt', () => {
    const ask = (error: string) =>
      fixPrompt(
        STDIO,
        'while True:\n    pass',
        { input: '1\n5\n', expected: '5' },
        { verdict: 'timeout', output: '', error },
      )
        .messages.map((m) => m.content)
        .join('\n');
    const a = ask('timed out: 1004 ms of CPU time used, the limit is 1000 ms');
    expect(a).toBe(ask('timed out: 998 ms of CPU time used, the limit is 1000 ms'));
    expect(a).toContain('it ended with timeout:\ntimed out: the limit is 1000 ms');
    expect(ask('loading the code did not finish within 1000 ms')).toContain(
      'loading the code did not finish within 1000 ms',
    );
  });
});
