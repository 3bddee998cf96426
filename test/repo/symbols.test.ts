// The source model: functions and methods by real parsers (Python's ast, @babel/parser), their documentation and
// exports, what a change touches, and a candidate replacing one of them in place.
import { describe, expect, it } from '@jest/globals';
import {
  changedSymbols,
  listSymbols,
  listSymbolsOfFiles,
  replaceSymbol,
  type CodeSymbol,
} from '../../src/repo/symbols.js';
import { listFunctions } from '../../src/repo/functions.js';

const UNITS = [
  '"""Units of length."""',
  'from enum import Enum',
  'from functools import total_ordering',
  '',
  '',
  '@total_ordering',
  'class Unit(Enum):',
  '    """A unit of length."""',
  '',
  '    M = 1',
  '    KM = 1000',
  '',
  '    def __lt__(self, other):',
  '        """True when this unit is shorter than `other`."""',
  '        return self.value < other.value',
  '',
  '    @staticmethod',
  '    def parse(',
  '        text,  # "m" or "km"',
  '        strict: bool = False,',
  '    ) -> "Unit":',
  "        '''The unit a symbol names.'''",
  '        return Unit[text.upper()]',
  '',
  '    @property',
  '    def metres(self):',
  '        return self.value',
  '',
  '    def __secret(self):',
  '        return 1',
  '',
  '    class Meta:',
  '        def label(self):',
  '            """A label."""',
  '            return "unit"',
  '',
  '',
  'try:',
  '    import ujson as json',
  'except ImportError:',
  '    import json',
  '',
  '    def dumps(value):',
  '        """JSON text of a value."""',
  '        return json.dumps(value)',
  '',
  '',
  'def _helper(x):',
  '    return x',
  '',
  '',
  'async def fetch(url: str) -> str:',
  '    """Fetch a URL (é)."""',
  '    def inner():',
  '        """Nested: not a target."""',
  '    return url',
  '',
].join('\n');

const byName = (syms: CodeSymbol[]) => new Map(syms.map((s) => [s.name, s]));

