// TypeScript in repository context: the candidate (TypeScript) runs as the real module of a .ts file, every
// TypeScript file it imports is transpiled on load inside the sandbox, and specifiers resolve as TypeScript
// resolves them ('./x.js' for './x.ts', no extension, a directory's index, tsconfig path aliases, a tsconfig that
// extends a package that is not installed), in ES-module and CommonJS projects. Standalone TypeScript (no file
// yet) is transpiled before it runs. Also: the tsconfig reader and the transpiler's location.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CellResult } from '../../src/types.js';
import { createExecutor, type SandboxExecutor } from '../../src/exec/index.js';
import {
  locateTranspiler,
  parseJsonc,
  pathAliases,
  transpileExpression,
  transpileModule,
} from '../../src/exec/typescript.js';

const verdicts = (m: CellResult[][]) => m.map((row) => row.map((c) => c.verdict));

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

let dir: string;
let ex: SandboxExecutor;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cosplay-ts-'));
  ex = await createExecutor({ sandbox: 'bwrap', workers: 2, timeoutMs: 10_000, memoryMb: 256 });
});
afterAll(async () => {
  await ex.close();
  rmSync(dir, { recursive: true, force: true });
});

// What Node's own type stripping rejects or does not resolve: parameter properties, enums, './x.js' for x.ts.
const SHAPES = [
  "import { clamp } from './util.js';",
  "import type { Unit } from './types.js';",
  'export enum Kind { Square = "square", Circle = "circle" }',
  'export class Shape {',
  '  constructor(private readonly kind: Kind, public size: number) {}',
  '  /** The area, clamped to [0, 100]. */',
  '  area(unit: Unit = "cm"): number {',
  '    const a = this.kind === Kind.Square ? this.size * this.size : Math.round(Math.PI * this.size * this.size);',
  '    return clamp(a, 0, 100);',
  '  }',
  '}',
  'function secret(n: number): number { return n * 2; }',
  '',
].join('\n');

describe('typescript in repository context', () => {
  it('ES modules: ./x.js imports of .ts siblings, parameter properties, enums, unexported names', async () => {
    const root = path.join(dir, 'esm');
    writeTree(root, {
      'package.json': '{"type": "module"}',
      'tsconfig.json':
        '// comments and trailing commas, and a base config that is not installed\n{ "extends": "@tsconfig/node20/tsconfig.json", "compilerOptions": { "strict": true, }, }',
      'src/util.ts':
        'export function clamp(x: number, lo: number, hi: number): number { return Math.min(hi, Math.max(lo, x)); }\n',
      'src/types.ts': "export type Unit = 'cm' | 'in';\n",
      'src/shapes.ts': SHAPES,
    });
    const wrong = SHAPES.replace('this.size * this.size :', 'this.size * 2 :');
    const m = await ex.run({
      language: 'typescript',
      kind: 'function',
      codes: [SHAPES, wrong],
      tests: [
        { call: 'new Shape(Kind.Square, 3).area()', expected: '9' },
        { call: 'new Shape(Kind.Square, 30).area("in" as Unit)', expected: '100' },
        { call: 'secret(<number>4)', expected: '8' },
      ],
      repo: { root, path: 'src/shapes.ts' },
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass'],
      ['fail', 'fail', 'pass'],
    ]);
  });

  it('CommonJS: extensionless imports, directory index, path aliases, installed packages, require', async () => {
    const root = path.join(dir, 'cjs');
    const code = [
      "import { twice } from './lib';",
      "import { inc } from '@app/math/inc';",
      "import * as left from 'leftpad-fake';",
      "import fs = require('fs');",
      'export function run(n: number): string { return left.pad(String(inc(twice(n))), 4) + (typeof fs.readFileSync); }',
      '',
    ].join('\n');
    writeTree(root, {
      'package.json': '{"name": "app"}',
      'tsconfig.json': '{ "extends": "./tsconfig.base.json" }',
      'tsconfig.base.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/*"] } } }',
      'src/lib/index.ts': 'export const twice = (n: number): number => n * 2;\n',
      'src/math/inc.ts': 'export function inc(n: number) { return n + 1; }\n',
      'node_modules/leftpad-fake/package.json': '{"name": "leftpad-fake", "main": "index.js"}',
      'node_modules/leftpad-fake/index.js':
        "exports.pad = (s, n) => s.length >= n ? s : '0'.repeat(n - s.length) + s;\n",
      'src/main.ts': code,
    });
    const m = await ex.run({
      language: 'typescript',
      kind: 'function',
      codes: [code],
      tests: [{ call: 'run(4)', expected: '"0009function"' }],
      repo: { root, path: 'src/main.ts' },
    });
    expect(m[0]![0]!.error).toBeUndefined();
    expect(verdicts(m)).toEqual([['pass']]);
  });

  it('reports a module that cannot load (a missing sibling) with the resolver error', async () => {
    const root = path.join(dir, 'broken');
    const code = "import { nope } from './missing.js';\nexport function f(): number { return nope; }\n";
    writeTree(root, { 'package.json': '{"type": "module"}', 'src/f.ts': code });
    const m = await ex.run({
      language: 'typescript',
      kind: 'function',
      codes: [code],
      tests: [{ call: 'f()', expected: '1' }],
      repo: { root, path: 'src/f.ts' },
    });
    expect(m[0]![0]!.verdict).toBe('error');
    expect(m[0]![0]!.error).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
  });

  it('standalone TypeScript (no file yet) is transpiled before it runs', async () => {
    const m = await ex.run({
      language: 'typescript',
      kind: 'function',
      codes: ['export function add(a: number, b: number): number { return a + b; }\n'],
      tests: [{ call: 'add(2 as number, 3)', expected: '5' }],
    });
    expect(verdicts(m)).toEqual([['pass']]);
  });
});

describe('the transpiler and tsconfig', () => {
  it('is found (the sucrase package in development, dist/ts-transpile.cjs in the bundle)', () => {
    const where = locateTranspiler();
    expect(where).not.toBeNull();
    expect(transpileModule('export const x: number = 1;', 'esm').trim()).toBe('export const x = 1;');
    expect(transpileModule('export const x: number = 1;', 'commonjs')).toMatch(/exports\.x = x/);
    expect(transpileExpression('f([1, 2] as number[])').replace(/\s+/g, '')).toBe('(f([1,2]))');
  });

  it('reads JSON with comments and follows extends to the path aliases', () => {
    expect(parseJsonc('{ // c\n "a": "//x", /* b */ "b": [1, 2,], }')).toEqual({ a: '//x', b: [1, 2] });
    const root = path.join(dir, 'aliases');
    writeTree(root, {
      'tsconfig.json': '{ "extends": ["./base.json", "not-installed/tsconfig"] }',
      'base.json': '{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }',
      'src/a.ts': '',
    });
    expect(pathAliases(root, path.join(root, 'src/a.ts'))).toEqual([
      { pattern: '~/*', targets: [path.join(root, 'src/*')] },
    ]);
  });
});
