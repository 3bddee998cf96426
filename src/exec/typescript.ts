// TypeScript on Node: the transpiler (sucrase), found and loaded only when a TypeScript task needs it, and how a
// repository's TypeScript is resolved (its tsconfig's path aliases).
//
// Why sucrase: it is pure JavaScript (no native or WebAssembly binary, so the same file runs on the host and
// inside the sandbox on every Node version), it keeps line numbers (tracebacks point at the repository's own
// lines, which the repair maps to functions), and it handles what Node's type stripping does not: constructor
// parameter properties, enums, `import x = require()`. It costs about a third of TypeScript's own
// transpileModule to load (see docs/gate-and-repair.md, "TypeScript"). What it does not do: type-check, and run
// decorators or non-type namespaces (a module that needs them does not load and says why).
//
// Where the transpiler is: in the bundle, `ts-transpile.cjs` beside dist/cli.js (one self-contained file, built
// by scripts/build.mjs, required only by a TypeScript run); in development, the `sucrase` package under
// node_modules. The harnesses require the same file inside the sandbox, which shows it read-only.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Path helpers the bundler does not follow: it reads path.join/resolve calls on unknown directories as globs
// of the working directory and copies every file they could name into dist/.
const paths = {
  join: (...parts: string[]): string => path.join(...parts),
  resolve: (...parts: string[]): string => path.resolve(...parts),
};

export const TRANSPILER_BUNDLE = 'ts-transpile.cjs';

/** True for TypeScript source paths (.ts, .tsx, .mts, .cts; not declaration files). */
export function isTypeScriptFile(p: string | undefined): boolean {
  return !!p && /\.(m|c)?tsx?$/i.test(p) && !/\.d\.(m|c)?ts$/i.test(p);
}

export interface TranspilerLocation {
  /** The file to require. */
  file: string;
  /** What the sandbox must show read-only for it to load (the file, or the node_modules it resolves from). */
  bind: string;
}

interface Sucrase {
  transform(
    code: string,
    options: { transforms: string[]; disableESTransforms?: boolean; filePath?: string; production?: boolean },
  ): { code: string };
}

let located: TranspilerLocation | null | undefined;
let loaded: Sucrase | undefined;

/** Where the transpiler is (null: neither the bundle's file nor the package is there). */
export function locateTranspiler(): TranspilerLocation | null {
  if (located !== undefined) return located;
  // Paths built from strings the bundler cannot follow: it would copy what it thinks they name into dist/.
  const url = String(import.meta.url);
  const bundled = [path.dirname(fileURLToPath(url)), TRANSPILER_BUNDLE].join(path.sep);
  if (existsSync(bundled)) return (located = { file: bundled, bind: bundled });
  try {
    const name = ['suc', 'rase'].join('');
    const file = createRequire(url).resolve(name);
    const marker = `${path.sep}node_modules${path.sep}`;
    const at = file.lastIndexOf(marker, file.lastIndexOf(`${marker}${name}${path.sep}`));
    const bind = at >= 0 ? file.slice(0, at + marker.length - 1) : path.dirname(file);
    located = { file, bind };
  } catch {
    located = null;
  }
  return located;
}

function transpiler(): Sucrase {
  if (loaded) return loaded;
  const where = locateTranspiler();
  if (!where)
    throw new Error(
      `the TypeScript transpiler is missing: neither dist/${TRANSPILER_BUNDLE} nor the sucrase package was found`,
    );
  loaded = createRequire(String(import.meta.url))(where.file) as Sucrase;
  return loaded;
}

/** TypeScript module text as JavaScript: an ES module (`esm`) or, with its imports turned into require, CommonJS. */
export function transpileModule(code: string, format: 'esm' | 'commonjs', tsx = false): string {
  const transforms = ['typescript', ...(tsx ? ['jsx'] : []), ...(format === 'commonjs' ? ['imports'] : [])];
  return transpiler().transform(code, { transforms, disableESTransforms: true }).code;
}

/**
 * A TypeScript expression (a test's call or expected value: `f([1, 2] as number[])`, `new Box<number>(1)`) as
 * JavaScript; the expression itself when it does not parse (the harness then reports the error).
 */
