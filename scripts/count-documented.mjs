#!/usr/bin/env node
// The independent count behind scripts/real-repos.sh: how many documented functions and methods a repository
// has, measured WITHOUT the source model the dry-run uses (src/repo/symbols.ts), then compared with the
// dry-run's JSON.
//
//   Python: ast.walk over EVERY node of every source file: each def/async def with a docstring whose enclosing
//   scopes are classes or the module (a function nested in a function is unreachable from the module and is
//   counted apart, as are definitions under `if __name__ == '__main__':`). The symbol model walks the tree
//   structurally (module, classes, if/try/with blocks), so this
//   also catches definitions it would miss (inside for/while/match bodies, classes in odd places).
//   JavaScript: text, no parser: a `/** ... */` block followed by a line that defines a function or method
//   (`function f(`, `f(...) {`, `async f(`, `static f(`, `f = function`, `f: function`, `const f = (...) =>`,
//   `X.prototype.f = function`); getters, setters and type-only blocks (@typedef, @callback) are not functions.
//
//   TypeScript: the same, on lines with their modifiers, type parameters and return types taken off; a function's
//   documented overload signatures and its implementation count once; declaration files (.d.ts) are not read.
//
//   node scripts/count-documented.mjs DIR python|javascript|typescript  > documented.json
//   node scripts/count-documented.mjs --compare documented.json gate.json [SECONDS]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SKIP = new Set([
  'node_modules',
  'site-packages',
  'dist-packages',
  '.venv',
  'venv',
  'env',
  '.tox',
  '.nox',
  '.git',
  'dist',
  'build',
  '__pycache__',
  'coverage',
  'vendor',
  'bower_components',
  '.next',
  '.eggs',
  'test',
  'tests',
  '__tests__',
  'spec',
  'specs',
  'testing',
]);

function files(root, exts, rel = '') {
  const out = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP.has(e.name) && !e.name.startsWith('.')) out.push(...files(root, exts, r));
    } else if (
      exts.test(e.name) &&
      !/^(test_.*|.*_test|conftest|setup)\.py$/.test(e.name) &&
      !/\.(test|spec|min)\.[cm]?[jt]sx?$/.test(e.name) &&
      !/\.d\.[cm]?ts$/.test(e.name)
    ) {
      if (statSync(path.join(root, r)).size <= 1024 * 1024) out.push(r);
    }
  }
  return out;
}

const PY = String.raw`
import ast, json, sys
root = sys.argv[1]
out = {'documented': [], 'nested': 0, 'unparsed': []}
seen = set()  # one name defined twice (if/else alternatives, a property's getter and setter) is one function
for rel in json.loads(sys.stdin.read()):
    try:
        tree = ast.parse(open(root + '/' + rel, encoding='utf-8').read())
    except Exception as e:
        out['unparsed'].append(rel)
        continue
    parent = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not ast.get_docstring(node):
            continue
        names, p, nested, child = [node.name], parent.get(node), False, node
        while p is not None:
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                nested = True
            elif isinstance(p, ast.If) and child in p.body and "__name__" in ast.dump(p.test) and "'__main__'" in ast.dump(p.test):
                nested = True  # under the main guard: never defined when the module is imported
            elif isinstance(p, ast.ClassDef):
                names.insert(0, p.name)
            child, p = p, parent.get(p)
        if nested:
            out['nested'] += 1
        elif (rel, '.'.join(names)) not in seen:
            seen.add((rel, '.'.join(names)))
            out['documented'].append({'path': rel, 'name': '.'.join(names), 'member': node.name})
print(json.dumps(out))
`;

