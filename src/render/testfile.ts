// The kept unit tests as an ordinary test file of the repository's framework: pytest for Python; node:test,
// jest or vitest for JavaScript. Function tests assert that the call equals the expected value (float
// literals compared approximately); stdio tests run the program on the input and compare its output, line
// by line, ignoring trailing white space.
import path from 'node:path';
import type { FunctionTest, Language, StdioTest, Task, UnitTest } from '../types.js';
import { CODE, lex } from '../repo/lex.js';
import type { TestFramework } from '../repo/detect.js';
import { GENERATED_MARKER } from '../repo/layout.js';
import type { ModuleStyle } from '../repo/detect.js';
import type { KeptTest } from './types.js';

export interface TestFileOptions {
  framework: TestFramework;
  task: Pick<Task, 'id' | 'language' | 'kind' | 'entryPoint'>;
  tests: Array<KeptTest | UnitTest>;
  /** |C|, to show each test's support as pUT/|C|. */
  codeCount?: number;
  /** Repository-relative paths. */
  targetPath: string;
  testPath: string;
  /** JavaScript: module style of the test file (default: esm for vitest, else commonjs). */
  moduleStyle?: ModuleStyle;
  /** TypeScript: the extension the test's import of the target says ('' for none; default '.js'). */
  importExtension?: '' | '.js' | '.ts';
  /** Seconds a stdio run may take (default 10). */
  timeoutSeconds?: number;
}

export interface RenderedTestFile {
  content: string;
  /** How many tests are in it; tests without an expected value are left out. */
  count: number;
  skipped: number;
}

function isKept(t: KeptTest | UnitTest): t is KeptTest {
  return typeof (t as KeptTest).test === 'object' && (t as KeptTest).test !== null;
}

export function renderTestFile(options: TestFileOptions): RenderedTestFile {
  const { framework, task } = options;
  if ((framework === 'pytest') !== (task.language === 'python')) {
    throw new Error(`Framework ${framework} does not fit a ${task.language} task`);
  }
  if (task.kind === 'function' && !task.entryPoint)
    throw new Error('A function task needs an entry point to test');
  const all = options.tests.map((t) => (isKept(t) ? t : { test: t, pUT: NaN }));
  const usable = all.filter(
    (k) => k.test.expected !== undefined && (task.kind === 'stdio' ? 'input' in k.test : 'call' in k.test),
  );
  const support = (k: { pUT: number }) =>
    Number.isFinite(k.pUT) && options.codeCount ? `support ${k.pUT}/${options.codeCount}` : '';
  const cases = usable.map((k) => ({ test: k.test, note: support(k) }));
  const header = [
    `${GENERATED_MARKER} for ${task.id}.`,
    'Unit tests that the candidate programs agreed on (support = how many of the candidates passed each).',
    'Review them like any other change before merging.',
  ];
  const content =
    framework === 'pytest'
      ? renderPytest(options, cases, header)
      : renderJavaScript(
          options,
          cases,
          header,
          options.moduleStyle ?? (framework === 'vitest' ? 'esm' : 'commonjs'),
        );
  return { content, count: cases.length, skipped: all.length - cases.length };
}

type Case = { test: UnitTest; note: string };

// ---------------------------------------------------------------------------------------------------------
// Literals and float handling

/** A Python string literal for any text. */
export function pyString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0x2028 && cp <= 0x2029))
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + "'";
}

/** A JavaScript string literal for any text. */
export function jsString(s: string): string {
  return JSON.stringify(s);
}

const FLOAT = /(?<![\w.$])(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.$])/g;

/**
 * Wraps every float literal in code (not in strings) with `wrap`, a leading unary minus included.
 * Returns the new expression and whether anything was wrapped.
 */
export function wrapFloatLiterals(
  expr: string,
  language: Language,
  wrap: (literal: string) => string,
): { text: string; changed: boolean } {
  const { classes } = lex(expr, language);
  let out = '';
  let pos = 0;
  let changed = false;
  FLOAT.lastIndex = 0;
  for (let m = FLOAT.exec(expr); m; m = FLOAT.exec(expr)) {
    if (classes[m.index] !== CODE) continue;
    let start = m.index;
    // A unary minus belongs to the literal: after start, `(`, `[`, `{`, `,`, `:`, `=`.
    let k = start - 1;
    while (k >= 0 && expr[k] === ' ') k--;
    if (k >= 0 && expr[k] === '-') {
      let j = k - 1;
      while (j >= 0 && expr[j] === ' ') j--;
      if (j < 0 || '([{,:='.includes(expr[j]!)) start = k;
    }
    out += expr.slice(pos, start) + wrap(expr.slice(start, m.index + m[0].length).replace(/\s+/g, ''));
    pos = m.index + m[0].length;
    changed = true;
  }
  return { text: out + expr.slice(pos), changed };
}

function oneLine(s: string, max = 70): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

