// produceSolution (the solve pipeline without GitHub) against the scripted LLM world and the real sandboxed
// executor: the selected code lands in the target (rest of the file intact), the kept tests in a pytest file
// that passes with the real pytest; the spec's examples are trusted tests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkSandbox, createExecutor, type SandboxExecutor } from '../../../src/exec/index.js';
import { createLlm } from '../../../src/llm/index.js';
import { produceSolution } from '../../../src/modes/solve/mode.js';
import { parseTaskSpec } from '../../../src/taskspec/index.js';
import { testLlmConfig } from '../../support/scripted-server.js';
import { RIGHT, RIGHT_JS, WRONG, startWorld, type World } from '../../action/world.js';

let tmp: string;
let world: World;
let executor: SandboxExecutor;

const spec = (target = 'src/textutil.py') => {
  const r = parseTaskSpec(
    [
      '```yaml',
      'language: python',
      'kind: function',
      `target: ${target}`,
      'signature: def count_vowels(text: str) -> int',
      'description: Return how many vowels (a, e, i, o, u, in either case) the string contains.',
      'examples: |',
      "  count_vowels('Hello') == 2",
      '```',
    ].join('\n'),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-produce-'));
  world = await startWorld();
  executor = await createExecutor({ sandbox: (await checkSandbox()).ok ? 'bwrap' : 'none', workers: 2 });
});
afterAll(async () => {
  await executor.close();
  await world.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('produceSolution', () => {
  it('writes the selected code and a passing pytest file', async () => {
    const root = path.join(tmp, 'repo1');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(path.join(root, 'pytest.ini'), '[pytest]\n');
    writeFileSync(
      path.join(root, 'src', 'textutil.py'),
      'import re\n\n\ndef words(s):\n    return re.findall(r"\\w+", s)\n',
    );
    const llm = createLlm(testLlmConfig(world.server));
    const s = await produceSolution({
      spec: spec(),
      root,
      taskId: 'octo/demo#1',
      llm,
      executor,
      params: {
        nCodes: 4,
        nTests: 4,
        maxRounds: 1,
        nRandomInputs: 4,
        maxHints: 1,
        scSamples: 2,
        scMinAgree: 2,
        scMaxAttempts: 1,
      },
    });
    await llm.close();
    expect(s.solve.report.verdict).toBe('selected');
    // The example is a trusted test: in the pool, passed by the pick, kept in the file.
    expect(s.result.utPool.filter((u) => u.origin === 'trusted').map((u) => u.test)).toEqual([
      { call: "count_vowels('Hello')", expected: '2' },
    ]);
    const row = s.solve.report.executionMatrix[s.result.selected!.index]!;
    for (const k of s.solve.report.keptTests) expect(row[k.column!]).toBe(1);
    expect(s.result.selected).not.toBeNull();
    expect(RIGHT).toContain(s.result.selected!.code);
    expect(s.files).toEqual(['src/textutil.py', 'tests/test_textutil.py']);
    const file = readFileSync(path.join(root, 'src', 'textutil.py'), 'utf8');
    expect(file.startsWith('import re\n\n\ndef words(s):\n    return re.findall(r"\\w+", s)\n')).toBe(true);
    const pytest = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(pytest.stdout).toContain(`${s.solve.report.keptTests.length} passed`);
    expect(pytest.status).toBe(0);
  });

  it('a JavaScript task: node:test file next to a CommonJS module, run with the real node --test', async () => {
    const root = path.join(tmp, 'repo-js');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'demo', version: '1.0.0' }));
    writeFileSync(
      path.join(root, 'src', 'text.js'),
      "'use strict';\n\nfunction shout(s) {\n  return s.toUpperCase();\n}\n\nmodule.exports = { shout };\n",
    );
    const jsWorld = await startWorld({ language: 'javascript' });
    const llm = createLlm(testLlmConfig(jsWorld.server));
    try {
      const r = parseTaskSpec(
        [
          '```yaml',
          'language: javascript',
          'kind: function',
          'target: src/text.js',
          'signature: function countVowels(text)',
          'description: Return how many vowels (a, e, i, o, u, in either case) the string contains.',
          'examples: |',
          "  countVowels('Hello') === 2",
          '```',
        ].join('\n'),
      );
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      const s = await produceSolution({
        spec: r.spec,
        root,
        taskId: 'octo/demo#3',
        llm,
        executor,
        params: {
          nCodes: 3,
          nTests: 4,
          maxRounds: 1,
          nRandomInputs: 3,
          maxHints: 1,
          scSamples: 2,
          scMinAgree: 2,
          scMaxAttempts: 1,
        },
      });
      expect(s.solve.report.verdict).toBe('selected');
      expect(RIGHT_JS).toContain(s.result.selected!.code);
      expect(s.framework.framework).toBe('node:test');
      expect(s.files).toEqual(['src/text.js', 'test/text.test.js']);
      const node = spawnSync(process.execPath, ['--test', '--test-reporter=tap'], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(node.stdout).toMatch(new RegExp(`# pass ${s.solve.report.keptTests.length}\\b`));
      expect(node.status).toBe(0);
      // The rest of the module byte for byte (node --test passing shows countVowels is exported).
      const text = readFileSync(path.join(root, 'src', 'text.js'), 'utf8');
      expect(
        text.startsWith(
          "'use strict';\n\nfunction shout(s) {\n  return s.toUpperCase();\n}\n\nmodule.exports = { shout };\n",
        ),
      ).toBe(true);
    } finally {
      await llm.close();
      await jsWorld.close();
    }
  });

  it('writes nothing when no candidate passes the examples', async () => {
    const root = path.join(tmp, 'repo2');
    mkdirSync(root);
    const wrongOnly = await startWorld({ rotation: [WRONG[0]!] });
    const llm = createLlm(testLlmConfig(wrongOnly.server));
    try {
      const s = await produceSolution({
        spec: { ...spec('textutil.py'), exampleTests: [{ call: "count_vowels('HELLO')", expected: '2' }] },
        root,
        taskId: 'octo/demo#2',
        llm,
        executor,
        params: {
          nCodes: 3,
          nTests: 3,
          maxRounds: 0,
          nRandomInputs: 3,
          maxHints: 1,
          scSamples: 2,
          scMinAgree: 2,
          scMaxAttempts: 1,
        },
      });
      expect(s.result.selected).toBeNull();
      expect(s.solve.report.verdict).toBe('no-pick');
      expect(s.files).toEqual([]);
      expect(existsSync(path.join(root, 'textutil.py'))).toBe(false);
    } finally {
      await llm.close();
      await wrongOnly.close();
    }
  });
});
