// What the repository uses: its languages, its test framework (pytest; node:test, jest or vitest from
// package.json), its JavaScript module style and test folders. Reads files only; never runs anything.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Language } from '../types.js';
import { UserError } from '../types.js';

export type TestFramework = 'pytest' | 'node:test' | 'jest' | 'vitest';
export const TEST_FRAMEWORKS: readonly TestFramework[] = ['pytest', 'node:test', 'jest', 'vitest'];

export interface FrameworkChoice {
  framework: TestFramework;
  /** Why: the file or setting that decided, or that nothing did and this is the default. */
  reason: string;
  /** False when nothing in the repository pointed at a framework. */
  detected: boolean;
}

export interface PackageJson {
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  jest?: unknown;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export async function readPackageJson(root: string): Promise<PackageJson | null> {
  const text = await readText(path.join(root, 'package.json'));
  if (text === null) return null;
  try {
    const data = JSON.parse(text) as unknown;
    return data && typeof data === 'object' ? (data as PackageJson) : null;
  } catch {
    return null; // a broken package.json is the repository's business; treat it as absent
  }
}

/** Evidence that the repository runs pytest, or null. */
export async function pytestEvidence(root: string): Promise<string | null> {
  if (await exists(path.join(root, 'pytest.ini'))) return 'pytest.ini';
  const pyproject = await readText(path.join(root, 'pyproject.toml'));
  if (pyproject && /^\s*\[tool\.pytest(\.ini_options)?\]/m.test(pyproject))
    return 'pyproject.toml [tool.pytest]';
  const setupCfg = await readText(path.join(root, 'setup.cfg'));
  if (setupCfg && /^\s*\[tool:pytest\]/m.test(setupCfg)) return 'setup.cfg [tool:pytest]';
  const tox = await readText(path.join(root, 'tox.ini'));
  if (tox && /^\s*\[pytest\]/m.test(tox)) return 'tox.ini [pytest]';
  for (const c of ['conftest.py', 'tests/conftest.py', 'test/conftest.py'])
    if (await exists(path.join(root, c))) return c;
  if (pyproject && /["']pytest\b/.test(pyproject)) return 'pytest in pyproject.toml dependencies';
  for (const r of [
    'requirements-dev.txt',
    'requirements_dev.txt',
    'dev-requirements.txt',
    'requirements-test.txt',
    'requirements.txt',
  ]) {
    const t = await readText(path.join(root, r));
    if (t && /^\s*pytest\b/im.test(t)) return `pytest in ${r}`;
  }
  for (const dir of ['tests', 'test']) {
    const names = await readdir(path.join(root, dir)).catch(() => [] as string[]);
    if (names.some((n) => /^test_.*\.py$|_test\.py$/.test(n))) return `${dir}/test_*.py files`;
  }
  return null;
}

/** The JavaScript test framework package.json points at, or null. */
export function jsFrameworkFromPackage(pkg: PackageJson): FrameworkChoice | null {
  const script = pkg.scripts?.test ?? '';
  // What `npm test` actually runs decides first.
  if (/\bvitest\b/.test(script))
    return { framework: 'vitest', reason: 'the test script runs vitest', detected: true };
  if (/\bjest\b/.test(script))
    return { framework: 'jest', reason: 'the test script runs jest', detected: true };
  if (/\bnode\b[^&|;]*\s--test\b/.test(script))
    return { framework: 'node:test', reason: 'the test script runs node --test', detected: true };
  const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
  if ('vitest' in deps) return { framework: 'vitest', reason: 'vitest is a dependency', detected: true };
  if (
    'jest' in deps ||
    '@jest/globals' in deps ||
    'ts-jest' in deps ||
    'babel-jest' in deps ||
    pkg.jest !== undefined
  )
    return { framework: 'jest', reason: 'jest is a dependency', detected: true };
  return null;
}

/**
 * The framework for the written test file. `preferred` (the test-framework input) wins unless it is `auto`;
 * it must fit the language.
 */
export async function detectTestFramework(
  root: string,
  language: Language,
  preferred: TestFramework | 'auto' = 'auto',
): Promise<FrameworkChoice> {
  if (preferred !== 'auto') {
    const fits = language === 'python' ? preferred === 'pytest' : preferred !== 'pytest';
    if (!TEST_FRAMEWORKS.includes(preferred)) {
      throw new UserError(
        `test-framework ${JSON.stringify(preferred)} is not known: use auto, pytest, node:test, jest or vitest.`,
      );
    }
    if (!fits) {
      throw new UserError(
        `test-framework ${preferred} does not fit a ${language} task: use ${language === 'python' ? 'pytest' : 'node:test, jest or vitest'}, or auto.`,
      );
    }
    return { framework: preferred, reason: 'set by the test-framework input', detected: true };
  }
  if (language === 'python') {
    const evidence = await pytestEvidence(root);
    return evidence
      ? { framework: 'pytest', reason: evidence, detected: true }
      : {
          framework: 'pytest',
          reason: 'no Python test set-up found; pytest is the default',
          detected: false,
        };
  }
  for (const c of ['vitest.config.ts', 'vitest.config.js', 'vitest.config.mjs', 'vitest.config.mts'])
    if (await exists(path.join(root, c))) return { framework: 'vitest', reason: c, detected: true };
  const pkg = await readPackageJson(root);
  const fromPkg = pkg ? jsFrameworkFromPackage(pkg) : null;
  if (fromPkg) return fromPkg;
  for (const c of [
    'jest.config.js',
    'jest.config.cjs',
    'jest.config.mjs',
    'jest.config.ts',
    'jest.config.json',
  ])
    if (await exists(path.join(root, c))) return { framework: 'jest', reason: c, detected: true };
  return {
    framework: 'node:test',
    reason: 'no JavaScript test framework found; node:test needs nothing installed',
    detected: false,
  };
}

/** Languages the repository shows signs of (package.json / Python project files / source files at the top). */
export async function detectLanguages(root: string): Promise<Language[]> {
  const found = new Set<Language>();
  for (const f of ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile'])
    if (await exists(path.join(root, f))) found.add('python');
  if (await exists(path.join(root, 'package.json'))) found.add('javascript');
  for (const dir of ['', 'src', 'lib']) {
    const names = await readdir(path.join(root, dir)).catch(() => [] as string[]);
    if (names.some((n) => n.endsWith('.py'))) found.add('python');
    if (names.some((n) => /\.(m|c)?js$/.test(n))) found.add('javascript');
  }
  return [...found];
}

/** How a JavaScript file imports and exports: ES modules or CommonJS. */
export type ModuleStyle = 'esm' | 'commonjs';

/**
 * The module style of a JavaScript file at `target` (repository-relative): `.mjs` ESM, `.cjs` CommonJS,
 * `.js` per the nearest package.json's `type` (default CommonJS, as in Node).
 */
export async function moduleStyleForPath(root: string, target: string): Promise<ModuleStyle> {
  if (target.endsWith('.mjs')) return 'esm';
  if (target.endsWith('.cjs')) return 'commonjs';
  let dir = path.dirname(path.join(root, target));
  const top = path.resolve(root);
  for (;;) {
    const text = await readText(path.join(dir, 'package.json'));
    if (text !== null) {
      try {
        return (JSON.parse(text) as PackageJson).type === 'module' ? 'esm' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.resolve(dir) === top) return 'commonjs';
    const parent = path.dirname(dir);
    if (parent === dir) return 'commonjs';
    dir = parent;
  }
}