function relImport(fromFile: string, toFile: string): string {
  const rel = path.posix.relative(path.posix.dirname(fromFile), toFile);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

// ---------------------------------------------------------------------------------------------------------
// pytest

/** Python expression for the repository root, seen from the test file (parents[0] is the file's folder). */
function repoRootExpr(testPath: string): string {
  const depth = testPath.split('/').length - 1;
  return `pathlib.Path(__file__).resolve().parents[${depth}]`;
}

function pythonImport(targetPath: string, testPath: string, entry: string | undefined): string[] {
  const root = repoRootExpr(testPath);
  const segments = targetPath.replace(/\.py$/, '').split('/');
  const identifiers = segments.every((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s));
  if (!entry) return [];
  if (identifiers) {
    const srcLayout = segments.length > 1 && segments[0] === 'src';
    const modulePath = (srcLayout ? segments.slice(1) : segments).join('.');
    const base = srcLayout ? `${root} / "src"` : root;
    return [
      `_IMPORT_ROOT = str(${base})`,
      'if _IMPORT_ROOT not in sys.path:',
      '    sys.path.insert(0, _IMPORT_ROOT)',
      '',
      `from ${modulePath} import ${entry}  # noqa: E402`,
    ];
  }
  // The file name is not an importable module name: load it from its path.
  const parts = targetPath.split('/').map((s) => pyString(s));
  const modName = segments[segments.length - 1]!.replace(/[^A-Za-z0-9_]/g, '_');
  return [
    `_spec = importlib.util.spec_from_file_location(${pyString(modName)}, ${root}.joinpath(${parts.join(', ')}))`,
    '_module = importlib.util.module_from_spec(_spec)',
    '_spec.loader.exec_module(_module)',
    `${entry} = _module.${entry}`,
  ];
}

function renderPytest(options: TestFileOptions, cases: Case[], header: string[]): string {
  const { task } = options;
  const entry = task.entryPoint;
  const out: string[] = header.map((h) => `# ${h}`);
  const importable =
    task.kind === 'function' &&
    options.targetPath
      .replace(/\.py$/, '')
      .split('/')
      .every((s) => /^[A-Za-z_]\w*$/.test(s));
  const body: string[] = [];
  let usesApprox = false;
  let usesMath = false;
  cases.forEach((c, i) => {
    const name = `test_${(entry ?? 'program').replace(/[^A-Za-z0-9_]/g, '_')}_${i + 1}`;
    body.push('', '', `def ${name}():`);
    if (c.note) body.push(`    # ${c.note}`);
    if (task.kind === 'function') {
      const t = c.test as FunctionTest;
      const exp = wrapFloatLiterals(t.expected!, 'python', (lit) => `pytest.approx(${lit})`);
      usesApprox ||= exp.changed;
      if (/\bmath\./.test(t.call + t.expected)) usesMath = true;
      const assertion = `    assert ${t.call.trim()} == ${exp.text.trim()}`;
      body.push(...assertion.split('\n').map((l, k) => (k === 0 ? l : `    ${l}`)));
    } else {
      const t = c.test as StdioTest;
      body.push(`    assert _lines(_run(${pyString(t.input)})) == _lines(${pyString(t.expected!)})`);
    }
  });
  const imports = new Set<string>();
  if (task.kind === 'stdio' || importable) imports.add('import pathlib');
  if (task.kind === 'stdio') imports.add('import subprocess');
  if (task.kind === 'stdio' || importable) imports.add('import sys');
  if (task.kind === 'function' && !importable) {
    imports.add('import importlib.util');
    imports.add('import pathlib');
  }
  if (usesMath) imports.add('import math');
  out.push(...[...imports].sort());
  if (usesApprox) out.push('', 'import pytest');
  out.push('');
  if (task.kind === 'function') {
    out.push(...pythonImport(options.targetPath, options.testPath, entry));
  } else {
    const root = repoRootExpr(options.testPath);
    const timeout = options.timeoutSeconds ?? 10;
    out.push(
      `PROGRAM = ${root}.joinpath(${options.targetPath
        .split('/')
        .map((s) => pyString(s))
        .join(', ')})`,
      '',
      '',
      'def _run(stdin):',
      `    result = subprocess.run([sys.executable, str(PROGRAM)], input=stdin, capture_output=True, text=True, timeout=${timeout})`,
      '    assert result.returncode == 0, result.stderr',
      '    return result.stdout',
      '',
      '',
      'def _lines(text):',
      '    return [line.rstrip() for line in text.rstrip().splitlines()]',
    );
  }
  out.push(...body);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// node:test, jest, vitest

const ASSERT_CLOSE = [
  'function assertClose(actual, expected, where = "value") {',
  '  if (typeof expected === "number" && typeof actual === "number") {',
  '    const ok = Object.is(actual, expected) || Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected));',
  '    assert.ok(ok, `${where}: ${actual} is not close to ${expected}`);',
  '  } else if (Array.isArray(expected)) {',
  '    assert.ok(Array.isArray(actual), `${where}: expected an array`);',
  '    assert.equal(actual.length, expected.length, `${where}: length`);',
  '    expected.forEach((e, i) => assertClose(actual[i], e, `${where}[${i}]`));',
  '  } else if (expected !== null && typeof expected === "object") {',
  '    assert.deepStrictEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);',
  '    for (const k of Object.keys(expected)) assertClose(actual[k], expected[k], `${where}.${k}`);',
  '  } else {',
  '    assert.deepStrictEqual(actual, expected, where);',
  '  }',
  '}',
];

/** The node:test float helper with types (a TypeScript test file compiles under `strict`). */
function typedAssertClose(): string[] {
  return ASSERT_CLOSE.map((l) =>
    l
      .replace(
        'function assertClose(actual, expected, where = "value") {',
        'function assertClose(actual: any, expected: any, where = "value"): void {',
      )
      .replace('expected.forEach((e, i) =>', 'expected.forEach((e: unknown, i: number) =>'),
  );
}

function renderJavaScript(
  options: TestFileOptions,
  cases: Case[],
  header: string[],
  style: ModuleStyle,
): string {
  const { framework, task } = options;
  const ts = task.language === 'typescript';
  const esm = style === 'esm' || ts;
  const out: string[] = header.map((h) => `// ${h}`);
  const rel = ts
    ? relImport(options.testPath, options.targetPath).replace(
        /\.(m|c)?tsx?$/,
        (_m, mc: string | undefined) => {
          const ext = options.importExtension ?? '.js';
          return ext === '' ? '' : ext === '.ts' ? `.${mc ?? ''}ts` : `.${mc ?? ''}js`;
        },
      )
    : relImport(options.testPath, options.targetPath);
  const entry = task.entryPoint!;
  const anyFloat =
    task.kind === 'function' &&
    cases.some((c) => wrapFloatLiterals((c.test as FunctionTest).expected!, 'javascript', (x) => x).changed);

  // imports
  if (framework === 'node:test') {
    out.push(esm ? "import { test } from 'node:test';" : "const { test } = require('node:test');");
    out.push(
      ts
        ? "import { strict as assert } from 'node:assert';"
        : esm
          ? "import assert from 'node:assert/strict';"
          : "const assert = require('node:assert/strict');",
    );
  } else if (framework === 'vitest') {
    out.push("import { expect, test } from 'vitest';");
  }
  if (task.kind === 'stdio') {
    out.push(
      esm
        ? "import { spawnSync } from 'node:child_process';"
        : "const { spawnSync } = require('node:child_process');",
    );
    if (esm) out.push("import { fileURLToPath } from 'node:url';");
    else out.push("const path = require('node:path');");
  } else {
    out.push(
      esm ? `import { ${entry} } from ${jsString(rel)};` : `const { ${entry} } = require(${jsString(rel)});`,
    );
  }
  out.push('');
  if (task.kind === 'stdio') {
    const timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
    out.push(
      esm
        ? `const PROGRAM = fileURLToPath(new URL(${jsString(rel)}, import.meta.url));`
        : `const PROGRAM = path.join(__dirname, ${jsString(rel)});`,
      '',
      'function run(input) {',
      `  const result = spawnSync(process.execPath, [PROGRAM], { input, encoding: 'utf8', timeout: ${timeoutMs} });`,
      framework === 'node:test'
        ? '  assert.equal(result.status, 0, result.stderr);'
        : '  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`);',
      '  return result.stdout;',
      '}',
      '',
      'const lines = (text) => text.trimEnd().split(/\\r?\\n/).map((line) => line.trimEnd());',
      '',
    );
  } else if (anyFloat && framework === 'node:test') {
    out.push(...(ts ? typedAssertClose() : ASSERT_CLOSE), '');
  }

  cases.forEach((c, i) => {
    const title = jsString(
      `${task.kind === 'function' ? oneLine((c.test as FunctionTest).call, 60) : `example ${i + 1}`}${c.note ? ` (${c.note})` : ''}`,
    );
    if (task.kind === 'function') {
      const t = c.test as FunctionTest;
      const call = t.call.trim();
      const expected = t.expected!.trim();
      if (framework === 'node:test') {
        const hasFloat = wrapFloatLiterals(expected, 'javascript', (x) => x).changed;
        out.push(
          `test(${title}, async () => {`,
          hasFloat
            ? `  assertClose(await ${call}, ${expected});`
            : `  assert.deepStrictEqual(await ${call}, ${expected});`,
          '});',
          '',
        );
      } else {
        const exp = wrapFloatLiterals(expected, 'javascript', (lit) => `expect.closeTo(${lit}, 6)`);
        out.push(`test(${title}, async () => {`, `  expect(await ${call}).toEqual(${exp.text});`, '});', '');
      }
    } else {
      const t = c.test as StdioTest;
      const assertion =
        framework === 'node:test'
          ? `  assert.deepStrictEqual(lines(run(${jsString(t.input)})), lines(${jsString(t.expected!)}));`
          : `  expect(lines(run(${jsString(t.input)}))).toEqual(lines(${jsString(t.expected!)}));`;
      out.push(`test(${title}, () => {`, assertion, '});', '');
    }
  });
  while (out[out.length - 1] === '') out.pop();
  const text = out.join('\n') + '\n';
  return ts
    ? text
        .replace('function run(input) {', 'function run(input: string): string {')
        .replace('const lines = (text) =>', 'const lines = (text: string) =>')
    : text;
}
