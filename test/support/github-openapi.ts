// Every request the fake GitHub receives is checked against GitHub's published OpenAPI description of
// api.github.com (the @octokit/openapi package) with Ajv: the path and method must be an operation of the
// REST API, path and query parameters must be declared and of the declared type (required ones present), and
// a JSON body must match the operation's request body schema, with no top-level field the schema does not
// name. So no test can pass on a request that GitHub would reject or ignore.
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> } | { $ref: string };
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation> & { parameters?: Array<Parameter | { $ref: string }> }>;
  components: Record<string, Record<string, unknown>>;
}

export interface GitHubRequest {
  method: string;
  /** The path below the API root, e.g. `/repos/o/r/pulls`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (undefined when empty). */
  body: unknown;
}

const DOC_ID = 'https://api.github.com/openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];
/** Path parameters that may hold slashes (a git ref, a file path, a branch). */
const SLASHED = new Set(['ref', 'path', 'branch', 'basehead']);

interface Route {
  template: string;
  regex: RegExp;
  loose: RegExp;
  names: string[];
  ops: Record<string, Operation>;
  shared: Array<Parameter | { $ref: string }>;
}

let loaded: { doc: Doc; routes: Route[]; ajv: Ajv } | undefined;
const bodyValidators = new Map<string, ValidateFunction | Error>();

/** The api.github.com description shipped by @octokit/openapi, parsed once per test file. */
export function githubDescription(): Doc {
  return load().doc;
}

function load() {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
  const routes: Route[] = Object.entries(doc.paths).map(([template, item]) => {
    const names: string[] = [];
    const source = (param: string) =>
      template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          if (param === '([^/]+)') names.push(m[1]!);
          return SLASHED.has(m[1]!) ? param : '([^/]+)';
        })
        .join('');
    const ops: Record<string, Operation> = {};
    for (const m of METHODS) if (item[m]) ops[m] = item[m] as Operation;
    const regex = new RegExp(`^${source('([^/]+)')}$`);
    const loose = new RegExp(`^${source('(.+?)')}$`);
    return { template, regex, loose, names, ops, shared: item.parameters ?? [] };
  });
  // literal segments first (`/repos/{o}/{r}/pulls/comments` before `/pulls/{pull_number}`)
  routes.sort((a, b) => a.names.length - b.names.length);
  // OpenAPI 3.0 schemas: Ajv knows `nullable`; descriptions, examples and x-* extensions are not keywords
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  loaded = { doc, routes, ajv };
  return loaded;
}

function deref<T>(doc: Doc, x: T | { $ref: string }): T {
  let v: unknown = x;
  for (let i = 0; i < 10 && v && typeof v === 'object' && '$ref' in (v as object); i++) {
    const ref = (v as { $ref: string }).$ref;
    const parts = ref.replace(/^#\//, '').split('/');
    v = parts.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], doc);
  }
  return v as T;
}

function typeOk(value: string, schema: Schema | undefined): string | null {
  if (!schema) return null;
  const type = schema.type;
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value))
    return `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (type === 'integer' && !/^-?\d+$/.test(value)) return 'must be an integer';
  if (type === 'number' && !Number.isFinite(Number(value))) return 'must be a number';
  if (type === 'boolean' && value !== 'true' && value !== 'false') return 'must be true or false';
  return null;
}

function bodyValidator(key: string, schema: Schema): ValidateFunction | Error {
  let v = bodyValidators.get(key);
  if (v) return v;
  const { ajv } = load();
  // references point into the description; the top level names every field GitHub accepts
  const top: Schema = JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`),
  ) as Schema;
  if (top.type === 'object' && top.properties && top.additionalProperties === undefined)
    top.additionalProperties = false;
  try {
    v = ajv.compile(top);
  } catch (err) {
    v = err as Error;
  }
  bodyValidators.set(key, v);
  return v;
}

/**
 * The reasons GitHub's description rejects this request (empty: it is a valid request). Names the operation
 * it matched, when one did.
 */
export function validateGitHubRequest(req: GitHubRequest): string[] {
  const { doc, routes } = load();
  const method = req.method.toLowerCase();
  const path = req.path.replace(/\/+$/, '') || '/';
  let matching = routes.filter((r) => r.regex.test(path));
  // a parameter such as a git ref may hold slashes (`heads/main`)
  if (matching.length === 0) matching = routes.filter((r) => r.loose.test(path));
  if (matching.length === 0) return [`${req.method} ${path}: no such path in the GitHub REST API`];
  const route = matching.find((r) => r.ops[method]);
  if (!route)
    return [
      `${req.method} ${path}: ${matching[0]!.template} has no ${req.method} operation (it has ${Object.keys(matching[0]!.ops).join(', ').toUpperCase()})`,
    ];
  const op = route.ops[method]!;
  const name = `${req.method} ${route.template} (${op.operationId ?? '?'})`;
  const problems: string[] = [];
  const params = [...route.shared, ...(op.parameters ?? [])].map((p) => deref<Parameter>(doc, p));

  const values = (route.regex.exec(path) ?? route.loose.exec(path))!.slice(1).map(decodeURIComponent);
  route.names.forEach((n, i) => {
    const p = params.find((x) => x.in === 'path' && x.name === n);
    const why = typeOk(values[i]!, p?.schema);
    if (why) problems.push(`path parameter ${n}=${JSON.stringify(values[i])} ${why}`);
  });

  const query = params.filter((p) => p.in === 'query');
  for (const [k, v] of Object.entries(req.query)) {
    const p = query.find((x) => x.name === k);
    if (!p) {
      problems.push(`query parameter ${k} is not a parameter of this operation`);
      continue;
    }
    const why = typeOk(v, p.schema);
    if (why) problems.push(`query parameter ${k}=${JSON.stringify(v)} ${why}`);
  }
  for (const p of query)
    if (p.required && !(p.name in req.query)) problems.push(`query parameter ${p.name} is required`);

  const rb = op.requestBody ? deref<NonNullable<Operation['requestBody']>>(doc, op.requestBody) : undefined;
  const content = rb && 'content' in rb ? rb.content : undefined;
  const schema = content?.['application/json']?.schema;
  const empty = req.body === undefined || req.body === '';
  if (rb && 'required' in rb && rb.required && empty) problems.push('the request body is required');
  if (!empty) {
    if (!schema) {
      if (method !== 'get' && method !== 'delete' && method !== 'head')
        problems.push('this operation takes no JSON body');
    } else {
      const v = bodyValidator(`${method} ${route.template}`, schema);
      if (v instanceof Error) problems.push(`the body schema could not be compiled: ${v.message}`);
      else if (!v(req.body))
        for (const e of v.errors ?? [])
          problems.push(
            `body${e.instancePath ? ` ${e.instancePath}` : ''} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
          );
    }
  }
  return problems.map((p) => `${name}: ${p}`);
}