// [pattern, where]: 'top' definitions count at column 0 only (indented, they are nested in a function and
// unreachable from the module: counted apart); 'member' ones (method syntax) only when indented (in a class or
// object body; at column 0 that shape is a call).
// TypeScript adds modifiers, type parameters and return types (see tsLine: they are taken off the line first).
const JS_DEF = [
  [/^module\.exports\s*=\s*(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/, 'top'],
  [/^(?:export\s+(?:default\s+)?)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/, 'top'],
  [
    /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>|\()/,
    'top',
  ],
  [
    /^(?:[A-Za-z_$][\w$]*\.)+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/,
    'top',
  ],
  [/^([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?function\b/, 'member'],
  [/^(?:static\s+)?(?:async\s+)?\*?\s*([A-Za-z_$][\w$]*)\s*\([^)]*\)?\s*\{?\s*$/, 'member'],
  [/^(?:static\s+)?(?:async\s+)?\*?\s*([A-Za-z_$][\w$]*)\s*\(.*\)\s*\{/, 'member'],
];
const NOT_NAMES = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'return',
  'function',
  'get',
  'set',
  'with',
  'typeof',
  'new',
  'await',
]);

// A TypeScript definition line without its types and modifiers, so that JS_DEF reads it:
// `public static async f<T>(a: T): Promise<T> {` -> `static async f(a: T) {`.
function tsLine(line) {
  return line
    .replace(
      /^(?:export\s+)?(?:declare\s+)?(?:(?:public|private|protected|override|readonly|abstract|accessor)\s+)+/,
      '',
    )
    .replace(
      /^((?:export\s+(?:default\s+)?)?(?:static\s+)?(?:async\s+)?(?:function\s*\*?\s*)?[A-Za-z_$][\w$]*)\s*<[^(]*?>\s*\(/,
      '$1(',
    )
    .replace(/^((?:export\s+)?(?:const|let|var)\s+[A-Za-z_$][\w$]*)\s*:[^=]+=/, '$1 =')
    .replace(/=\s*(async\s+)?<[^(]*?>\s*\(/, '= $1(')
    .replace(/\)\s*:\s*[^{;=]*?(\s*(?:=>|\{|;|$))/, ')$1');
}

function countJs(root, ts = false) {
  const documented = [];
  let nested = 0;
  for (const rel of files(root, ts ? /\.[cm]?tsx?$/ : /\.[cm]?js$/)) {
    // TypeScript overloads: the documented signatures and the implementation are ONE function.
    const overloaded = new Set();
    const src = readFileSync(path.join(root, rel), 'utf8');
    const head = src.split('\n').slice(0, 20);
    if (head.some((l) => l.length > 5000) || src.length / Math.max(1, src.split('\n').length) > 300) continue;
    for (const m of src.matchAll(/\/\*\*([\s\S]*?)\*\/[ \t]*\r?\n((?:[ \t]*\r?\n)?)([^\n]*)/g)) {
      const body = m[1];
      if (/@typedef|@callback/.test(body) && !/@(param|returns?)\b/.test(body)) continue;
      const line = ts ? tsLine(m[3].trim()) : m[3].trim();
      const indented = /^[ \t]/.test(m[3]);
      if (/^(get|set)\s+[A-Za-z_$]/.test(line)) continue;
      for (const [re, where] of JS_DEF) {
        const d = re.exec(line);
        if (!d || NOT_NAMES.has(d[1])) continue;
        if (where === 'member' && (!indented || /\bfunction\b|;\s*$/.test(line))) continue;
        // TypeScript: a name defined again at the top level of a module is an overload (one function); a value
        // computed by an immediately invoked function (`= (() => { ... })()`) is not a function.
        if (ts && where === 'top' && !indented) {
          if (overloaded.has(d[1]) || /=\s*\(\s*(?:\(|function\b|async\b)/.test(line)) break;
          overloaded.add(d[1]);
        }
        if (where === 'top' && indented) nested++;
        else documented.push({ path: rel, name: d[1], member: d[1] });
        break;
      }
    }
  }
  return { documented, nested, unparsed: [] };
}

function count(root, language) {
  if (language === 'python') {
    const list = files(root, /\.py$/);
    const out = execFileSync(process.env.COSPLAY_PYTHON || '/usr/bin/python3', ['-c', PY, root], {
      input: JSON.stringify(list),
      maxBuffer: 1 << 28,
    });
    return JSON.parse(out.toString());
  }
  return { language, ...countJs(root, language === 'typescript') };
}

function compare(documentedFile, gateFile, seconds) {
  const doc = JSON.parse(readFileSync(documentedFile, 'utf8'));
  // Only the counted language (a TypeScript package may ship its compiled JavaScript beside the sources).
  const gate = JSON.parse(readFileSync(gateFile, 'utf8')).targets.filter(
    (t) => !doc.language || doc.language === 'python' || t.language === doc.language,
  );
  // Match by (path, member name): the text count does not know class names.
  const pool = new Map();
  for (const t of gate) {
    const k = `${t.path}\0${t.name.split('.').pop()}`;
    pool.set(k, [...(pool.get(k) ?? []), t]);
  }
  let found = 0;
  const missing = [];
  for (const d of doc.documented) {
    const k = `${d.path}\0${d.member}`;
    const hit = pool.get(k);
    if (hit && hit.length > 0) {
      hit.shift();
      found++;
    } else missing.push(`${d.path}:${d.name}`);
  }
  const extra = [...pool.values()].reduce((n, l) => n + l.length, 0);
  const loads = gate.filter((t) => t.loads).length;
  const reasons = new Map();
  for (const t of gate) if (!t.loads) reasons.set(t.reason, (reasons.get(t.reason) ?? 0) + 1);
  const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
  const summary = {
    documented: doc.documented.length,
    nestedNotCounted: doc.nested,
    found,
    foundShare: pct(found, doc.documented.length),
    listedNotInCount: extra,
    targets: gate.length,
    methods: gate.filter((t) => t.kind === 'method').length,
    loads,
    loadShare: pct(loads, gate.length),
    topReasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5),
    missingExamples: missing.slice(0, 8),
    seconds: seconds ? Number(Number(seconds).toFixed(1)) : undefined,
  };
  console.log(JSON.stringify(summary, null, 2));
}

const args = process.argv.slice(2);
if (args[0] === '--compare') compare(args[1], args[2], args[3]);
else console.log(JSON.stringify(count(path.resolve(args[0]), args[1] ?? 'python')));
