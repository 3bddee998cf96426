// End to end on real TypeScript: `cosplay solve` (scripted LLM server, real sandbox, the transpiler inside it)
// writes a NEW typed function into an existing module of a package that publishes its .ts sources, with a typed
// test file: zod 4's src/v4/core/errors.ts (an ES-module project whose imports say './x.js') gains
// `issuePaths`, built on the module's toDotPath; rxjs 7's src/internal/util/isPromise.ts (CommonJS, extensionless
// imports) gains `countThenables`, built on isPromise (which uses the sibling ./isFunction). The candidates run as
// the real module; the reference answers come from the packages' compiled JavaScript. The rxjs test file is run
// with node:test (through sucrase's require hook, as a TypeScript project's test command would).
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSolveCommand } from '../../../src/commands/solve.js';
import { copyInto, gitRepo, jsModuleValues, npmPackage } from '../../support/real-code.js';
import { callsWorld, useLocalLlm, worldScript, type TempRepo } from '../world.js';

const llm = useLocalLlm();

async function solve(work: string, task: string) {
  const file = path.join(work, '..', 'TASK.md');
  writeFileSync(file, task);
  const { flags, io } = await llm.local();
  return runSolveCommand(file, { ...flags, repo: work, codes: '4', tests: '5' }, io);
}

/**
 * A repository holding the npm package `spec` in `dir`, with the LLM server scripted to offer `candidates` for
 * `calls`. The right answer of each call is computed by the package's compiled module (`compiled`, relative to
 * the work tree, exporting `names`), with the call rewritten by `reference` into an expression on those names.
 */
function packageWorld(o: {
  spec: string;
  dir: string;
  compiled: string;
  names: string[];
  calls: string[];
  reference: (call: string) => string;
  candidates: string[];
}): TempRepo {
  const pkg = npmPackage(o.spec);
  let expected = new Map<string, string>();
  const repo = gitRepo((work) => {
    copyInto(pkg, work, o.dir);
    const values = jsModuleValues(path.join(work, o.compiled), o.names, o.calls.map(o.reference));
    expected = new Map(o.calls.map((c) => [c, values.get(o.reference(c))!]));
  });
  llm.server.setScript(worldScript(callsWorld('typescript', o.candidates, o.calls, 4, expected)));
  return repo;
}

describe('solve into zod/src/v4/core/errors.ts (ES modules, ./x.js imports)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'issuePaths([{ path: ["a", 0] }, { path: ["b"] }, { path: ["a", 0] }])',
    'issuePaths([])',
    'issuePaths([{ path: [] }, { path: ["x y"] }])',
    'issuePaths([{ path: [1, "k"] }, { path: [1, "k"] }, { path: ["k"] }])',
    'issuePaths([{ path: ["$a", "b-c"] }])',
    'issuePaths([{ path: ["z"] }, { path: ["y"] }, { path: ["z"] }, { path: ["y"] }])',
  ];
  const RIGHT = [
    '/** The dot paths of the issues (toDotPath of each path), in order, each once. */',
    'export function issuePaths(issues: readonly { path: PropertyKey[] }[]): string[] {',
    '  const out: string[] = [];',
    '  for (const issue of issues) {',
    '    const p: string = toDotPath(issue.path);',
    '    if (!out.includes(p)) out.push(p);',
    '  }',
    '  return out;',
    '}',
    '',
  ].join('\n');

  it('writes a typed function built on the module, and a typed test file that imports it as ./x.js', async () => {
    repo = packageWorld({
      spec: 'zod@4.6.7',
      dir: 'zod',
      compiled: 'zod/v4/core/errors.js',
      names: ['toDotPath'],
      calls,
      reference: (c) =>
        c.replace(/^issuePaths\(/, '((issues) => [...new Set(issues.map((i) => toDotPath(i.path)))])('),
      candidates: [
        RIGHT,
        // Keeps the duplicates.
        'export function issuePaths(issues: readonly { path: PropertyKey[] }[]): string[] {\n  return issues.map((i) => toDotPath(i.path));\n}\n',
        RIGHT.replace('if (!out.includes(p)) out.push(p);', 'if (out.indexOf(p) === -1) out.push(p);'),
        // Joins with dots, not toDotPath.
        'export function issuePaths(issues: readonly { path: PropertyKey[] }[]): string[] {\n  return [...new Set(issues.map((i) => i.path.map(String).join(".")))];\n}\n',
      ],
    });
    const r = await solve(
      repo.work,
      [
        '```yaml',
        'language: typescript',
        'kind: function',
        'target: zod/src/v4/core/errors.ts',
        'signature: "export function issuePaths(issues: readonly { path: PropertyKey[] }[]): string[]"',
        "description: The dot paths of the issues (the module's toDotPath of each issue's path), in order, each path once.",
        'examples: |',
        '  issuePaths([{ path: ["a"] }]) == ["a"]',
        '```',
        '',
      ].join('\n'),
    );
    expect(r.verdict).toBe('selected');
    const errors = readFileSync(path.join(repo.work, 'zod/src/v4/core/errors.ts'), 'utf8');
    expect(errors).toContain(
      'export function issuePaths(issues: readonly { path: PropertyKey[] }[]): string[] {',
    );
    expect(errors).toContain('export function toDotPath('); // the rest of the module is still there
    expect(r.solution.testPath).toBe('test/errors.test.ts');
    const test = readFileSync(path.join(repo.work, r.solution.testPath!), 'utf8');
    expect(test).toContain('import { issuePaths } from "../zod/src/v4/core/errors.js";');
    expect(test).toContain("import { strict as assert } from 'node:assert';");
    expect(test).toContain('assert.deepStrictEqual(await issuePaths([]), []);');
  });
});