export function transpileExpression(expr: string): string {
  try {
    const out = transpiler().transform(`(${expr}\n);`, {
      transforms: ['typescript'],
      disableESTransforms: true,
    }).code;
    return out.replace(/;\s*$/, '').trim();
  } catch {
    return expr;
  }
}

/**
 * The repository's own `typescript` package (its lib/typescript.js), from the file's directory up to the root:
 * what the harness falls back on for a file sucrase cannot run (a namespace with values, decorators).
 */
export function repositoryTypeScript(root: string, file: string): string | null {
  let dir = path.dirname(file);
  for (;;) {
    const p = paths.join(dir, 'node_modules', 'typescript', 'lib', 'typescript.js');
    if (existsSync(p)) return p;
    if (dir === root || path.dirname(dir) === dir || !dir.startsWith(root)) return null;
    dir = path.dirname(dir);
  }
}

// ------------------------------------------------------------------------------------------------ tsconfig

/** A tsconfig `paths` entry: `prefix*suffix` (or the exact pattern) maps to these targets (absolute, with `*`). */
export interface PathAlias {
  pattern: string;
  targets: string[];
}

/** JSON with comments and trailing commas (what tsconfig files are). */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

interface CompilerPaths {
  baseUrl?: string;
  paths?: Record<string, string[]>;
  /** The directory `paths` are relative to when there is no baseUrl (the config that set them). */
  pathsDir?: string;
}

function readConfig(file: string, root: string, depth = 0): CompilerPaths {
  if (depth > 8) return {};
  let json: { extends?: unknown; compilerOptions?: { baseUrl?: unknown; paths?: unknown } };
  try {
    json = parseJsonc(readFileSync(file, 'utf8')) as typeof json;
  } catch {
    return {};
  }
  const dir = path.dirname(file);
  let merged: CompilerPaths = {};
  const parents = Array.isArray(json.extends) ? json.extends : json.extends ? [json.extends] : [];
  for (const ext of parents) {
    if (typeof ext !== 'string') continue;
    // A relative path, or a package (found under the repository's node_modules; a package that is not
    // installed is left out, as the repository's own tools would fail on it, not on the code).
    const candidates = ext.startsWith('.')
      ? [paths.resolve(dir, ext), paths.resolve(dir, `${ext}.json`)]
      : [
          paths.join(root, 'node_modules', ext),
          paths.join(root, 'node_modules', `${ext}.json`),
          paths.join(root, 'node_modules', ext, 'tsconfig.json'),
        ];
    const found = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (found) merged = { ...merged, ...readConfig(found, root, depth + 1) };
  }
  const opts = json.compilerOptions ?? {};
  if (typeof opts.baseUrl === 'string') merged.baseUrl = paths.resolve(dir, opts.baseUrl);
  if (opts.paths && typeof opts.paths === 'object') {
    merged.paths = opts.paths as Record<string, string[]>;
    merged.pathsDir = dir;
  }
  return merged;
}

/**
 * The path aliases that apply to `file` of the repository: from the nearest tsconfig.json (or jsconfig.json)
 * between the file and the root, following relative `extends` and installed packages.
 */
export function pathAliases(root: string, file: string): PathAlias[] {
  let dir = path.dirname(file);
  for (;;) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const p = paths.join(dir, name);
      if (!existsSync(p)) continue;
      const cfg = readConfig(p, root);
      const base = cfg.baseUrl ?? cfg.pathsDir ?? dir;
      const out: PathAlias[] = [];
      for (const [pattern, targets] of Object.entries(cfg.paths ?? {}))
        if (Array.isArray(targets))
          out.push({
            pattern,
            targets: targets.filter((t) => typeof t === 'string').map((t) => paths.resolve(base, t)),
          });
      // baseUrl alone makes bare specifiers resolve from it (`import x from 'utils/x'`).
      if (cfg.baseUrl) out.push({ pattern: '*', targets: [paths.join(cfg.baseUrl, '*')] });
      return out;
    }
    if (dir === root || path.dirname(dir) === dir || !dir.startsWith(root)) return [];
    dir = path.dirname(dir);
  }
}
