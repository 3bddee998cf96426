import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { splitStatements } from '../../src/repo/blocks.js';
import {
  convertImport,
  insertCode,
  moduleStyleOf,
  normaliseCode,
  writeSelectedCode,
} from '../../src/repo/write.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-write-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let fileNo = 0;
/** Runs Python code that imports the module at `file` and prints the value of `expr`. */
function py(content: string, expr: string): string {
  const file = path.join(tmp, `m${fileNo++}.py`);
  writeFileSync(file, content);
  const script = `import importlib.util,sys\nspec=importlib.util.spec_from_file_location('m',${JSON.stringify(file)})\nm=importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\nprint(repr((${expr})))`;
  return execFileSync('python3', ['-c', script]).toString().trim();
}
/** Loads JS `content` as a module (.mjs or .cjs) and prints JSON of `expr` (with `m` the module). */
function js(content: string, style: 'esm' | 'commonjs', expr: string): string {
  const file = path.join(tmp, `m${fileNo++}.${style === 'esm' ? 'mjs' : 'cjs'}`);
  writeFileSync(file, content);
  const script =
    style === 'esm'
      ? `const m = await import(${JSON.stringify('file://' + file)}); console.log(JSON.stringify(${expr}));`
      : `const m = require(${JSON.stringify(file)}); console.log(JSON.stringify(${expr}));`;
  return execFileSync(
    process.execPath,
    style === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script],
  )
    .toString()
    .trim();
}

const pyOpts = { language: 'python', kind: 'function', entryPoint: 'count_vowels' } as const;

describe('splitStatements', () => {
  it('finds Python top-level statements across multi-line strings, brackets, decorators and column-0 comments', () => {
    const src = [
      '"""Module doc."""', // 0
      'import os', // 1
      'from x import (a,', // 2
      'b)', // 3
      '', // 4
      '# about f', // 5
      '@cache', // 6
      '@other(1)', // 7
      'def f(a,', // 8
      'b):', // 9
      '    s = """', // 10
      'def not_a_def():', // 11
      '"""', // 12
      '# col-0 comment inside the body', // 13
      '    return s', // 14
      '', // 15
      '# trailing comment', // 16
      'X = 1 + \\', // 17
      '  2', // 18
      'if __name__ == "__main__":', // 19
      '    f(1, 2)', // 20
    ].join('\n');
    const { statements } = splitStatements(src, 'python');
    expect(
      statements.map((s) => [s.kind, s.name ?? null, s.commentStartLine, s.startLine, s.endLine]),
    ).toEqual([
      ['docstring', null, 0, 0, 0],
      ['import', null, 1, 1, 1],
      ['import', null, 2, 2, 3],
      ['function', 'f', 5, 6, 14],
      ['binding', 'X', 16, 17, 18],
      ['main', null, 19, 19, 20],
    ]);
    expect(statements[2]!.imports).toEqual(['a', 'b']);
  });

  it('finds JavaScript top-level statements across templates, regexes, block comments and chained calls', () => {
    const src = [
      "import { a as b, c } from './x.js';", // 0
      "const fs = require('fs');", // 1
      '/**', // 2
      ' * Doc.', // 3
      ' */', // 4
      'export function f(s) {', // 5
      '  const re = /}\\/{/g;', // 6
      '  const t = `${s.replace(re, "}")}', // 7
      '}`;', // 8
      '  return t', // 9
      '}', // 10
      'const g = (x) =>', // 11
      '  x + 1;', // 12
      'const h = [1, 2]', // 13
      '  .map((x) => x)', // 14
      '.filter(Boolean);', // 15
      'module.exports.k = function () {};', // 16
      'export { f as default };', // 17
    ].join('\n');
    const { statements } = splitStatements(src, 'javascript');
    expect(
      statements.map((s) => [
        s.kind,
        s.name ?? null,
        s.exportPrefix ?? null,
        s.commentStartLine,
        s.startLine,
        s.endLine,
      ]),
    ).toEqual([
      ['import', null, null, 0, 0, 0],
      ['import', null, null, 1, 1, 1],
      ['function', 'f', 'export ', 2, 5, 10],
      ['function', 'g', null, 11, 11, 12],
      ['binding', 'h', null, 13, 13, 15],
      ['export-assign', 'k', null, 16, 16, 16],
      ['export', null, null, 17, 17, 17],
    ]);
    expect(statements[0]!.imports).toEqual(['b', 'c']);
    expect(statements[1]!.imports).toEqual(['fs']);
  });
});

