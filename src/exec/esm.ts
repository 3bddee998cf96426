// JavaScript candidates come in every shape an LLM writes: CommonJS (`module.exports = f`, `exports.f = ...`),
// plain top-level declarations, and ES-module syntax (`export function f`, `export default`, `import x from`).
// The harness runs a classic script per test (a vm context), so ES-module syntax is rewritten to CommonJS here.
// The rewrite is line-based and only touches `import`/`export` at the start of a line.

const ID = '[A-Za-z_$][\\w$]*';

function requireExpr(mod: string): string {
  return `require(${JSON.stringify(mod)})`;
}

/** The names of an import or export list (`a, b as c`), each with its alias if it has one. */
function specifiers(list: string): Array<[name: string, alias: string | undefined]> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [a, b] = s.split(/\s+as\s+/);
      return [a!.trim(), b?.trim()];
    });
}

function importBindings(
  def: string | undefined,
  named: string | undefined,
  ns: string | undefined,
  mod: string,
): string {
  const parts: string[] = [];
  const tmp = `__cosplay_mod_${mod.replace(/\W/g, '_')}`;
  const needsTmp = [def, named, ns].filter(Boolean).length > 1;
  const src = needsTmp ? tmp : requireExpr(mod);
  if (needsTmp) parts.push(`const ${tmp} = ${requireExpr(mod)};`);
  if (def)
    parts.push(
      `const ${def} = (${src} && ${src}.__esModule && 'default' in ${src}) ? ${src}.default : ${src};`,
    );
  if (ns) parts.push(`const ${ns} = ${src};`);
  if (named) {
    const fields = specifiers(named).map(([a, b]) => (b ? `${a}: ${b}` : a));
    parts.push(`const { ${fields.join(', ')} } = ${src};`);
  }
  return parts.join(' ');
}

/** Rewrites ES-module import/export syntax at line starts into CommonJS that runs as a classic script. */
export function toScript(code: string): string {
  if (!/^[ \t]*(?:import|export)\b/m.test(code)) return code;
  const tail: string[] = [];
  let out = code;
  // export default function name(...) / export default async function* name
  out = out.replace(
    new RegExp(`^([ \\t]*)export\\s+default\\s+((?:async\\s+)?function\\s*\\*?)\\s*(${ID})?`, 'gm'),
    (_m, ind: string, fn: string, name?: string) => {
      if (name) {
        tail.push(`module.exports.default = ${name};`);
        return `${ind}${fn} ${name}`;
      }
      return `${ind}module.exports.default = ${fn}`;
    },
  );
  out = out.replace(
    new RegExp(`^([ \\t]*)export\\s+default\\s+class\\s+(${ID})`, 'gm'),
    (_m, ind: string, name: string) => {
      tail.push(`module.exports.default = ${name};`);
      return `${ind}class ${name}`;
    },
  );
  out = out.replace(/^([ \t]*)export\s+default\s+/gm, '$1module.exports.default = ');
  // export function / class / const / let / var
  out = out.replace(
    new RegExp(
      `^([ \\t]*)export\\s+((?:async\\s+)?function\\s*\\*?\\s*(${ID})|class\\s+(${ID})|(?:const|let|var)\\s+(${ID}))`,
      'gm',
    ),
    (_m, ind: string, decl: string, f?: string, c?: string, v?: string) => {
      const name = f ?? c ?? v;
      tail.push(`module.exports.${name} = ${name};`);
      return ind + decl;
    },
  );
  // export { a, b as c } [from 'm']
  out = out.replace(
    /^([ \t]*)export\s*\{([^}]*)\}\s*(?:from\s*(['"])([^'"]+)\3)?[ \t]*;?/gm,
    (_m, ind: string, names: string, _q?: string, from?: string) => {
      const pairs = specifiers(names).map(([a, b]) => [a, b ?? a] as const);
      if (from)
        return ind + pairs.map(([a, b]) => `module.exports.${b} = ${requireExpr(from)}.${a};`).join(' ');
      tail.push(...pairs.map(([a, b]) => `module.exports.${b} = ${a};`));
      return ind;
    },
  );
  // export * from 'm'
  out = out.replace(
    /^([ \t]*)export\s*\*\s*from\s*(['"])([^'"]+)\2[ \t]*;?/gm,
    (_m, ind: string, _q, mod: string) => {
      return `${ind}Object.assign(module.exports, ${requireExpr(mod)});`;
    },
  );
  // import x, { a, b as c } from 'm' / import * as ns from 'm' / import { a } from 'm'
  out = out.replace(
    new RegExp(
      `^([ \\t]*)import\\s+(?:(${ID})\\s*,?\\s*)?(?:\\{([^}]*)\\}|\\*\\s*as\\s+(${ID}))?\\s*from\\s*(['"])([^'"]+)\\5[ \\t]*;?`,
      'gm',
    ),
    (_m, ind: string, def?: string, named?: string, ns?: string, _q?: string, mod?: string) =>
      ind + importBindings(def, named, ns, mod!),
  );
  // import 'm'
  out = out.replace(/^([ \t]*)import\s*(['"])([^'"]+)\2[ \t]*;?/gm, (_m, ind: string, _q, mod: string) => {
    return `${ind}${requireExpr(mod)};`;
  });
  if (tail.length > 0) out += '\n;' + [...new Set(tail)].join('\n') + '\n';
  return out;
}
