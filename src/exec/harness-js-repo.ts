// The JavaScript harness for repository context: a single-use process (inside its own sandbox) that loads ONE
// code as the real module of a repository file and runs ONE test, then exits. A fresh process per test is the
// per-test isolation here: Node cannot fork after importing, and a repository's module graph (its siblings,
// node_modules, ES modules) cannot be re-evaluated in a vm context the way a standalone program is.
//
// Loading: the candidate's text replaces the target file for this process only, through Node's own loaders
// (the CommonJS extension hook, and an ES-module load hook registered with module.register), so that relative
// imports, package exports, installed dependencies and the module format are exactly what the repository uses.
// An epilogue appended to the candidate's text hands the harness a lookup of the module's top-level bindings
// (exported or not) for the names the test mentions; the test expression is evaluated with those bindings in
// scope, under a vm timeout.
//
// Protocol: as the standalone harness (the job on stdin, {"load"} then {"j","cell"} on stdout), with
// job.repo = {root, file, format} and job.names = identifiers the tests use.
import { JS_SERIALISE } from './harness-js.js';

// How a TypeScript specifier resolves when Node's own resolution does not find it (or, `aliasOnly`, when a
// tsconfig path alias other than a bare `*` matches it first): './x.js' is './x.ts', './x' is './x.ts' or
// './x/index.ts', an alias maps to its targets. Shared by the CommonJS resolver and the ES-module resolve hook
// (which runs in its own thread: the text is embedded there as a string). Needs `fs` and `path` in scope.
// TypeScript to JavaScript for one file: sucrase; for a file with what sucrase does not run (a namespace with
// values, decorators) the repository's own \`typescript\` package when it is installed (\`fallback\`: its path).
const TS_TRANSFORM_SOURCE = String.raw`
function tsTransformer(req, transpiler, fallback, esm) {
  const sucrase = req(transpiler);
  let tsc;
  const needsTsc = (code) => /^[ 	]*(?:export\s+)?(?:namespace|module)\s+[A-Za-z_$][\w$.]*\s*\{/m.test(code) || /^[ 	]*@[A-Za-z_$][\w$.]*\s*(?:\(|$)/m.test(code);
  return (code, file) => {
    if (fallback && needsTsc(code)) {
      tsc = tsc || req(fallback);
      return tsc.transpileModule(code, {
        fileName: file,
        compilerOptions: {
          module: esm ? tsc.ModuleKind.ESNext : tsc.ModuleKind.CommonJS,
          target: tsc.ScriptTarget.ES2022,
          esModuleInterop: true,
          experimentalDecorators: true,
          jsx: tsc.JsxEmit.React,
        },
      }).outputText;
    }
    const transforms = ['typescript'].concat(/\.tsx$/i.test(file) ? ['jsx'] : []).concat(esm ? [] : ['imports']);
    return sucrase.transform(code, { transforms, disableESTransforms: true, filePath: file }).code;
  };
}
`;

const TS_RESOLVE_SOURCE = String.raw`
function tsFile(b) {
  const isFile = (p) => { try { return fs.statSync(p).isFile(); } catch (e) { return false; } };
  const cands = [];
  const m = /\.(m|c)?jsx?$/.exec(b);
  if (m) {
    const stem = b.slice(0, b.length - m[0].length);
    cands.push(stem + (m[1] === 'm' ? '.mts' : m[1] === 'c' ? '.cts' : '.ts'), stem + '.tsx');
  }
  cands.push(b);
  for (const e of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']) cands.push(b + e);
  for (const e of ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs']) cands.push(path.join(b, 'index' + e));
  for (const c of cands) if (isFile(c)) return c;
  return null;
}
function tsResolve(spec, from, aliases, aliasOnly) {
  if (typeof spec !== 'string' || spec.startsWith('node:') || /^[a-z][a-z0-9+.-]*:/i.test(spec) && !spec.startsWith('file:')) return null;
  const isRel = spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
  const bases = [];
  if (aliasOnly) {
    if (isRel) return null;
    let best = null;
    for (const a of aliases || []) {
      if (a.pattern === '*') continue;
      const star = a.pattern.indexOf('*');
      let m = null;
      if (star < 0) { if (spec === a.pattern) m = ''; }
      else {
        const pre = a.pattern.slice(0, star);
        const suf = a.pattern.slice(star + 1);
        if (spec.length >= pre.length + suf.length && spec.startsWith(pre) && spec.endsWith(suf)) m = spec.slice(pre.length, spec.length - suf.length);
      }
      // The longest matching prefix wins, as in TypeScript.
      if (m !== null && (!best || a.pattern.length > best.a.pattern.length)) best = { a, m };
    }
    if (best) for (const t of best.a.targets) bases.push(t.split('*').join(best.m));
  } else if (spec.startsWith('file:')) {
    try { bases.push(decodeURIComponent(new URL(spec).pathname)); } catch (e) {}
  } else if (isRel) bases.push(path.resolve(from, spec));
  else for (const a of aliases || []) if (a.pattern === '*') for (const t of a.targets) bases.push(t.split('*').join(spec));
  for (const b of bases) {
    const f = tsFile(b);
    if (f) return f;
  }
  return null;
}
`;

