// produceSolution (the solve pipeline without GitHub) against the scripted LLM world and the real sandboxed
// executor: the selected code lands in the target (rest of the file intact), the kept tests in a pytest file
// that passes with the real pytest; the spec's examples are trusted tests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkSandbox, createExecutor, type SandboxExecutor } from '../../src/exec/index.js';
import { createLlm } from '../../src/llm/index.js';
import { produceSolution } from '../../src/modes/solve.js';
import { parseTaskSpec } from '../../src/spec/index.js';
import { testLlmConfig } from '../support/scripted-server.js';
import { RIGHT, startWorld, type World } from '../action/world.js';

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
    const t0 = Date.now();
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
    console.log(
      Date.now() - t0,
      'ms',
      s.solve.report.verdict,
      s.result.stopReason,
      s.notes,
      s.solve.report.executionMatrix,
      s.solve.report.keptTests.length,
      world.server.requests.length,
    );
    expect(s.result.selected).not.toBeNull();
    expect(RIGHT).toContain(s.result.selected!.code);
    expect(s.files).toEqual(['src/textutil.py', 'tests/test_textutil.py']);
    const file = readFileSync(path.join(root, 'src', 'textutil.py'), 'utf8');
    expect(file.startsWith('import re\n\n\ndef words(s):\n    return re.findall(r"\\w+", s)\n')).toBe(true);
    const pytest = spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: root,
      encoding: 'utf8',
    });
    console.log(pytest.stdout);
    expect(pytest.status).toBe(0);
  });
});