describe('listSymbols (python)', () => {
  it("reads functions and methods with Python's ast: decorated classes, nested classes, try blocks", async () => {
    const syms = await listSymbols(UNITS, 'python');
    expect(syms.map((s) => [s.name, s.kind])).toEqual([
      ['Unit.__lt__', 'method'],
      ['Unit.parse', 'method'],
      ['Unit.metres', 'method'],
      ['Unit.__secret', 'method'],
      ['Unit.Meta.label', 'method'],
      ['dumps', 'function'],
      ['_helper', 'function'],
      ['fetch', 'function'],
    ]);
    const m = byName(syms);
    const lt = m.get('Unit.__lt__')!;
    expect(lt).toMatchObject({
      className: 'Unit',
      member: '__lt__',
      access: 'Unit.__lt__',
      startLine: 13,
      endLine: 15,
      signature: 'def __lt__(self, other):',
      doc: 'True when this unit is shorter than `other`.',
      exported: true,
      indent: '    ',
    });
    expect(lt.text).toBe(UNITS.split('\n').slice(12, 15).join('\n'));
    const parse = m.get('Unit.parse')!;
    expect(parse).toMatchObject({
      startLine: 17, // the decorator's line
      endLine: 23,
      isStatic: true,
      decorators: ['staticmethod'],
      signature: 'def parse(text, strict: bool = False) -> "Unit":',
      doc: 'The unit a symbol names.',
    });
    expect(m.get('Unit.metres')!.decorators).toEqual(['property']);
    expect(m.get('Unit.__secret')).toMatchObject({ access: 'Unit._Unit__secret', exported: false });
    expect(m.get('Unit.Meta.label')).toMatchObject({ className: 'Unit.Meta', indent: '        ' });
    expect(m.get('dumps')).toMatchObject({ kind: 'function', indent: '    ', exported: true });
    expect(m.get('_helper')!.exported).toBe(false);
    expect(m.get('fetch')).toMatchObject({ isAsync: true, doc: 'Fetch a URL (é).' });
  });

  it("leaves out definitions under `if __name__ == '__main__':` (never defined on import), keeps its else", async () => {
    const src = [
      'def kept():',
      '    """Kept."""',
      '',
      "if __name__ == '__main__':",
      '    def script_only():',
      '        """Only when run as a script."""',
      'else:',
      '    def imported():',
      '        """Defined on import."""',
      '',
    ].join('\n');
    expect((await listSymbols(src, 'python')).map((s) => s.name)).toEqual(['kept', 'imported']);
  });

  it('follows a literal __all__ for what is exported', async () => {
    const syms = await listSymbols('__all__ = ["b"]\n\ndef a():\n    pass\n\ndef b():\n    pass\n', 'python');
    expect(syms.map((s) => [s.name, s.exported])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('lists many files in one go and reports a file that does not parse', async () => {
    const out = await listSymbolsOfFiles(
      [
        { path: 'a.py', source: 'def f():\n    """F."""\n' },
        { path: 'b.py', source: 'def g(:\n    pass\n' },
      ],
      'python',
    );
    expect((out.get('a.py') as CodeSymbol[]).map((s) => s.name)).toEqual(['f']);
    expect(out.get('b.py')).toEqual({ error: expect.stringMatching(/^SyntaxError: .*\(line 1\)$/) });
    await expect(listSymbols('def g(:\n', 'python')).rejects.toThrow(/SyntaxError/);
  });

  it('without a language, reads each file by its extension, in the order given', async () => {
    const out = await listSymbolsOfFiles([
      { path: 'b.js', source: 'function g() {}\n' },
      { path: 'a.py', source: 'def f():\n    pass\n' },
      { path: 'c.ts', source: 'export function h(x: number): number { return x; }\n' },
    ]);
    expect([...out.keys()]).toEqual(['b.js', 'a.py', 'c.ts']);
    expect([...out.values()].map((v) => (v as CodeSymbol[]).map((s) => s.signature))).toEqual([
      ['function g()'],
      ['def f():'],
      ['export function h(x: number): number'],
    ]);
  });

  it('the statement splitter no longer takes a decorated class for its first method', () => {
    expect(listFunctions(UNITS, 'python').map((f) => f.name)).toEqual(['_helper', 'fetch']);
  });
});

const SHAPES = [
  "'use strict';",
  "const path = require('path');",
  '',
  '/**',
  ' * Joins parts.',
  ' * @param {string[]} parts',
  ' */',
  'function join(parts) {',
  "  return parts.join('/');",
  '}',
  '',
  '/** Not exported. */',
  'const local = (x) => x + 1;',
  '',
  'class Store {',
  '  /** A new store. */',
  '  constructor(dir) {',
  '    this.dir = dir;',
  '  }',
  '',
  '  /** Where a key lives. */',
  '  static where(key) {',
  '    return path.join(this.dir, key);',
  '  }',
  '',
  '  get size() {',
  '    return 0;',
  '  }',
  '',
  '  /** Reads a key. */',
  '  async read(key) {',
  '    return key;',
  '  }',
  '',
  '  #hidden() {}',
  '}',
  '',
  '/** Sends a body. */',
  'Store.prototype.send = function send(body) {',
  '  return body;',
  '};',
  '',
  '/** Adds one. */',
  'exports.inc = function (n) {',
  '  return n + 1;',
  '};',
  '',
  'module.exports.join = join;',
  'module.exports.Store = Store;',
  '',
].join('\n');

describe('listSymbols (javascript)', () => {
  it('reads declarations, arrows, class methods, prototype and exports assignments, with JSDoc', async () => {
    const syms = await listSymbols(SHAPES, 'javascript', { path: 'lib/store.js' });
    expect(syms.map((s) => [s.name, s.kind, s.access, s.exported])).toEqual([
      ['join', 'function', 'join', true],
      ['local', 'function', 'local', false],
      ['Store.constructor', 'method', 'Store.prototype.constructor', true],
      ['Store.where', 'method', 'Store.where', true],
      ['Store.read', 'method', 'Store.prototype.read', true],
      ['Store.send', 'method', 'Store.prototype.send', true],
      ['inc', 'function', 'exports.inc', true],
    ]);
    const m = byName(syms);
    expect(m.get('join')).toMatchObject({
      startLine: 8,
      endLine: 10,
      signature: 'function join(parts)',
      doc: 'Joins parts.\n@param {string[]} parts',
    });
    expect(m.get('Store.where')).toMatchObject({
      isStatic: true,
      indent: '  ',
      signature: 'static where(key)',
    });
    expect(m.get('Store.read')).toMatchObject({
      isAsync: true,
      doc: 'Reads a key.',
      startLine: 31,
      endLine: 33,
    });
    expect(m.get('local')!.signature).toBe('const local = (x) =>');
  });

  it('ES modules: export forms, JSDoc above `export`, default exports, export lists', async () => {
    const src = [
      '/** Doubles. */',
      'export function double(x) { return 2 * x; }',
      '',
      '/** Default. */',
      'export default function main() {}',
      '',
      'function listed() {}',
      'const hidden = function () {};',
      'export { listed };',
      '',
      'export class Acc {',
      '  /** Adds. */',
      '  add(k) { return k; }',
      '}',
    ].join('\n');
    const syms = await listSymbols(src, 'javascript', { path: 'src/a.mjs' });
    expect(syms.map((s) => [s.name, s.exported, s.doc])).toEqual([
      ['double', true, 'Doubles.'],
      ['main', true, 'Default.'],
      ['listed', true, ''],
      ['hidden', false, ''],
      ['Acc.add', true, 'Adds.'],
    ]);
  });

  it('CommonJS: module.exports = {...}, module.exports = f and object-literal methods', async () => {
    const src = [
      'function a() {}',
      'function b() {}',
      'module.exports = { a, renamed: b, /** C. */ c(x) { return x; } };',
    ].join('\n');
    const syms = await listSymbols(src, 'javascript', { path: 'x.cjs' });
    expect(syms.map((s) => [s.name, s.exported, s.access])).toEqual([
      ['a', true, 'a'],
      ['b', true, 'b'],
      ['c', true, 'module.exports.c'],
    ]);
    const single = await listSymbols(
      'module.exports = function debounce(fn) { return fn; };\n',
      'javascript',
    );
    expect(single.map((s) => [s.name, s.access])).toEqual([['debounce', 'module.exports']]);
  });

  it('parses TypeScript by the path, and reports a syntax error per file', async () => {
    const ts = [
      'export interface Options { depth: number }',
      '/** Walks. */',
      'export function walk(o: Options, depth = 0): number { return o.depth + depth; }',
      'export class Tree<T> {',
      '  private items: T[] = [];',
      '  /** Adds. */',
      '  public add(item: T): this { this.items.push(item); return this; }',
      '}',
    ].join('\n');
    const syms = await listSymbols(ts, 'javascript', { path: 'src/tree.ts' });
    expect(syms.map((s) => [s.name, s.doc])).toEqual([
      ['walk', 'Walks.'],
      ['Tree.add', 'Adds.'],
    ]);
    const out = await listSymbolsOfFiles([{ path: 'bad.js', source: 'function (' }], 'javascript');
    expect(out.get('bad.js')).toEqual({ error: expect.stringMatching(/^SyntaxError: .*\(line 1\)$/) });
  });
});

describe('changedSymbols', () => {
  it('tells added from modified methods and functions; same names are matched in order', async () => {
    const after = UNITS.replace(
      'return self.value < other.value',
      'return self.value <= other.value',
    ).replace(
      'def _helper(x):\n    return x',
      'def _helper(x):\n    return x\n\n\ndef added():\n    """New."""',
    );
    const changed = await changedSymbols(UNITS, after, 'python');
    expect(changed.map((s) => [s.name, s.change])).toEqual([
      ['Unit.__lt__', 'modified'],
      ['added', 'added'],
    ]);
    expect((await changedSymbols(null, 'def f():\n    pass\n', 'python')).map((s) => s.change)).toEqual([
      'added',
    ]);
    const js = await changedSymbols(SHAPES, SHAPES.replace('return key;', 'return key + 1;'), 'javascript');
    expect(js.map((s) => [s.name, s.change])).toEqual([['Store.read', 'modified']]);
  });
});

describe('replaceSymbol', () => {
  it('python: a method reply (wrapped in its class, with an import) goes in place, re-indented', async () => {
    const lt = byName(await listSymbols(UNITS, 'python')).get('Unit.__lt__')!;
    const reply = [
      '```python',
      'import operator',
      '',
      'class Unit(Enum):',
      '    def __lt__(self, other):',
      '        """Shorter."""',
      '        return operator.lt(self.value, other.value)',
      '```',
    ]
      .slice(1, -1)
      .join('\n');
    const out = replaceSymbol(UNITS, 'python', lt, reply);
    const lines = out.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '"""Units of length."""',
      'from enum import Enum',
      'from functools import total_ordering',
      'import operator',
      '',
    ]);
    expect(out).toContain(
      '    def __lt__(self, other):\n        """Shorter."""\n        return operator.lt(self.value, other.value)\n\n    @staticmethod',
    );
    // Everything else byte for byte.
    expect(out.replace('import operator\n', '')).toBe(
      UNITS.replace(
        lt.text,
        '    def __lt__(self, other):\n        """Shorter."""\n        return operator.lt(self.value, other.value)',
      ),
    );
    const syms = byName(await listSymbols(out, 'python'));
    expect(syms.get('Unit.parse')!.startLine).toBe(18);
  });

  it('python: an unindented decorated method, a multi-line string kept as it is', async () => {
    const meta = byName(await listSymbols(UNITS, 'python')).get('Unit.Meta.label')!;
    const reply = '@staticmethod\ndef label():\n    """A label."""\n    return """unit\nof length"""\n';
    const out = replaceSymbol(UNITS, 'python', meta, reply);
    expect(out).toContain(
      '    class Meta:\n        @staticmethod\n        def label():\n            """A label."""\n            return """unit\nof length"""\n\n\ntry:',
    );
    const again = byName(await listSymbols(out, 'python')).get('Unit.Meta.label')!;
    expect(again.isStatic).toBe(true);
  });

  it('python: a top-level function goes through insertCode (its helpers and imports come along)', async () => {
    const fetch = byName(await listSymbols(UNITS, 'python')).get('fetch')!;
    const out = replaceSymbol(
      UNITS,
      'python',
      fetch,
      'import asyncio\n\nasync def fetch(url: str) -> str:\n    """Fetch."""\n    await asyncio.sleep(0)\n    return url\n',
    );
    expect(out).toContain('import asyncio');
    expect(out).toContain('    await asyncio.sleep(0)');
    expect(out).toContain('class Unit(Enum):');
  });

  it('javascript: a method reply alone, or inside a class, replaces the member; imports follow the file style', async () => {
    const read = byName(await listSymbols(SHAPES, 'javascript')).get('Store.read')!;
    const alone = replaceSymbol(SHAPES, 'javascript', read, 'async read(key) {\n  return `${key}\n!`;\n}');
    expect(alone).toContain(
      '  /** Reads a key. */\n  async read(key) {\n    return `${key}\n!`;\n  }\n\n  #hidden() {}',
    );
    const wrapped = replaceSymbol(
      SHAPES,
      'javascript',
      read,
      "import fs from 'fs';\n\nclass Store {\n  async read(key) {\n    return fs.readFileSync(key, 'utf8');\n  }\n}\n",
    );
    expect(wrapped).toContain("const fs = require('fs');");
    expect(wrapped).toContain("  async read(key) {\n    return fs.readFileSync(key, 'utf8');\n  }");
    expect(wrapped).toContain('  get size() {'); // the rest of the class stays
    const send = byName(await listSymbols(SHAPES, 'javascript')).get('Store.send')!;
    const viaFunction = replaceSymbol(
      SHAPES,
      'javascript',
      send,
      'function send(body) {\n  return String(body);\n}',
    );
    expect(viaFunction).toContain('Store.prototype.send = function send(body) {\n  return String(body);\n};');
    expect(() => replaceSymbol(SHAPES, 'javascript', read, 'function other() {}')).toThrow(
      /does not define Store\.read/,
    );
  });
});

describe('typescript', () => {
  it('lists functions, class methods (parameter properties, modifiers), non-exported ones and overloads', async () => {
    const src = [
      "import { clamp } from './util.js';",
      'export enum Kind { A, B }',
      '/** Pads a value. */',
      'export function pad(v: string): string;',
      'export function pad(v: number): string;',
      'export function pad(v: string | number): string {',
      '  return String(v).padStart(3, "0");',
      '}',
      '/** Hidden helper. */',
      'function twice<T extends number>(n: T): number { return n * 2; }',
      'export class Box<T> {',
      '  constructor(private readonly value: T, public size = 1) {}',
      '  /** Gets it. */',
      '  get(): T;',
      '  get(fallback: T): T;',
      '  public get(fallback?: T): T { return this.value ?? fallback!; }',
      '  /** Scales. */',
      '  private static scale(n: number): number { return clamp(n * 2, 0, 9); }',
      '  abstractLike?(): void;',
      '}',
      '',
    ].join('\n');
    const syms = await listSymbols(src, 'typescript', { path: 'src/box.ts' });
    const by = new Map(syms.map((s) => [s.name, s]));
    expect([...by.keys()]).toEqual(['pad', 'twice', 'Box.constructor', 'Box.get', 'Box.scale']);
    expect(by.get('pad')).toMatchObject({
      startLine: 3 + 1,
      endLine: 8,
      doc: 'Pads a value.',
      exported: true,
    });
    expect(by.get('pad')!.text).toMatch(/^export function pad\(v: string\): string;/);
    expect(by.get('twice')).toMatchObject({ doc: 'Hidden helper.', exported: false });
    expect(by.get('Box.get')).toMatchObject({ doc: 'Gets it.', startLine: 14, endLine: 16 });
    expect(by.get('Box.scale')).toMatchObject({ isStatic: true, access: 'Box.scale', doc: 'Scales.' });
  });
});

describe('typescript overloads: a candidate replaces the implementation, the signatures stay', () => {
  const src = [
    "import { a } from './a';",
    '/** Pads. */',
    'export function pad(v: string): string;',
    'export function pad(v: number): string;',
    'export function pad(v: any): string {',
    '  return String(v);',
    '}',
    'export const z = 1;',
    'class B {',
    '  /** g */',
    '  get(): number;',
    '  get(x: number): number;',
    '  get(x?: number): number { return x ?? 1; }',
    '}',
    '',
  ].join('\n');

  it('top-level function', async () => {
    const pad = (await listSymbols(src, 'typescript', { path: 'a.ts' })).find((s) => s.name === 'pad')!;
    expect(pad).toMatchObject({ startLine: 3, implementationLine: 5, endLine: 7 });
    const out = replaceSymbol(
      src,
      'typescript',
      pad,
      'export function pad(v: any): string {\n  return String(v) + "!";\n}\n',
    );
    expect(out).toBe(src.replace('  return String(v);', '  return String(v) + "!";'));
    // A candidate with its own overloads replaces them too.
    const own = replaceSymbol(
      src,
      'typescript',
      pad,
      'export function pad(v: string | number): string;\nexport function pad(v: any): string {\n  return "x";\n}\n',
    );
    expect(own).toContain(
      'export function pad(v: string | number): string;\nexport function pad(v: any): string {\n  return "x";\n}',
    );
    expect(own).not.toContain('export function pad(v: number): string;');
  });

  it('method', async () => {
    const get = (await listSymbols(src, 'typescript', { path: 'a.ts' })).find((s) => s.name === 'B.get')!;
    expect(get).toMatchObject({ startLine: 11, implementationLine: 13, endLine: 13 });
    const out = replaceSymbol(src, 'typescript', get, 'get(x?: number): number { return x ?? 2; }');
    expect(out).toBe(src.replace('return x ?? 1;', 'return x ?? 2;'));
  });
});