export const JS_REPO_HARNESS = String.raw`
'use strict';
const fs = require('fs');
const vm = require('vm');
const util = require('util');
const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');
const CFG = JSON.parse(process.argv[1]);
const OUTLIM = CFG.outputLimit;
const ERRCAP = 4000;
const SCOPE = Symbol.for('cosplay.scope');

if (CFG.dropTo) {
  process.setgroups([]);
  process.setgid(CFG.dropTo[1]);
  process.setuid(CFG.dropTo[0]);
}

function emit(obj) {
  let buf = Buffer.from(JSON.stringify(obj) + '\n', 'utf8');
  while (buf.length > 0) buf = buf.subarray(fs.writeSync(1, buf));
}
function capTail(s, n) {
  n = n || ERRCAP;
  s = String(s);
  return s.length <= n ? s : '...' + s.slice(s.length - n);
}
function isTimeout(e) {
  return !!e && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}
function isMemory(e) {
  if (!e || typeof e !== 'object') return false;
  return e.name === 'RangeError' && /allocation failed|Failed to allocate memory|Invalid array length|Invalid typed array length|Invalid string length|out of memory|Array buffer allocation/i.test(String(e.message || ''));
}
// The error and the stack frames that are the repository's (not Node's internals, not this harness).
function fmtErr(e) {
  try {
    if (e && typeof e === 'object' && typeof e.stack === 'string') {
      const head = [];
      const frames = [];
      for (const l of e.stack.split('\n')) {
        if (/^\s+at /.test(l)) {
          if (!/node:internal|\[eval\]|cosplay-(test|expected)\.js|data:text\/javascript/.test(l) && frames.length < 8) frames.push(l);
        } else if (frames.length === 0) head.push(l);
      }
      return capTail(head.concat(frames).join('\n'));
    }
    if (e && typeof e === 'object' && e.message) return capTail(String(e.name || 'Error') + ': ' + e.message);
    return capTail('Uncaught ' + util.inspect(e));
  } catch (x) {
    return 'exception';
  }
}
${JS_SERIALISE}

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof var void while with yield await static implements interface package private protected public undefined NaN Infinity arguments eval').split(' '));

// The module's bindings for the names the tests use, read at the end of the module's own text.
function epilogue(names) {
  const cases = names
    .filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !RESERVED.has(n))
    .map((n) => 'case ' + JSON.stringify(n) + ': return [' + n + '];')
    .join(' ');
  return '\n;Object.defineProperty(globalThis, Symbol.for("cosplay.scope"), { configurable: true, value: (n) => { try { switch (n) { ' +
    cases + ' } } catch (e) {} return undefined; } });\n';
}

let asyncError = null;
process.on('uncaughtException', (e) => { if (!asyncError) asyncError = e; });
process.on('unhandledRejection', (e) => { if (!asyncError) asyncError = e; });

async function load(job) {
  const repo = job.repo;
  const tail = epilogue(job.names || []);
  const source = job.code + tail;
  const url = pathToFileURL(repo.file).href;
  if (repo.ts) return loadTypeScript(job, url, tail);
  for (const ext of ['.js', '.cjs']) {
    const original = Module._extensions[ext] || Module._extensions['.js'];
    Module._extensions[ext] = function (m, filename) {
      if (filename === repo.file) return m._compile(source, filename);
      return original(m, filename);
    };
  }
  if (repo.format === 'module' || /\.mjs$/.test(repo.file)) return importEsm(url, source);
  try {
    return require(repo.file);
  } catch (e) {
    // A .js file with ES-module syntax in a package without "type": what newer Node versions detect.
    if (e && (e.code === 'ERR_REQUIRE_ESM' || /Cannot use import statement|Unexpected token 'export'/.test(String(e.message))))
      return importEsm(url, source);
    throw e;
  }
}

// ES modules: a load hook serves the candidate's text for the target's URL.
const ESM_HOOKS =
  'let target, source;\n' +
  'export async function initialize(d) { target = d.url; source = d.source; }\n' +
  'export async function load(url, context, next) {\n' +
  '  if (url === target) return { format: "module", source, shortCircuit: true };\n' +
  '  return next(url, context);\n' +
  '}\n';
function importEsm(url, source) {
  Module.register('data:text/javascript,' + encodeURIComponent(ESM_HOOKS), { data: { url, source } });
  return import(url);
}

// TypeScript: every .ts/.tsx/.mts/.cts file the module graph reaches is transpiled on load (sucrase, required
// from job.repo.ts.transpiler), ES modules by a load hook and CommonJS by extension hooks; the target's text is
// the candidate's. Specifiers resolve as TypeScript resolves them: './x.js' for './x.ts', no extension, a
// directory's index, the tsconfig's path aliases.
${TS_RESOLVE_SOURCE}
const TS_RESOLVE = ${JSON.stringify(TS_RESOLVE_SOURCE)};
${TS_TRANSFORM_SOURCE}
const TS_TRANSFORM = ${JSON.stringify(TS_TRANSFORM_SOURCE)};
function loadTypeScript(job, url, tail) {
  const repo = job.repo;
  const ts = repo.ts;
  const toCjs = tsTransformer(require, ts.transpiler, ts.fallback, false);
  for (const ext of ['.ts', '.tsx', '.cts', '.mts']) {
    Module._extensions[ext] = function (m, filename) {
      const text = filename === repo.file ? job.code : fs.readFileSync(filename, 'utf8');
      const js = toCjs(text, filename);
      return m._compile(filename === repo.file ? js + tail : js, filename);
    };
  }
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    const from = parent && parent.filename ? path.dirname(parent.filename) : repo.root;
    const aliased = tsResolve(request, from, ts.aliases, true);
    if (aliased) return aliased;
    try {
      return resolveFilename.call(this, request, parent, isMain, options);
    } catch (e) {
      const found = tsResolve(request, from, ts.aliases, false);
      if (found) return found;
      throw e;
    }
  };
  if (repo.format === 'module') {
    Module.register('data:text/javascript,' + encodeURIComponent(TS_ESM_HOOKS), {
      data: { url, source: job.code, tail, transpiler: ts.transpiler, fallback: ts.fallback || null, aliases: ts.aliases },
    });
    return import(url);
  }
  return require(repo.file);
}
const TS_ESM_HOOKS =
  'import { createRequire } from "node:module";\n' +
  'import fs from "node:fs";\n' +
  'import path from "node:path";\n' +
  'import { pathToFileURL, fileURLToPath } from "node:url";\n' +
  'let D, toJs;\n' +
  TS_TRANSFORM +
  TS_RESOLVE +
  'export async function initialize(d) { D = d; toJs = tsTransformer(createRequire(d.transpiler), d.transpiler, d.fallback, true); }\n' +
  'const isTs = (u) => /^file:.*\\.(m?ts|tsx)$/i.test(u);\n' +
  'function js(code, u) { return toJs(code, fileURLToPath(u)); }\n' +
  'export async function resolve(spec, context, next) {\n' +
  '  const from = context.parentURL && context.parentURL.startsWith("file:") ? path.dirname(fileURLToPath(context.parentURL)) : process.cwd();\n' +
  '  const aliased = tsResolve(spec, from, D.aliases, true);\n' +
  '  if (aliased) return { url: pathToFileURL(aliased).href, shortCircuit: true };\n' +
  '  try { return await next(spec, context); } catch (e) {\n' +
  '    const found = tsResolve(spec, from, D.aliases, false);\n' +
  '    if (found) return { url: pathToFileURL(found).href, shortCircuit: true };\n' +
  '    throw e;\n' +
  '  }\n' +
  '}\n' +
  'export async function load(url, context, next) {\n' +
  '  if (url === D.url) return { format: "module", source: (isTs(url) ? js(D.source, url) : D.source) + D.tail, shortCircuit: true };\n' +
  '  if (isTs(url)) return { format: "module", source: js(fs.readFileSync(fileURLToPath(url), "utf8"), url), shortCircuit: true };\n' +
  '  if (/^file:.*\\.cts$/i.test(url)) return { format: "commonjs", shortCircuit: true };\n' +
  '  return next(url, context);\n' +
  '}\n';

function asValue(source) {
  return '(' + String(source).replace(/[\s;]+$/, '') + '\n)';
}

// Evaluates a test expression with the module's bindings in scope, under the time left.
async function evaluate(expr, filename, names, deadline) {
  const lookup = globalThis[SCOPE];
  const params = [];
  const values = [];
  for (const n of names) {
    if (RESERVED.has(n) || !/^[A-Za-z_$][\w$]*$/.test(n)) continue;
    const found = typeof lookup === 'function' ? lookup(n) : undefined;
    if (found) {
      params.push(n);
      values.push(found[0]);
    }
  }
  let fn;
  try {
    fn = vm.runInThisContext('(function (' + params.join(', ') + ') { return ' + asValue(expr) + '; })', { filename });
  } catch (e) {
    fn = vm.runInThisContext('(function (' + params.join(', ') + ') { ' + expr + '\n})', { filename });
  }
  globalThis.__cosplay_call = () => fn(...values);
  const left = Math.max(1, deadline - Date.now());
  let v = vm.runInThisContext('__cosplay_call()', { timeout: left, filename: 'cosplay.js' });
  if (v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function') {
    let timer;
    try {
      v = await Promise.race([
        Promise.resolve(v),
        new Promise((_, reject) => {
          timer = setTimeout(() => { const e = new Error('Script execution timed out.'); e.code = 'ERR_SCRIPT_EXECUTION_TIMEOUT'; reject(e); }, Math.max(1, deadline - Date.now()));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
  if (asyncError) throw asyncError;
  return v;
}

function failCell(e) {
  if (isTimeout(e)) return { status: 'timeout', error: 'timed out after ' + CFG.timeoutMs + ' ms' };
  if (isMemory(e)) return { status: 'memory', error: fmtErr(e) };
  return { status: 'exception', error: fmtErr(e) };
}

async function runTest(job, test, deadline) {
  const names = job.names || [];
  const cell = { status: 'ok' };
  let value;
  try {
    value = await evaluate(job.mode === 'expected' ? test.expr : test.call, 'cosplay-test.js', names, deadline);
  } catch (e) {
    return failCell(e);
  }
  const text = serialise(value);
  if (text === null) return { status: 'output_limit', error: 'the returned value is larger than the output limit' };
  cell.value = text;
  if (typeof test.expected === 'string') {
    try {
      const ev = await evaluate(test.expected, 'cosplay-expected.js', names, deadline);
      const et = serialise(ev);
      if (et === null) cell.expectedError = 'the expected value is larger than the output limit';
      else cell.expectedValue = et;
    } catch (e) {
      cell.expectedError = fmtErr(e);
    }
  }
  return cell;
}

async function main() {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'));
  CFG.timeoutMs = job.timeoutMs;
  try { process.chdir(job.repo.root); } catch (e) {}
  try {
    await load(job);
    if (asyncError) throw asyncError;
  } catch (e) {
    emit({ load: 'fail', cell: failCell(e) });
    return;
  }
  emit({ load: 'ok' });
  for (let j = 0; j < job.tests.length; j++) {
    let cell;
    try {
      cell = await runTest(job, job.tests[j], Date.now() + job.timeoutMs);
    } catch (e) {
      cell = { status: 'crash', error: 'harness: ' + fmtErr(e) };
    }
    emit({ j, cell });
  }
}

main().then(
  () => process.exit(0),
  (e) => { process.stderr.write('cosplay harness: ' + (e && e.stack || e) + '\n'); process.exit(70); },
);
`;
