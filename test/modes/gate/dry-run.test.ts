// The adoption preflight end to end, through the command line (`cosplay gate --repo DIR --all --dry-run --json
// FILE`), on a repository made of REAL code fetched from the registries (Debian's python3-attr: a package with
// relative imports, decorated classes and many methods; npm's debug with its dependency installed: CommonJS
// `exports.f = f`), plus a few files written here to be broken, skipped or unsupported. No LLM is involved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli.js';
import { debianPython, npmPackage } from '../../support/real-code.js';

interface Target {
  path: string;
  name: string;
  kind: 'function' | 'method';
  language: string;
  loads: boolean;
  reason?: string;
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

let root: string;
let targets: Target[];
let printed: string;
let exitCode: number;

beforeAll(async () => {
  const attr = debianPython('python3-attr', 'attr');
  const attrs = debianPython('python3-attr', 'attrs');
  const debug = npmPackage('debug@4.4.0', { install: true });
  root = mkdtempSync(path.join(tmpdir(), 'cosplay-dry-run-'));
  // mkdtemp makes the folder 0700; a checkout is world-readable (as root, the sandbox runs as another uid).
  chmodSync(root, 0o755);
  // A flat Python layout (attr/, attrs/ at the root) and a JavaScript package in web/ with its node_modules.
  cpSync(attr, path.join(root, 'attr'), { recursive: true });
  cpSync(attrs, path.join(root, 'attrs'), { recursive: true });
  cpSync(debug, path.join(root, 'web'), { recursive: true });
  // Broken on purpose: a module whose import fails, in each language.
  write(root, 'brokenpkg/__init__.py', '');
  write(
    root,
    'brokenpkg/core.py',
    'from .missing import thing\n\n\ndef use():\n    """Uses the thing."""\n    return thing\n',
  );
  write(
    root,
    'web/src/broken.js',
    "const nope = require('./nope');\n\n/** Uses nope. */\nfunction use() {\n  return nope;\n}\n\nmodule.exports = { use };\n",
  );
  // Not the repository's own source, or not checkable yet.
  write(root, 'tests/test_extra.py', 'def test_x():\n    """A test."""\n    assert True\n');
  write(root, 'node_modules/junk/index.js', '/** Junk. */\nfunction junk() {}\nmodule.exports = junk;\n');
  write(root, 'dist/bundle.js', '/** Built. */\nfunction built() {}\n');
  write(root, 'web/src/app.min.js', '/** Min. */\nfunction m(){}' + ';var a=1'.repeat(2000) + '\n');
  write(
    root,
    'types/tool.ts',
    '/** A tool. */\nexport function tool(n: number): number {\n  return n + 1;\n}\n',
  );

  const out = path.join(root, '..', path.basename(root) + '.json');
  let text = '';
  const write0 = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    exitCode = await runCli([
      'gate',
      '--repo',
      root,
      '--all',
      '--dry-run',
      '--json',
      out,
      '--sandbox',
      'bwrap',
    ]);
  } finally {
    process.stdout.write = write0;
  }
  printed = text;
  targets = (JSON.parse(readFileSync(out, 'utf8')) as { targets: Target[] }).targets;
  rmSync(out, { force: true });
}, 900_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('cosplay gate --all --dry-run on real code', () => {
  it('exits 0 and writes exactly the documented shape', () => {
    expect(exitCode).toBe(0);
    for (const t of targets) {
      expect(Object.keys(t).sort()).toEqual(
        t.loads
          ? ['kind', 'language', 'loads', 'name', 'path']
          : ['kind', 'language', 'loads', 'name', 'path', 'reason'],
      );
    }
  });

  it("lists attrs' documented functions AND methods, and every one of them loads in repository context", () => {
    const attrs = targets.filter((t) => t.path.startsWith('attr/') || t.path.startsWith('attrs/'));
    const methods = attrs.filter((t) => t.kind === 'method');
    expect(attrs.length).toBeGreaterThan(60);
    expect(methods.length).toBeGreaterThan(15);
    // Methods of classes, a decorated class's special methods among them, named Class.method.
    expect(methods.every((t) => /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(t.name))).toBe(true);
    expect(attrs.map((t) => `${t.path}:${t.name}`)).toEqual(
      expect.arrayContaining(['attr/_make.py:Attribute.evolve', 'attr/validators.py:instance_of']),
    );
    const failing = attrs.filter((t) => !t.loads);
    expect(failing).toEqual([]);
    expect(attrs.every((t) => t.language === 'python')).toBe(true);
  });

  it("lists debug's documented CommonJS functions, which load with its installed dependency", () => {
    const node = targets.filter((t) => t.path === 'web/src/node.js');
    expect(node.map((t) => t.name)).toEqual(
      expect.arrayContaining(['useColors', 'formatArgs', 'log', 'save', 'load']),
    );
    expect(node.every((t) => t.loads && t.language === 'javascript')).toBe(true);
  });

  it('reports broken modules with loads:false and the load error as the reason', () => {
    expect(targets.find((t) => t.path === 'brokenpkg/core.py')).toEqual({
      path: 'brokenpkg/core.py',
      name: 'use',
      kind: 'function',
      language: 'python',
      loads: false,
      reason: expect.stringMatching(/^ModuleNotFoundError: No module named 'brokenpkg\.missing'/),
    });
    expect(targets.find((t) => t.path === 'web/src/broken.js')).toMatchObject({
      name: 'use',
      loads: false,
      reason: expect.stringMatching(/Cannot find module '\.\/nope'/),
    });
  });

  it('skips tests, vendored and built files; loads TypeScript (transpiled in the sandbox)', () => {
    const paths = new Set(targets.map((t) => t.path));
    for (const p of [
      'tests/test_extra.py',
      'node_modules/junk/index.js',
      'dist/bundle.js',
      'web/src/app.min.js',
    ])
      expect(paths.has(p)).toBe(false);
    expect([...paths].some((p) => p.startsWith('web/node_modules/'))).toBe(false);
    expect(targets.find((t) => t.path === 'types/tool.ts')).toEqual({
      path: 'types/tool.ts',
      name: 'tool',
      kind: 'function',
      language: 'typescript',
      loads: true,
    });
  });

  it('with --base REF lists only what changed since REF (the changed side loads as the module)', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'cosplay-dry-run-git-'));
    chmodSync(repo, 0o755);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd: repo });
    try {
      // attrs' real validators module, changed in one documented function and extended by a documented method.
      cpSync(path.join(root, 'attr'), path.join(repo, 'attr'), { recursive: true });
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'base');
      const file = path.join(repo, 'attr/validators.py');
      const src = readFileSync(file, 'utf8');
      expect(src).toContain('def instance_of(type):');
      writeFileSync(
        file,
        src.replace('def instance_of(type):', 'def instance_of(type):  # changed') +
          '\n\nclass _Extra:\n    def check(self):\n        """Checks."""\n        return True\n',
      );
      git('commit', '-qam', 'change');
      const out = path.join(repo, '..', path.basename(repo) + '.json');
      const write0 = process.stdout.write.bind(process.stdout);
      process.stdout.write = (() => true) as typeof process.stdout.write;
      let code: number;
      try {
        code = await runCli([
          'gate',
          '--repo',
          repo,
          '--base',
          'HEAD~1',
          '--head',
          'HEAD',
          '--dry-run',
          '--json',
          out,
        ]);
      } finally {
        process.stdout.write = write0;
      }
      expect(code).toBe(0);
      const listed = (JSON.parse(readFileSync(out, 'utf8')) as { targets: Target[] }).targets;
      rmSync(out, { force: true });
      expect(listed.map((t) => [t.path, t.name, t.kind, t.loads])).toEqual([
        ['attr/validators.py', 'instance_of', 'function', true],
        ['attr/validators.py', '_Extra.check', 'method', true],
      ]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('refuses to guess what to list, and a sandbox mode it does not know', async () => {
    const err0 = process.stderr.write.bind(process.stderr);
    let err = '';
    process.stderr.write = ((c: string | Uint8Array) => (
      (err += String(c)),
      true
    )) as typeof process.stderr.write;
    try {
      expect(await runCli(['gate', '--repo', root, '--dry-run'])).toBe(2);
      expect(await runCli(['gate', '--repo', root, '--dry-run', '--all', '--sandbox', 'maybe'])).toBe(2);
    } finally {
      process.stderr.write = err0;
    }
    expect(err).toMatch(/--all, or --base REF/);
    expect(err).toMatch(/--sandbox must be bwrap or none/);
  });

  it('prints a summary with the counts, the share that loads and the top reasons', () => {
    const loads = targets.filter((t) => t.loads).length;
    expect(printed).toContain(`${loads} of ${targets.length} load in repository context`);
    expect(printed).toMatch(/why the others do not:\n\s+1\s+ModuleNotFoundError/);
    expect(printed).toContain('no LLM called');
  });
});
