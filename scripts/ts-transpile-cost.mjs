#!/usr/bin/env node
// What running TypeScript costs per sandboxed process, measured on real files: loading the transpiler (once per
// process: the repository-context harness runs one process per test) and transpiling one module, for the bundled
// sucrase (dist/ts-transpile.cjs) beside TypeScript's own transpileModule (and amaro, Node's swc-wasm stripper,
// when its path is given). Each figure is the median of RUNS fresh processes.
//
//   node scripts/ts-transpile-cost.mjs FILE.ts [FILE.ts ...] [--typescript PATH] [--amaro PATH] [--runs N]
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const runs = Number(opt('--runs', '7'));
const tsPath = opt('--typescript', path.join(HERE, '..', 'node_modules', 'typescript'));
const amaro = opt('--amaro', null);
const files = args;

const probe = (loader, transform) => `
const t0 = process.hrtime.bigint();
const lib = require(${JSON.stringify(loader)});
const t1 = process.hrtime.bigint();
const fs = require('fs');
const out = [];
for (const f of ${JSON.stringify(files)}) {
  const code = fs.readFileSync(f, 'utf8');
  const a = process.hrtime.bigint();
  (${transform})(lib, code, f);
  out.push(Number(process.hrtime.bigint() - a) / 1e6);
}
console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, transform: out }));
`;
const tools = [
  [
    'sucrase (dist/ts-transpile.cjs)',
    path.join(HERE, '..', 'dist', 'ts-transpile.cjs'),
    "(s, code, f) => s.transform(code, { transforms: ['typescript', 'imports'], disableESTransforms: true, filePath: f })",
  ],
  [
    'typescript transpileModule',
    tsPath,
    '(ts, code, f) => ts.transpileModule(code, { fileName: f, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } })',
  ],
  ...(amaro
    ? [['amaro (transform mode)', amaro, "(a, code) => a.transformSync(code, { mode: 'transform' })"]]
    : []),
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, loader, transform] of tools) {
  const samples = [];
  for (let i = 0; i < runs; i++)
    samples.push(
      JSON.parse(execFileSync(process.execPath, ['-e', probe(loader, transform)], { encoding: 'utf8' })),
    );
  const load = median(samples.map((s) => s.load));
  const first = median(samples.map((s) => s.transform[0]));
  const rest = files.slice(1).map((_, k) => median(samples.map((s) => s.transform[k + 1])));
  console.log(
    JSON.stringify({
      transpiler: name,
      loadMs: +load.toFixed(1),
      firstModuleMs: +first.toFixed(1),
      laterModulesMs: rest.map((x) => +x.toFixed(1)),
      files: files.map((f) => `${path.basename(f)} (${statSync(f).size} bytes)`),
    }),
  );
}
