// Repository context: a candidate runs as the real module of a repository file (its siblings, its package, the
// installed dependencies), swapped in only inside the sandbox, with a fresh process state per test; the sandbox
// shows the repository read-only, without .git and secret files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CellResult } from '../../src/types.js';
import { createExecutor, type SandboxExecutor } from '../../src/exec/index.js';
import { pythonModuleOf, jsFormatOf } from '../../src/exec/repo.js';

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
  dir = mkdtempSync(path.join(tmpdir(), 'cosplay-repo-ctx-'));
  ex = await createExecutor({ sandbox: 'bwrap', workers: 2, timeoutMs: 5000, memoryMb: 256 });
});
afterAll(async () => {
  await ex.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('module names', () => {
  it('follows the __init__.py chain, the src layout and script directories', () => {
    const root = path.join(dir, 'names');
    writeTree(root, {
      'src/pkg/__init__.py': '',
      'src/pkg/sub/__init__.py': '',
      'src/pkg/sub/mod.py': '',
      'flat/__init__.py': '',
      'flat/m.py': '',
      'scripts/tool.py': '',
      'top.py': '',
      'js/package.json': '{"type": "module"}',
      'js/a.js': '',
      'cjs/a.js': '',
    });
    expect(pythonModuleOf(root, 'src/pkg/sub/mod.py')).toEqual({
      module: 'pkg.sub.mod',
      importRoot: path.join(root, 'src'),
      isPackage: false,
    });
    expect(pythonModuleOf(root, 'src/pkg/__init__.py')).toMatchObject({ module: 'pkg', isPackage: true });
    expect(pythonModuleOf(root, 'flat/m.py')).toMatchObject({ module: 'flat.m', importRoot: root });
    expect(pythonModuleOf(root, 'scripts/tool.py')).toMatchObject({
      module: 'scripts.tool',
      importRoot: root,
      scriptDir: path.join(root, 'scripts'),
    });
    expect(pythonModuleOf(root, 'top.py')).toMatchObject({ module: 'top', importRoot: root });
    expect(jsFormatOf(root, 'js/a.js')).toBe('module');
    expect(jsFormatOf(root, 'cjs/a.js')).toBe('commonjs');
    expect(jsFormatOf(root, 'cjs/a.mjs')).toBe('module');
  });
});

describe('python in repository context', () => {
  let root: string;
  const core = (body: string) =>
    [
      'from .util import helper',
      'from . import util as u',
      '',
      '_COUNT = [0]',
      '',
      body,
      '',
      'def bump():',
      '    _COUNT[0] += 1',
      '    return _COUNT[0]',
      '',
      'class Acc:',
      '    def __init__(self, start=0):',
      '        self.n = start',
      '',
      '    def add(self, k):',
      '        self.n += u.helper(k)',
      '        return self.n',
      '',
    ].join('\n');
  beforeAll(() => {
    root = path.join(dir, 'py');
    writeTree(root, {
      'src/pkg/__init__.py': 'from .core import double\n',
      'src/pkg/util.py': 'def helper(x):\n    return x * 2\n',
      'src/pkg/core.py': core('def double(x):\n    return helper(x)'),
      '.git/config': '[remote "origin"]\n  url = https://token@example.com/x.git\n',
      '.env': 'API_KEY=sk-secret\n',
      'sub/.npmrc': '//registry/:_authToken=npm-secret\n',
    });
    writeFileSync(path.join(dir, 'outside.txt'), 'outside');
  });

  it('runs each candidate as the real module: relative imports, the package, its other names', async () => {
    const m = await ex.run({
      language: 'python',
      kind: 'function',
      entryPoint: 'double',
      repo: { root, path: 'src/pkg/core.py' },
      codes: [
        core('def double(x):\n    return helper(x)'),
        core('def double(x):\n    return helper(x) + 1'),
        core('def double(x):\n    return undefined_name(x)'),
      ],
      tests: [
        { call: 'double(3)', expected: '6' },
        { call: 'Acc(1).add(2)', expected: '5' },
        { call: '__import__("pkg").double(4)', expected: '8' },
        { call: 'bump()', expected: '1' },
        { call: 'bump() + bump()', expected: '3' },
      ],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass', 'pass', 'pass'],
      ['fail', 'pass', 'fail', 'pass', 'pass'],
      ['error', 'pass', 'error', 'pass', 'pass'],
    ]);
    expect(m[2][0].error).toMatch(/NameError: name 'undefined_name' is not defined/);
    // The traceback shows the candidate's own line, under the file's real name.
    expect(m[2][0].error).toMatch(/core\.py/);
  });

  it('reports a module that cannot load for every test', async () => {
    const m = await ex.run({
      language: 'python',
      kind: 'function',
      entryPoint: 'double',
      repo: { root, path: 'src/pkg/core.py' },
      codes: ['from .missing import thing\n\ndef double(x):\n    return 2 * x\n'],
      tests: [
        { call: 'double(1)', expected: '2' },
        { call: 'double(2)', expected: '4' },
      ],
    });
    expect(verdicts(m)).toEqual([['error', 'error']]);
    expect(m[0][0].error).toMatch(/ModuleNotFoundError|ImportError/);
  });

  it('shows the repository read-only, without .git, secret files or anything outside it', async () => {
    // Paths from the module's own location, as an escaping candidate would find them.
    const probe = (expr: string) =>
      `import os\nROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\ndef double(x):\n    return 2 * x\n\ndef probe():\n    ${expr}\n`;
    const at = (rel: string) => `os.path.join(ROOT, ${JSON.stringify(rel)})`;
    const tries = [
      `return open(${at('.git/config')}).read()`,
      `return open(${at('.env')}).read()`,
      `return open(${at('sub/.npmrc')}).read()`,
      `return open(${at('src/pkg/util.py')}, 'a').write('x')`,
      `return open(${at('planted.py')}, 'w').write('x')`,
      `return open(${at('../outside.txt')}).read()`,
      `return open(${at('src/pkg/util.py')}).read()`,
      `return sorted(os.listdir(${at('.git')}))`,
    ];
    const m = await ex.run({
      language: 'python',
      kind: 'function',
      entryPoint: 'probe',
      repo: { root, path: 'src/pkg/core.py' },
      codes: tries.map(probe),
      tests: [{ call: 'probe()' }],
    });
    const outs = m.map((row) => row[0]);
    // .git is empty, secrets are empty, writes fail, outside files do not exist; ordinary files are readable.
    expect(outs[0].verdict).toBe('error');
    for (const c of outs.slice(1, 3)) {
      expect(c.output).not.toContain('secret');
      expect(c.error ?? '').not.toContain('secret');
    }
    expect(outs[3].verdict).toBe('error');
    expect(outs[4].verdict).toBe('error');
    expect(outs[5].verdict).toBe('error');
    expect(outs[6]).toMatchObject({ verdict: 'pass' });
    expect(outs[6].output).toContain('helper');
    expect(outs[7]).toMatchObject({ verdict: 'pass', output: '["l",[]]' });
    expect(readFileSync(path.join(root, 'src/pkg/util.py'), 'utf8')).toBe(
      'def helper(x):\n    return x * 2\n',
    );
  });
});

describe('javascript in repository context', () => {
  let root: string;
  beforeAll(() => {
    root = path.join(dir, 'js');
    writeTree(root, {
      'cjs/package.json': '{"name": "cjs-demo"}',
      'cjs/lib/util.js': 'exports.helper = (x) => x * 2;\n',
      'cjs/lib/core.js': '',
      'cjs/node_modules/padder/package.json': '{"name": "padder", "main": "main.js"}',
      'cjs/node_modules/padder/main.js': 'module.exports = (s, n) => String(s).padStart(n, "0");\n',
      'esm/package.json': '{"name": "esm-demo", "type": "module"}',
      'esm/src/util.js': 'export const helper = (x) => x * 2;\n',
      'esm/src/core.js': '',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.env.local': 'TOKEN=secret\n',
    });
  });

  const cjs = (body: string) =>
    [
      "const { helper } = require('./util');",
      "const pad = require('padder');",
      'let count = 0;',
      body,
      'function bump() { count += 1; return count; }',
      'class Acc { constructor(n) { this.n = n; } add(k) { this.n += helper(k); return this.n; } }',
      'function hidden(x) { return pad(x, 4); }',
      'module.exports = { double };',
      '',
    ].join('\n');

  it('CommonJS: sibling requires, installed packages, unexported names, fresh state per test', async () => {
    const m = await ex.run({
      language: 'javascript',
      kind: 'function',
      entryPoint: 'double',
      repo: { root, path: 'cjs/lib/core.js' },
      codes: [
        cjs('function double(x) { return helper(x); }'),
        cjs('function double(x) { return helper(x) + 1; }'),
        cjs('function double(x) { return nothing(x); }'),
      ],
      tests: [
        { call: 'double(3)', expected: '6' },
        { call: 'new Acc(1).add(2)', expected: '5' },
        { call: 'hidden(7)', expected: '"0007"' },
        { call: 'bump()', expected: '1' },
        { call: 'bump() + bump()', expected: '3' },
      ],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass', 'pass', 'pass'],
      ['fail', 'pass', 'pass', 'pass', 'pass'],
      ['error', 'pass', 'pass', 'pass', 'pass'],
    ]);
    expect(m[2][0].error).toMatch(/ReferenceError: nothing is not defined/);
  });

  it('ES modules: imports of siblings, classes, async functions', async () => {
    const esm = (body: string) =>
      [
        "import { helper } from './util.js';",
        body,
        'export class Acc { constructor(n) { this.n = n; } add(k) { this.n += helper(k); return this.n; } }',
        'export async function later(x) { return helper(x); }',
        '',
      ].join('\n');
    const m = await ex.run({
      language: 'javascript',
      kind: 'function',
      entryPoint: 'double',
      repo: { root, path: 'esm/src/core.js' },
      codes: [
        esm('export function double(x) { return helper(x); }'),
        esm('function double(x) { return x; }'),
      ],
      tests: [
        { call: 'double(3)', expected: '6' },
        { call: 'new Acc(1).add(2)', expected: '5' },
        { call: 'later(5)', expected: '10' },
      ],
    });
    expect(verdicts(m)).toEqual([
      ['pass', 'pass', 'pass'],
      ['fail', 'pass', 'pass'],
    ]);
  });

  it('times out an endless test and hides .git and secrets', async () => {
    const m = await ex.run({
      language: 'javascript',
      kind: 'function',
      entryPoint: 'double',
      timeoutMs: 1500,
      repo: { root, path: 'cjs/lib/core.js' },
      codes: [
        cjs(
          [
            'function double(x) { return helper(x); }',
            'function spin() { for (;;) {} }',
            "const up = (p) => require('path').join(__dirname, '../..', p);",
            "function readGit() { return require('fs').readFileSync(up('.git/HEAD'), 'utf8'); }",
            "function readEnv() { return require('fs').readFileSync(up('.env.local'), 'utf8'); }",
            "function plant() { require('fs').writeFileSync(up('cjs/lib/util.js'), 'x'); return 1; }",
            "function readOwn() { return require('fs').readFileSync(up('cjs/lib/util.js'), 'utf8'); }",
          ].join('\n'),
        ),
      ],
      tests: [
        { call: 'spin()' },
        { call: 'readGit()' },
        { call: 'readEnv()' },
        { call: 'plant()' },
        { call: 'readOwn()' },
      ],
    });
    const [spin, git, env, plant, own] = m[0];
    expect(own.output).toContain('helper');
    expect(spin.verdict).toBe('timeout');
    expect(git.verdict).toBe('error');
    expect(env.output).not.toContain('secret');
    expect(plant.verdict).toBe('error');
    expect(readFileSync(path.join(root, 'cjs/lib/util.js'), 'utf8')).toBe('exports.helper = (x) => x * 2;\n');
  });
});

describe('the interpreter of a virtual environment', () => {
  it("sees the environment's installed packages (the venv's link runs, not the resolved interpreter)", async () => {
    const root = path.join(dir, 'venv-repo');
    writeTree(root, {
      'app/__init__.py': '',
      'app/core.py': 'import venvonly\n\ndef f(x):\n    return venvonly.twice(x)\n',
    });
    const venv = path.join(dir, 'venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    const site = execFileSync(
      path.join(venv, 'bin/python'),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      {
        encoding: 'utf8',
      },
    ).trim();
    writeFileSync(path.join(site, 'venvonly.py'), 'def twice(x):\n    return 2 * x\n');
    const vex = await createExecutor({ sandbox: 'bwrap', workers: 1, python: path.join(venv, 'bin/python') });
    try {
      const m = await vex.run({
        language: 'python',
        kind: 'function',
        entryPoint: 'f',
        repo: { root, path: 'app/core.py' },
        codes: [readFileSync(path.join(root, 'app/core.py'), 'utf8')],
        tests: [{ call: 'f(21)', expected: '42' }],
      });
      expect(verdicts(m)).toEqual([['pass']]);
    } finally {
      await vex.close();
    }
  });
});
