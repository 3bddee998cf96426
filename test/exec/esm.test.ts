import { describe, expect, it } from '@jest/globals';
import vm from 'node:vm';
import { toScript } from '../../src/exec/esm.js';

/** Runs rewritten code as a CommonJS-style script and returns module.exports. */
function load(code: string, modules: Record<string, unknown> = {}): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const require = (m: string) => {
    if (!(m in modules)) throw new Error(`no module ${m}`);
    return modules[m];
  };
  vm.runInNewContext(toScript(code), { module, exports: module.exports, require });
  return module.exports;
}

describe('toScript', () => {
  it('leaves scripts without import/export untouched', () => {
    const code = 'const x = 1;\n// export default nothing\nfunction f() { return "import x from y"; }';
    expect(toScript(code)).toBe(code);
  });

  it('rewrites export declarations', () => {
    const e = load(
      'export function f(a) { return a + 1; }\nexport async function g() {}\nexport const h = 3, z = 4;\nexport class K {}\nexport let w = 5;',
    );
    expect(typeof e.f).toBe('function');
    expect(typeof e.g).toBe('function');
    expect(e.h).toBe(3);
    expect(typeof e.K).toBe('function');
    expect(e.w).toBe(5);
  });

  it('rewrites default exports, named or not', () => {
    expect(typeof load('export default function solve(x) { return x; }').default).toBe('function');
    expect(typeof load('export default function (x) { return x; }').default).toBe('function');
    expect(load('export default 42;').default).toBe(42);
    expect(typeof load('export default class A {}').default).toBe('function');
  });

  it('rewrites export lists and re-exports', () => {
    const e = load(
      'const a = 1, b = 2;\nexport { a, b as c };\nexport { x as y } from "m";\nexport * from "n";',
      {
        m: { x: 'X' },
        n: { q: 'Q' },
      },
    );
    expect(e).toMatchObject({ a: 1, c: 2, y: 'X', q: 'Q' });
  });

  it('rewrites imports to require', () => {
    const mods = {
      fs: { readFileSync: () => 'data', default: undefined },
      path: { join: (...p: string[]) => p.join('/') },
      m: { __esModule: true, default: 'D', n: 'N' },
    };
    const e = load(
      [
        "import fs from 'fs';",
        "import { join as j } from 'path';",
        "import * as p from 'path';",
        "import d, { n } from 'm';",
        "import 'fs';",
        'export const r = [fs.readFileSync(), j("a", "b"), p.join("c"), d, n];',
      ].join('\n'),
      mods,
    );
    expect(e.r).toEqual(['data', 'a/b', 'c', 'D', 'N']);
  });
});
