// The architecture as a check: every relative import in src/**/*.ts (import ... from, export ... from,
// import type, dynamic import()) runs down this order of layers, and no files import each other, directly or
// in a circle. Type-only imports count: they are dependencies a reader follows too.
//
//   1. index.ts, cli.ts            the bundles' entries
//   2. main.ts                     the action's entry
//   3. commands/                   the CLI's commands (they reuse the action's pieces)
//   4. action/                     inputs, event, context: calls one mode
//   5. modes/, bench/              the three modes; the benchmark (peers: neither imports the other)
//   6. cosplay/, replay/           the method; the replay model (peers)
//   7. llm/, exec/, data/, github/, taskspec/   adapters (peers)
//   8. render/                     test files, reports, comments
//   9. repo/                       repository files: paths, detection, lexing, writing code
//  10. text/                       the scanner of strings and brackets
//  11. types.ts                    the shared vocabulary
//
// A file may import files of its own group (folder) and of any lower layer, never a higher layer or another
// group of its own layer. Inside modes/, each mode's folder (solve/, gate/, repair/) imports only itself and
// modes/*.ts (types, params), never another mode.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

const LAYERS: string[][] = [
  ['index.ts', 'cli.ts'],
  ['main.ts'],
  ['commands'],
  ['action'],
  ['modes', 'bench'],
  ['cosplay', 'replay'],
  ['llm', 'exec', 'data', 'github', 'taskspec'],
  ['render'],
  ['repo'],
  ['text'],
  ['types.ts'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers of a file's static and dynamic imports and re-exports. */
function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The file a relative specifier names (`./x.js` -> x.ts), or null. */
function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')])
    if (existsSync(candidate)) return candidate;
  return null;
}

const rel = (file: string): string => path.relative(SRC, file).split(path.sep).join('/');
/** A file's group: its top folder under src/, or its name for the files at the top. */
const groupOf = (file: string): string => rel(file).split('/')[0]!;

function layerOf(group: string): number {
  const i = LAYERS.findIndex((l) => l.includes(group));
  if (i === -1) throw new Error(`src/${group} is in no layer: add it to LAYERS in test/layers.test.ts`);
  return i;
}

/** Why `from` may not import `to`, or null when it may. */
function violation(from: string, to: string): string | null {
  const [a, b] = [groupOf(from), groupOf(to)];
  if (a === b) {
    if (a !== 'modes') return null;
    // modes/<mode>/... may use its own folder and modes/*.ts only.
    const [ma, mb] = [rel(from).split('/'), rel(to).split('/')];
    if (ma.length > 2 && mb.length > 2 && ma[1] !== mb[1])
      return `one mode imports another (modes/${ma[1]} -> modes/${mb[1]})`;
    if (ma.length === 2 && mb.length > 2) return `modes/*.ts are shared by the modes and import none of them`;
    return null;
  }
  const [la, lb] = [layerOf(a), layerOf(b)];
  if (la < lb) return null;
  return la === lb
    ? `${a} and ${b} are peers (layer ${la + 1}) and do not import each other`
    : `${a} (layer ${la + 1}) is below ${b} (layer ${lb + 1})`;
}

/** The import graph of src/: file -> files it imports (relative imports only). */
function importGraph(): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const targets: string[] = [];
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(file, spec);
      if (target) targets.push(target);
      else unresolved.push(`${rel(file)}: ${spec}`);
    }
    graph.set(file, targets);
  }
  return { graph, unresolved };
}

/** Every cycle found by a depth-first search, each as a path that ends where it starts. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (u: string): void => {
    state.set(u, 'open');
    stack.push(u);
    for (const v of graph.get(u) ?? []) {
      if (state.get(v) === 'open') cycles.push([...stack.slice(stack.indexOf(v)), v]);
      else if (!state.has(v)) visit(v);
    }
    stack.pop();
    state.set(u, 'done');
  };
  for (const u of [...graph.keys()].sort()) if (!state.has(u)) visit(u);
  return cycles;
}

describe('the import graph of src/', () => {
  const { graph, unresolved } = importGraph();

  it('resolves every relative import', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('has no cycles', () => {
    const cycles = findCycles(graph).map((c) => c.map(rel).join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('runs down the layers', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph)
      for (const to of targets) {
        const why = violation(from, to);
        if (why) wrong.push(`${rel(from)} -> ${rel(to)}: ${why}`);
      }
    expect(wrong).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one', () => {
    const [a, b] = [path.join(SRC, 'repo/detect.ts'), path.join(SRC, 'repo/write.ts')];
    expect(
      findCycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ).map((c) => c.map(rel)),
    ).toEqual([['repo/detect.ts', 'repo/write.ts', 'repo/detect.ts']]);
    expect(violation(path.join(SRC, 'modes/solve/mode.ts'), path.join(SRC, 'action/event.ts'))).toMatch(
      /modes \(layer 5\) is below action \(layer 4\)/,
    );
    expect(
      violation(path.join(SRC, 'modes/repair/locate.ts'), path.join(SRC, 'modes/gate/files.ts')),
    ).toMatch(/one mode imports another/);
    expect(violation(path.join(SRC, 'llm/index.ts'), path.join(SRC, 'replay/index.ts'))).not.toBeNull();
  });
});