describe('insertCode: Python', () => {
  const candidate = [
    'import math',
    'from collections import Counter',
    '',
    'VOWELS = set("aeiou")',
    '',
    'def is_vowel(c):',
    '    return c.lower() in VOWELS',
    '',
    'def count_vowels(text: str) -> int:',
    '    """Count vowels."""',
    '    return sum(1 for c in text if is_vowel(c))',
    '',
    'print(count_vowels("Hello"))',
    'if __name__ == "__main__":',
    '    print(count_vowels(input()))',
  ].join('\n');

  it('creates a new file with imports, helpers and the function, without demo code', () => {
    const r = insertCode(null, candidate, pyOpts);
    expect(r.action).toBe('created');
    expect(r.content).not.toContain('print(');
    expect(r.notes.join(' ')).toMatch(/__main__.*left out|Left out demo code/s);
    expect(py(r.content, 'm.count_vowels("Hello World")')).toBe('3');
  });

  it('replaces the function in place and keeps the rest of the file byte for byte', () => {
    const before =
      '#!/usr/bin/env python3\n"""Text utilities."""\nimport re\n\n\n# Counts vowels.\n@staticmethod_like\n';
    const old =
      'def count_vowels(text,\n        strict=False):\n    s = """\ndef fake():\n"""\n    return 0  # wrong';
    const after =
      '\n\n\n# helpers below\ndef other(x):\n    return re.sub("a", "b", x)\n\n\nif __name__ == "__main__":\n    print(other("a"))\n';
    const existing = before.replace('@staticmethod_like\n', '') + old + after;
    const r = insertCode(existing, candidate, pyOpts);
    expect(r.action).toBe('replaced');
    const head = before.replace('@staticmethod_like\n', '');
    expect(
      r.content.startsWith(
        head.replace('import re\n', 'import re\nimport math\nfrom collections import Counter\n'),
      ),
    ).toBe(true);
    expect(r.content.endsWith(after)).toBe(true);
    expect(r.content).toContain('VOWELS = set("aeiou")\n\n\ndef is_vowel(c):');
    expect(r.content).not.toContain('# wrong');
    expect(r.content).toContain('# Counts vowels.\n'); // the file's own comment stays
    expect(py(r.content, 'm.count_vowels("Hello World"), m.other("a")')).toBe("(3, 'b')");
  });

  it('replaces a decorated function including its decorators', () => {
    const existing =
      'import functools\n\n\n@functools.lru_cache(\n    maxsize=None)\ndef count_vowels(t):\n    return -1\n';
    const r = insertCode(existing, 'def count_vowels(t):\n    return 7\n', pyOpts);
    expect(r.content).toBe('import functools\n\n\ndef count_vowels(t):\n    return 7\n');
  });

  it('appends a new function at the end, or before the __main__ block', () => {
    const plain = 'def other():\n    return 1\n';
    expect(insertCode(plain, 'def count_vowels(t):\n    return 0', pyOpts).content).toBe(
      'def other():\n    return 1\n\n\ndef count_vowels(t):\n    return 0\n',
    );
    const withMain = 'def other():\n    return 1\n\n\nif __name__ == "__main__":\n    other()\n';
    const r = insertCode(withMain, 'def count_vowels(t):\n    return 0', pyOpts);
    expect(r.action).toBe('appended');
    expect(r.content).toBe(
      'def other():\n    return 1\n\n\ndef count_vowels(t):\n    return 0\n\n\nif __name__ == "__main__":\n    other()\n',
    );
    expect(insertCode('', 'def count_vowels(t):\n    return 0', pyOpts).content).toBe(
      'def count_vowels(t):\n    return 0\n',
    );
  });

  it('adds only the imports the file lacks, after its imports', () => {
    const existing =
      '"""Doc."""\nfrom __future__ import annotations\nimport math\n\n\ndef count_vowels(t):\n    pass\n';
    const r = insertCode(existing, candidate, pyOpts);
    expect(
      r.content.startsWith(
        '"""Doc."""\nfrom __future__ import annotations\nimport math\nfrom collections import Counter\n\n\n',
      ),
    ).toBe(true);
    const noImports = '"""Doc."""\n\n\ndef a():\n    pass\n';
    const r2 = insertCode(noImports, 'import math\ndef count_vowels(t):\n    return math.floor(1.5)', pyOpts);
    expect(r2.content.startsWith('"""Doc."""\n\nimport math\n\n\ndef a():')).toBe(true);
    expect(py(r2.content, 'm.count_vowels("")')).toBe('1');
  });

  it('renames a helper that clashes with a different one in the file, not in strings or attributes', () => {
    const existing = 'def helper(x):\n    return "file"\n\n\ndef use():\n    return helper(1)\n';
    const cand =
      'def helper(x):\n    return x * 2\n\ndef count_vowels(t):\n    obj = {"helper": 1}\n    return helper(len(t)) + obj["helper"]\n';
    const r = insertCode(existing, cand, pyOpts);
    expect(r.notes[0]).toMatch(/renamed to `helper_count_vowels`/);
    expect(r.content.startsWith(existing)).toBe(true);
    expect(r.content).toContain('return helper_count_vowels(len(t)) + obj["helper"]');
    expect(py(r.content, 'm.count_vowels("abc"), m.use()')).toBe("(7, 'file')");
  });

  it('skips a helper the file already has in the same form', () => {
    const existing = 'def is_vowel(c):\n    return c.lower() in "aeiou"\n';
    const r = insertCode(
      existing,
      'def is_vowel(c):\n    return c.lower() in "aeiou"\n\ndef count_vowels(t):\n    return sum(map(is_vowel, t))',
      pyOpts,
    );
    expect(r.content.match(/def is_vowel/g)).toHaveLength(1);
    expect(py(r.content, 'm.count_vowels("ae")')).toBe('2');
  });

  it('keeps CRLF line endings', () => {
    const existing =
      'import os\r\n\r\n\r\ndef count_vowels(t):\r\n    return 0\r\n\r\n\r\ndef z():\r\n    return 1\r\n';
    const r = insertCode(existing, 'import sys\ndef count_vowels(t):\n    return 1\n', pyOpts);
    expect(r.content).toBe(
      'import os\r\nimport sys\r\n\r\n\r\ndef count_vowels(t):\r\n    return 1\r\n\r\n\r\ndef z():\r\n    return 1\r\n',
    );
  });

  it('dedents an indented candidate, and refuses one without the entry point', () => {
    expect(normaliseCode('\n    def f():\n        return 1\n\n')).toBe('def f():\n    return 1\n');
    expect(() => insertCode(null, 'def other():\n    pass', pyOpts)).toThrow(/does not define count_vowels/);
  });

  it('reports unchanged when the code is already there', () => {
    const existing = 'def count_vowels(t):\n    return 0\n';
    expect(insertCode(existing, 'def count_vowels(t):\n    return 0\n', pyOpts).action).toBe('unchanged');
  });
});