describe('solve into rxjs/src/internal/util/isPromise.ts (CommonJS, extensionless imports)', () => {
  let repo: TempRepo;
  afterAll(() => repo?.cleanup());
  const calls = [
    'countThenables([Promise.resolve(1), 2, { then: () => 0 }])',
    'countThenables([])',
    'countThenables([null, undefined, { then: 1 }])',
    'countThenables([{ then() {} }, { then() {} }])',
    'countThenables(["then", 0, false])',
    'countThenables([Promise.reject(new Error("x")).catch(() => 0)])',
  ];
  const RIGHT = [
    '/** How many of the values are thenables (isPromise). */',
    'export function countThenables(values: readonly unknown[]): number {',
    '  return values.filter((v) => isPromise(v)).length;',
    '}',
    '',
  ].join('\n');

  it('writes a typed function that runs with the sibling import, and its test file passes under node:test', async () => {
    repo = packageWorld({
      spec: 'rxjs@7.8.2',
      dir: 'rxjs',
      compiled: 'rxjs/dist/cjs/internal/util/isPromise.js',
      names: ['isPromise'],
      calls,
      reference: (c) => c.replace(/^countThenables\(/, '((vs) => vs.filter(isPromise).length)('),
      candidates: [
        RIGHT,
        // Only native promises.
        'export function countThenables(values: readonly unknown[]): number {\n  return values.filter((v) => v instanceof Promise).length;\n}\n',
        RIGHT.replace(
          'values.filter((v) => isPromise(v)).length',
          'values.reduce((n: number, v) => n + (isPromise(v) ? 1 : 0), 0)',
        ),
        // Any value with a `then`.
        'export function countThenables(values: readonly unknown[]): number {\n  return values.filter((v: any) => v != null && v.then !== undefined).length;\n}\n',
      ],
    });
    const r = await solve(
      repo.work,
      [
        '```yaml',
        'language: typescript',
        'kind: function',
        'target: rxjs/src/internal/util/isPromise.ts',
        'signature: "export function countThenables(values: readonly unknown[]): number"',
        "description: How many of the values are thenables, as the module's isPromise tells.",
        'examples: |',
        '  countThenables([1]) === 0',
        '```',
        '',
      ].join('\n'),
    );
    expect(r.verdict).toBe('selected');
    const file = readFileSync(path.join(repo.work, 'rxjs/src/internal/util/isPromise.ts'), 'utf8');
    expect(file).toContain('export function countThenables(values: readonly unknown[]): number {');
    expect(file).toContain('export function isPromise(');
    expect(r.solution.testPath).toBe('test/isPromise.test.ts');
    const test = readFileSync(path.join(repo.work, r.solution.testPath!), 'utf8');
    expect(test).toContain('import { countThenables } from "../rxjs/src/internal/util/isPromise";');
    // The repository's test command for TypeScript under node:test: a require hook that compiles .ts.
    const hook = path.join(
      path.dirname(createRequire(import.meta.url).resolve('sucrase')),
      '..',
      'register',
      'ts.js',
    );
    const run = spawnSync(
      process.execPath,
      ['--require', hook, '--test', '--test-reporter=tap', r.solution.testPath!],
      {
        cwd: repo.work,
        encoding: 'utf8',
      },
    );
    expect(run.stdout + run.stderr).toMatch(/# pass [1-9]/);
    expect(run.status).toBe(0);
  });
});
