import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chooseTestPath,
  detectLanguages,
  detectTestFramework,
  GENERATED_MARKER,
  moduleStyleForPath,
  promptContext,
  readTargetContext,
} from '../../src/repo/index.js';

let tmp: string;
let k = 0;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-detect-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = path.join(tmp, `r${k++}`);
  mkdirSync(root);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}

describe('detectTestFramework', () => {
  it.each([
    [{ 'pytest.ini': '[pytest]\n' }, 'pytest.ini'],
    [
      { 'pyproject.toml': '[project]\nname="x"\n\n[tool.pytest.ini_options]\naddopts="-q"\n' },
      'pyproject.toml [tool.pytest]',
    ],
    [{ 'setup.cfg': '[tool:pytest]\n' }, 'setup.cfg [tool:pytest]'],
    [{ 'tests/conftest.py': '' }, 'tests/conftest.py'],
    [{ 'requirements-dev.txt': 'black\npytest>=8\n' }, 'pytest in requirements-dev.txt'],
    [{ 'tests/test_a.py': '' }, 'tests/test_*.py files'],
  ])('finds pytest from %j', async (files, reason) => {
    expect(await detectTestFramework(repo(files), 'python')).toEqual({
      framework: 'pytest',
      reason,
      detected: true,
    });
  });

  it('defaults to pytest for Python and says it found nothing', async () => {
    expect(await detectTestFramework(repo({ 'a.py': '' }), 'python')).toMatchObject({
      framework: 'pytest',
      detected: false,
    });
  });

  it.each([
    [{ scripts: { test: 'vitest run' } }, 'vitest', 'the test script runs vitest'],
    [
      { scripts: { test: 'NODE_OPTIONS=--experimental-vm-modules jest' } },
      'jest',
      'the test script runs jest',
    ],
    [{ scripts: { test: 'node --test test/' } }, 'node:test', 'the test script runs node --test'],
    [{ devDependencies: { vitest: '^2' } }, 'vitest', 'vitest is a dependency'],
    [{ devDependencies: { jest: '^30' } }, 'jest', 'jest is a dependency'],
    // the script decides over dependencies
    [{ scripts: { test: 'jest' }, devDependencies: { vitest: '^2' } }, 'jest', 'the test script runs jest'],
  ])('reads package.json %j', async (pkg, framework, reason) => {
    expect(await detectTestFramework(repo({ 'package.json': JSON.stringify(pkg) }), 'javascript')).toEqual({
      framework,
      reason,
      detected: true,
    });
  });

  it('uses config files and falls back to node:test', async () => {
    expect((await detectTestFramework(repo({ 'vitest.config.mjs': '' }), 'javascript')).framework).toBe(
      'vitest',
    );
    expect(
      (await detectTestFramework(repo({ 'jest.config.js': '', 'package.json': '{}' }), 'javascript'))
        .framework,
    ).toBe('jest');
    expect(await detectTestFramework(repo({ 'package.json': '{ broken' }), 'javascript')).toMatchObject({
      framework: 'node:test',
      detected: false,
    });
  });

  it('honours the input, and refuses one that does not fit the language', async () => {
    const root = repo({ 'package.json': '{"devDependencies":{"jest":"1"}}' });
    expect((await detectTestFramework(root, 'javascript', 'vitest')).framework).toBe('vitest');
    await expect(detectTestFramework(root, 'python', 'jest')).rejects.toThrow(/does not fit a python task/);
    await expect(detectTestFramework(root, 'javascript', 'mocha' as never)).rejects.toThrow(/not known/);
  });
});

describe('detectLanguages and module style', () => {
  it('sees Python and JavaScript projects', async () => {
    expect(await detectLanguages(repo({ 'pyproject.toml': '' }))).toEqual(['python']);
    expect((await detectLanguages(repo({ 'package.json': '{}', 'src/a.py': '' }))).sort()).toEqual([
      'javascript',
      'python',
    ]);
  });
  it('reads the module style from the extension and the nearest package.json', async () => {
    const root = repo({ 'package.json': '{"type":"module"}', 'legacy/package.json': '{}' });
    expect(await moduleStyleForPath(root, 'src/a.js')).toBe('esm');
    expect(await moduleStyleForPath(root, 'legacy/a.js')).toBe('commonjs');
    expect(await moduleStyleForPath(root, 'src/a.cjs')).toBe('commonjs');
    expect(await moduleStyleForPath(repo({}), 'a.js')).toBe('commonjs');
    expect(await moduleStyleForPath(repo({}), 'a.mjs')).toBe('esm');
  });
});