describe('insertCode: JavaScript', () => {
  const jsOpts = { language: 'javascript', kind: 'function', entryPoint: 'countVowels' } as const;
  const candidate = [
    '/** Counts vowels. */',
    'function countVowels(text) {',
    '  const re = /[aeiou]/gi;',
    '  return (text.match(re) || []).length;',
    '}',
    '',
    'module.exports = { countVowels };',
    'console.log(countVowels("hello"));',
  ].join('\n');

  it('keeps `export` when replacing an exported function in an ES module', () => {
    const existing =
      "import path from 'node:path';\n\n// Vowel counting.\nexport function countVowels(text) {\n  return -1; // `}` {\n}\n\nexport const base = (p) => path.basename(p);\n";
    const r = insertCode(existing, candidate, jsOpts);
    expect(r.action).toBe('replaced');
    expect(r.content).toBe(
      "import path from 'node:path';\n\n// Vowel counting.\nexport function countVowels(text) {\n  const re = /[aeiou]/gi;\n  return (text.match(re) || []).length;\n}\n\nexport const base = (p) => path.basename(p);\n",
    );
    expect(js(r.content, 'esm', '[m.countVowels("Education"), m.base("/a/b")]')).toBe('[5,"b"]');
  });

  it('appends to a CommonJS module and exports after its module.exports object', () => {
    const existing =
      "'use strict';\nconst util = require('util');\n\nfunction a() { return util.format('%d', 1); }\n\nmodule.exports = { a };\n";
    const r = insertCode(existing, candidate, jsOpts);
    expect(r.content.startsWith(existing.replace(/\n$/, ''))).toBe(true);
    expect(r.content.endsWith('module.exports.countVowels = countVowels;\n')).toBe(true);
    expect(r.content).not.toContain('console.log');
    expect(js(r.content, 'commonjs', '[m.a(), m.countVowels("aa")]')).toBe('["1",2]');
  });

  it('replaces a module.exports.f = function assignment and keeps it exported', () => {
    const existing =
      'module.exports.countVowels = function (t) {\n  return 0;\n};\nmodule.exports.other = () => 1;\n';
    const r = insertCode(existing, candidate, jsOpts);
    expect(r.content).toBe(
      '/** Counts vowels. */\nfunction countVowels(text) {\n  const re = /[aeiou]/gi;\n  return (text.match(re) || []).length;\n}\nmodule.exports.countVowels = countVowels;\nmodule.exports.other = () => 1;\n',
    );
    expect(js(r.content, 'commonjs', '[m.countVowels("oo"), m.other()]')).toBe('[2,1]');
  });

  it('replaces a one-line arrow function, leaving an existing export list alone', () => {
    const existing = 'const countVowels = (t) => 0;\nconst k = 2;\nmodule.exports = { countVowels, k };\n';
    const r = insertCode(
      existing,
      'const countVowels = (t) =>\n  [...t].filter((c) => "aeiou".includes(c)).length;',
      jsOpts,
    );
    expect(r.content).toBe(
      'const countVowels = (t) =>\n  [...t].filter((c) => "aeiou".includes(c)).length;\nconst k = 2;\nmodule.exports = { countVowels, k };\n',
    );
    expect(js(r.content, 'commonjs', '[m.countVowels("aeb"), m.k]')).toBe('[2,2]');
  });

  it('exports a function the file had but did not export, and says so', () => {
    const existing =
      "import fs from 'node:fs';\nfunction countVowels(t) { return 0; }\nexport const x = 1;\n";
    const r = insertCode(existing, candidate, jsOpts);
    expect(r.content).toContain('export function countVowels(text) {');
    expect(r.notes.join(' ')).toMatch(/was not exported/);
  });

  it('creates a new module in the requested style', () => {
    const esm = insertCode(null, candidate, { ...jsOpts, defaultModuleStyle: 'esm' });
    // The candidate's own `module.exports` decides: it is CommonJS.
    expect(moduleStyleOf(candidate)).toBe('commonjs');
    expect(js(esm.content, 'commonjs', 'm.countVowels("ai")')).toBe('2');
    const plain = 'function countVowels(t) {\n  return t.length;\n}\n';
    const r = insertCode(null, plain, { ...jsOpts, defaultModuleStyle: 'esm' });
    expect(r.content).toBe('export function countVowels(t) {\n  return t.length;\n}\n');
    expect(js(r.content, 'esm', 'm.countVowels("abc")')).toBe('3');
  });
});

describe('module styles', () => {
  const jsOpts = { language: 'javascript', kind: 'function', entryPoint: 'countVowels' } as const;
  it('converts simple requires to imports and back', () => {
    expect(convertImport("const fs = require('node:fs');", 'esm')).toBe("import fs from 'node:fs';");
    expect(convertImport('const { join, basename: base } = require("node:path")', 'esm')).toBe(
      "import { join, basename as base } from 'node:path';",
    );
    expect(convertImport("import path, { join as j } from 'node:path';", 'commonjs')).toBe(
      "const path = require('node:path');\nconst { join: j } = require('node:path');",
    );
    expect(convertImport("import * as os from 'node:os'", 'commonjs')).toBe("const os = require('node:os');");
    expect(convertImport("import 'node:process';", 'commonjs')).toBe("require('node:process');");
    expect(convertImport("const x = require('a').b;", 'esm')).toBe("const x = require('a').b;");
  });

  it("writes a candidate's require into an ES module as an import, and the module runs", () => {
    const existing = 'export const x = 1;\n';
    const cand =
      "const { basename } = require('node:path');\nfunction countVowels(p) {\n  return basename(p).length;\n}\n";
    const r = insertCode(existing, cand, jsOpts);
    expect(r.content).toBe(
      "import { basename } from 'node:path';\n\nexport const x = 1;\n\nexport function countVowels(p) {\n  return basename(p).length;\n}\n",
    );
    expect(r.notes.join(' ')).toMatch(/Rewrote/);
    expect(js(r.content, 'esm', 'm.countVowels("/a/bcd")')).toBe('3');
  });

  it('uses the package type for a file without module syntax', async () => {
    const root = mkdtempSync(path.join(tmp, 'pkg-'));
    writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(path.join(root, 'a.js'), 'function helper() {}\n');
    await writeSelectedCode('function countVowels(t) {\n  return 0;\n}\n', {
      ...jsOpts,
      root,
      target: 'a.js',
    });
    expect(readFileSync(path.join(root, 'a.js'), 'utf8')).toBe(
      'function helper() {}\n\nexport function countVowels(t) {\n  return 0;\n}\n',
    );
  });
});