describe('chooseTestPath', () => {
  it("follows pytest conventions and never overwrites a person's test file", async () => {
    const root = repo({ 'tests/test_text.py': 'def test_mine(): pass\n' });
    expect(await chooseTestPath(root, { framework: 'pytest', target: 'src/pkg/text.py' })).toEqual({
      path: 'tests/test_text_cosplay.py',
    });
    const ours = repo({ 'tests/test_text.py': `# ${GENERATED_MARKER} for issue #3\n` });
    expect(await chooseTestPath(ours, { framework: 'pytest', target: 'text.py' })).toEqual({
      path: 'tests/test_text.py',
    });
    expect(await chooseTestPath(repo({}), { framework: 'pytest', target: 'my-tool.py' })).toEqual({
      path: 'tests/test_my_tool.py',
    });
    expect(
      await chooseTestPath(repo({ 'test/test_x.py': '' }), { framework: 'pytest', target: 'a.py' }),
    ).toEqual({ path: 'test/test_a.py' });
  });

  it('follows JavaScript conventions, with the extension and module style of the target', async () => {
    const esm = repo({ 'package.json': '{"type":"module"}' });
    expect(await chooseTestPath(esm, { framework: 'node:test', target: 'src/text.js' })).toEqual({
      path: 'test/text.test.js',
      moduleStyle: 'esm',
    });
    expect(await chooseTestPath(esm, { framework: 'node:test', target: 'src/text.cjs' })).toEqual({
      path: 'test/text.test.cjs',
      moduleStyle: 'commonjs',
    });
    // vitest runs test files as ES modules
    expect(await chooseTestPath(esm, { framework: 'vitest', target: 'src/text.cjs' })).toEqual({
      path: 'test/text.test.mjs',
      moduleStyle: 'esm',
    });
    const jest = repo({ '__tests__/text.test.js': 'test("mine", () => {});\n' });
    expect(await chooseTestPath(jest, { framework: 'jest', target: 'lib/text.js' })).toEqual({
      path: '__tests__/text.cosplay.test.js',
      moduleStyle: 'commonjs',
    });
  });

  it('applies allowed-paths to the test file too', async () => {
    await expect(
      chooseTestPath(repo({}), { framework: 'pytest', target: 'src/a.py', allowedPaths: ['src/**'] }),
    ).rejects.toThrow(/allowed-paths/);
  });
});

describe('target context', () => {
  it('lists imports and definitions, and the current definition', async () => {
    const root = repo({
      'src/text.py':
        'import re\nfrom typing import List\n\nMAX = 3\n\n\ndef count_vowels(t):\n    return 0\n\n\ndef other():\n    pass\n',
    });
    const ctx = await readTargetContext(root, 'src/text.py', {
      language: 'python',
      entryPoint: 'count_vowels',
    });
    expect(ctx).toMatchObject({
      exists: true,
      imports: ['import re', 'from typing import List'],
      definitions: ['MAX', 'count_vowels', 'other'],
      currentDefinition: 'def count_vowels(t):\n    return 0',
    });
    const text = promptContext(ctx, { includeCurrent: true });
    expect(text).toContain('existing file src/text.py');
    expect(text).toContain('import re\nfrom typing import List');
    expect(text).toContain('do not redefine them): MAX, other.');
    expect(text).toContain('may be wrong:\ndef count_vowels(t):');
    expect(promptContext(ctx)).not.toContain('may be wrong');
  });

  it('describes a new file', async () => {
    const ctx = await readTargetContext(repo({}), 'lib/new.js', { language: 'javascript', entryPoint: 'f' });
    expect(ctx.exists).toBe(false);
    expect(promptContext(ctx)).toBe('The code goes into a new file, lib/new.js.');
  });

  it('refuses unsafe targets', async () => {
    await expect(readTargetContext(repo({}), '../x.py', { language: 'python' })).rejects.toThrow(/\.\./);
  });
});

describe('chooseTestPath for TypeScript', () => {
  it('puts the test beside the source when the repository does, else in test/, and imports as its sources do', async () => {
    const beside = repo({
      'src/math.ts': "import { one } from './one.js';\nexport const two = one + one;\n",
      'src/one.ts': 'export const one = 1;\n',
      'src/one.spec.ts': "import { one } from './one.js';\n",
    });
    expect(await chooseTestPath(beside, { framework: 'vitest', target: 'src/math.ts' })).toEqual({
      path: 'src/math.spec.ts',
      moduleStyle: 'esm',
      importExtension: '.js',
    });
    const apart = repo({ 'lib/a.mts': "import { b } from './b';\n", 'lib/b.mts': '' });
    expect(await chooseTestPath(apart, { framework: 'jest', target: 'lib/a.mts' })).toEqual({
      path: 'test/a.test.mts',
      moduleStyle: 'esm',
      importExtension: '',
    });
    const withTs = repo({ 'src/c.cts': "import { d } from './d.ts';\n" });
    expect(await chooseTestPath(withTs, { framework: 'node:test', target: 'src/c.cts' })).toMatchObject({
      path: 'test/c.test.cts',
      importExtension: '.ts',
    });
  });
});