describe('insertCode: stdio', () => {
  it('writes the whole program', () => {
    const r = insertCode(
      'print("old")\n',
      '  import sys\n  print(sum(map(int, sys.stdin.read().split())))\n',
      { language: 'python', kind: 'stdio' },
    );
    expect(r).toMatchObject({
      action: 'rewritten',
      content: 'import sys\nprint(sum(map(int, sys.stdin.read().split())))\n',
    });
    expect(insertCode(null, 'x', { language: 'python', kind: 'stdio' }).action).toBe('created');
  });
});

describe('writeSelectedCode', () => {
  it('creates directories and the file, and refuses unsafe targets', async () => {
    const root = mkdtempSync(path.join(tmp, 'repo-'));
    const r = await writeSelectedCode('def count_vowels(t):\n    return 0\n', {
      ...pyOpts,
      root,
      target: 'pkg/sub/text.py',
    });
    expect(r.action).toBe('created');
    expect(readFileSync(path.join(root, 'pkg/sub/text.py'), 'utf8')).toBe(
      'def count_vowels(t):\n    return 0\n',
    );
    await expect(writeSelectedCode('x', { ...pyOpts, root, target: '.github/x.py' })).rejects.toThrow(
      /\.github/,
    );
    mkdirSync(path.join(root, 'lib'));
    symlinkSync('/etc', path.join(root, 'lib', 'etc'));
    await expect(writeSelectedCode('x', { ...pyOpts, root, target: 'lib/etc/x.py' })).rejects.toThrow(
      /outside/,
    );
  });
});
