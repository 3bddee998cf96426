// Reads a task spec from an issue or PR body: the sections of the shipped issue form
// (.github/ISSUE_TEMPLATE/cosplay.yml renders `### Language`, `### Kind`, ...) or a fenced ```yaml block with
// the same keys. The body is sanitised first (see sanitize.ts); validation is strict and every problem is
// reported with what to write instead.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Language, TaskKind, UnitTest } from '../types.js';
import { checkRepoPath, type PathPolicy } from '../repo/paths.js';
import { parseExamples } from './examples.js';
import { sanitizeUntrusted } from './sanitize.js';
import { findFences, skipString, unwrapFence } from '../text/scan.js';
import {
  FIELD_LABELS,
  type SpecField,
  type SpecParseResult,
  type SpecProblem,
  type TaskSpec,
} from './types.js';

export interface ParseSpecOptions extends PathPolicy {}

/** The longest field we accept (GitHub caps issue bodies at 65536 characters). */
const MAX_FIELD = 20_000;
const MAX_BODY = 262_144;

interface RawSpec {
  fields: Partial<Record<SpecField, string>>;
  /** yaml only: an explicit entry point. */
  entryPoint?: string;
  /** yaml only: the task's id (`id: HumanEval/0`), which names a recorded task to a replay endpoint. */
  taskId?: string;
  /** yaml only: structured examples (list of strings or objects). */
  exampleItems?: unknown[];
  source: 'form' | 'yaml';
  problems: SpecProblem[];
  warnings: string[];
}

export function parseTaskSpec(body: string, options: ParseSpecOptions = {}): SpecParseResult {
  const warnings: string[] = [];
  if (typeof body !== 'string' || body.trim() === '') {
    return fail([{ field: 'body', message: 'The body is empty: it needs a task spec.' }], warnings, {});
  }
  if (body.length > MAX_BODY) {
    return fail(
      [{ field: 'body', message: `The body is longer than ${MAX_BODY} characters; shorten it.` }],
      warnings,
      {},
    );
  }
  const text = sanitizeUntrusted(body);
  const raw = extractYaml(text) ?? extractForm(text);
  if (!raw) {
    return fail(
      [
        {
          field: 'body',
          message:
            'No task spec was found: use the CoSPlay issue form (sections `### Language`, `### Kind`, `### Target file`, ...) or add a fenced ```yaml block with the keys language, kind, target, signature, description, examples, constraints.',
        },
      ],
      warnings,
      {},
    );
  }
  warnings.push(...raw.warnings);
  return validate(raw, options, warnings);
}

function fail(
  problems: SpecProblem[],
  warnings: string[],
  partial: Extract<SpecParseResult, { ok: false }>['partial'],
) {
  return { ok: false as const, problems, warnings, partial };
}

// ---------------------------------------------------------------------------------------------------------
// Extraction

const YAML_KEYS: Record<string, SpecField | 'entryPoint' | 'taskId'> = {
  id: 'taskId',
  task_id: 'taskId',
  language: 'language',
  lang: 'language',
  kind: 'kind',
  type: 'kind',
  target: 'target',
  target_file: 'target',
  file: 'target',
  path: 'target',
  signature: 'signature',
  signature_or_io_format: 'signature',
  io_format: 'signature',
  io: 'signature',
  format: 'signature',
  interface: 'signature',
  description: 'description',
  problem: 'description',
  statement: 'description',
  examples: 'examples',
  example: 'examples',
  constraints: 'constraints',
  constraint: 'constraints',
  entry_point: 'entryPoint',
  entrypoint: 'entryPoint',
  function: 'entryPoint',
};

function normaliseKey(k: string): string {
  return k
    .trim()
    .toLowerCase()
    .replace(/[\s/-]+/g, '_');
}

function extractYaml(text: string): RawSpec | null {
  for (const fence of findFences(text)) {
    if (fence.info !== 'yaml' && fence.info !== 'yml') continue;
    let doc: unknown;
    // The usual mistake, shown in the README: an unquoted value with `: ` in it (`signature: def f(x: int) ->
    // int`). Such lines are quoted before parsing (line by line, so the parser's line numbers stay those of
    // the block), and any other error is reported where it is.
    const quoted = quotePlainValues(fence.content);
    try {
      doc = parseYaml(quoted, { maxAliasCount: 50, prettyErrors: true });
    } catch (err) {
      // A yaml block that names spec keys but does not parse is a broken spec, not "no spec".
      if (/^\s*(language|kind|target|signature|description)\s*:/m.test(fence.content)) {
        const detail = (err instanceof YAMLParseError ? err.message.split('\n')[0]! : String(err)).replace(
          /[\s:.]+$/,
          '',
        );
        return {
          fields: {},
          source: 'yaml',
          problems: [
            {
              field: 'body',
              message: `The \`\`\`yaml block does not parse: ${detail}. Check indentation, quote values that contain \`: \` or start with a special character, and use \`|\` for text that spans several lines.`,
            },
          ],
          warnings: [],
        };
      }
      continue;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) continue;
    const raw: RawSpec = { fields: {}, source: 'yaml', problems: [], warnings: [] };
    let known = 0;
    for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
      const field = YAML_KEYS[normaliseKey(key)];
      if (!field) {
        raw.warnings.push(`Unknown key \`${key}\` in the yaml spec was ignored.`);
        continue;
      }
      known++;
      if (field === 'taskId') {
        if ((typeof value === 'string' || typeof value === 'number') && String(value).trim() !== '')
          raw.taskId = String(value).trim();
        else raw.warnings.push(`\`${key}\` must be a task id such as HumanEval/0; it was ignored.`);
        continue;
      }
      if (field === 'entryPoint') {
        if (typeof value === 'string') raw.entryPoint = value.trim();
        else raw.problems.push({ field: 'signature', message: '`entry_point` must be a function name.' });
        continue;
      }
      if (raw.fields[field] !== undefined) {
        raw.warnings.push(`\`${key}\` repeats ${FIELD_LABELS[field]}; the first value was used.`);
        continue;
      }
      if (field === 'examples' && Array.isArray(value)) {
        raw.exampleItems = value;
        raw.fields.examples = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
        continue;
      }
      if (field === 'constraints' && Array.isArray(value)) {
        raw.fields.constraints = value
          .map((v) => `- ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('\n');
        continue;
      }
      if (value === null || value === undefined) {
        raw.fields[field] = '';
        continue;
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        raw.problems.push({
          field,
          message: `\`${key}\` must be text, not a ${Array.isArray(value) ? 'list' : 'mapping'}.`,
        });
        continue;
      }
      raw.fields[field] = String(value);
    }
    // Unrelated yaml (a workflow, a manifest with `kind:`) is not a spec: it needs two spec keys, one of them
    // specific to specs.
    const keys = Object.keys(doc as Record<string, unknown>).map((k) => YAML_KEYS[normaliseKey(k)]);
    const specific = keys.some(
      (k) => k === 'language' || k === 'target' || k === 'signature' || k === 'description',
    );
    if (known < 2 || !specific) continue;
    return raw;
  }
  return null;
}

/** Quotes top-level `key: value` lines whose plain value contains `: ` (YAML would read a nested mapping). */
function quotePlainValues(yamlText: string): string {
  return yamlText
    .split('\n')
    .map((line) => {
      const m = /^([A-Za-z_][\w-]*):[ \t]+(.*?)\s*$/.exec(line);
      if (!m || !(normaliseKey(m[1]!) in YAML_KEYS)) return line;
      // a comment (` #`) stays a comment
      const hash = m[2]!.search(/\s#/);
      const value = hash < 0 ? m[2]! : m[2]!.slice(0, hash).trimEnd();
      const comment = hash < 0 ? '' : m[2]!.slice(hash);
      if (!/:\s/.test(value) || /^['"|>[{&*!#]/.test(value)) return line;
      return `${m[1]}: '${value.replace(/'/g, "''")}'${comment}`;
    })
    .join('\n');
}

/** Maps a section heading of the issue form (or a hand-written body) to a field. */
export function fieldForHeading(heading: string): SpecField | null {
  const h = heading
    .replace(/[*_`]/g, '')
    .replace(/\(.*?\)/g, ' ')
    .trim()
    .toLowerCase();
  if (/\blanguage\b/.test(h)) return 'language';
  if (/^kind\b|\bkind of task\b|\btask (kind|type)\b|^type$/.test(h)) return 'kind';
  if (/^target\b|\btarget file\b|^file\b|^path\b/.test(h)) return 'target';
  if (/signature|\bi\/o\b|input\/output|input and output|^format\b|\binterface\b/.test(h)) return 'signature';
  if (/^examples?\b|\bexamples?$/.test(h)) return 'examples';
  if (/^constraints?\b|\bconstraints?$|^limits\b/.test(h)) return 'constraints';
  if (/^description\b|^problem\b|^statement\b|^task$/.test(h)) return 'description';
  return null;
}

function extractForm(text: string): RawSpec | null {
  const lines = text.split('\n');
  const raw: RawSpec = { fields: {}, source: 'form', problems: [], warnings: [] };
  let current: { field: SpecField; level: number; lines: string[] } | null = null;
  const sections: Array<{ field: SpecField; level: number; lines: string[] }> = [];
  let fence: string | null = null;
  for (const line of lines) {
    if (fence) {
      current?.lines.push(line);
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = open[1]!;
      current?.lines.push(line);
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const field = fieldForHeading(heading[2]!);
      if (field && level >= 2) {
        current = { field, level, lines: [] };
        sections.push(current);
        continue;
      }
      if (current && level < current.level) current = null;
    }
    current?.lines.push(line);
  }
  if (sections.length === 0) return null;
  for (const s of sections) {
    const value = s.lines.join('\n').trim();
    if (raw.fields[s.field] !== undefined) {
      raw.warnings.push(`The section ${FIELD_LABELS[s.field]} appears twice; the first one was used.`);
      continue;
    }
    raw.fields[s.field] = value === '_No response_' ? '' : value;
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

/** Normalises a language name. */
export function normaliseLanguage(value: string): Language | null {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/\s+\(.*\)$/, '');
  if (['python', 'python3', 'py', 'cpython'].includes(v)) return 'python';
  if (['javascript', 'js', 'node', 'nodejs', 'node.js', 'ecmascript', 'mjs', 'cjs'].includes(v))
    return 'javascript';
  if (['typescript', 'ts', 'tsx', 'mts', 'cts'].includes(v)) return 'typescript';
  return null;
}

export function normaliseKind(value: string): TaskKind | null {
  const v = value.trim().toLowerCase().replace(/[`*_]/g, '');
  if (/^(function|func|fn|def)\b/.test(v)) return 'function';
  if (/^(stdio|stdin|program|script|console|standard input)/.test(v)) return 'stdio';
  return null;
}

const EXTENSIONS: Record<Language, string[]> = {
  python: ['.py'],
  javascript: ['.js', '.mjs', '.cjs'],
  typescript: ['.ts', '.mts', '.cts', '.tsx'],
};

/** First non-empty line of a short field, without Markdown decoration. */
function shortValue(value: string | undefined): string {
  if (value === undefined) return '';
  const line = unwrapFence(value)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return (line ?? '')
    .replace(/^[-*]\s+/, '')
    .replace(/^\*\*(.*)\*\*$/, '$1')
    .replace(/^`(.*)`$/, '$1')
    .trim();
}

function validate(raw: RawSpec, options: ParseSpecOptions, warnings: string[]): SpecParseResult {
  const problems = [...raw.problems];
  if (problems.some((p) => p.field === 'body')) {
    return { ok: false, problems, warnings, partial: { source: raw.source } };
  }
  const f = raw.fields;
  for (const [field, value] of Object.entries(f) as Array<[SpecField, string]>) {
    if (value.length > MAX_FIELD) {
      problems.push({
        field,
        message: `${FIELD_LABELS[field]} is longer than ${MAX_FIELD} characters; shorten it.`,
      });
      f[field] = value.slice(0, MAX_FIELD);
    }
  }

  // language
  let language: Language | undefined;
  const langText = shortValue(f.language);
  if (langText === '')
    problems.push({
      field: 'language',
      message: 'Language is missing: write `python`, `javascript` or `typescript`.',
    });
  else {
    const l = normaliseLanguage(langText);
    if (l === null)
      problems.push({
        field: 'language',
        message: `Language \`${clip(langText)}\` is not supported: write \`python\`, \`javascript\` or \`typescript\`.`,
      });
    else language = l;
  }

  // kind
  let kind: TaskKind | undefined;
  const kindText = shortValue(f.kind);
  if (kindText === '')
    problems.push({
      field: 'kind',
      message:
        'Kind is missing: write `function` (a function called with arguments) or `stdio` (a program that reads stdin and writes stdout).',
    });
  else {
    kind = normaliseKind(kindText) ?? undefined;
    if (!kind)
      problems.push({
        field: 'kind',
        message: `Kind \`${clip(kindText)}\` is not known: write \`function\` or \`stdio\`.`,
      });
  }

  // target
  let target: string | undefined;
  const targetText = shortValue(f.target);
  if (targetText === '')
    problems.push({
      field: 'target',
      message: `Target file is missing: give the repository path the code goes into, e.g. \`${language === 'javascript' ? 'src/math.js' : language === 'typescript' ? 'src/math.ts' : 'src/mathutil.py'}\`.`,
    });
  else {
    const check = checkRepoPath(targetText, options);
    if (!check.ok)
      problems.push({
        field: 'target',
        message: `Target file \`${clip(targetText)}\` cannot be used: ${check.reason}.`,
      });
    else {
      const ext = extensionOf(check.path);
      if (language && !EXTENSIONS[language].includes(ext))
        problems.push({
          field: 'target',
          message: `Target file \`${check.path}\` does not fit language ${language}: use a ${EXTENSIONS[language].join(', ')} file.`,
        });
      else target = check.path;
    }
  }

  // signature / I/O format
  let signature: string | undefined;
  let ioFormat: string | undefined;
  let entryPoint: string | undefined;
  const sigText = f.signature !== undefined ? unwrapFence(f.signature).trim() : '';
  if (kind === 'function') {
    if (sigText === '' && !raw.entryPoint) {
      problems.push({
        field: 'signature',
        message: `Signature is missing: a function task needs the function's signature, e.g. \`${language === 'javascript' ? 'function add(a, b)' : language === 'typescript' ? 'function add(a: number, b: number): number' : 'def add(a: int, b: int) -> int'}\`.`,
      });
    } else {
      signature = sigText === '' ? undefined : stripBody(sigText, language);
      if (raw.entryPoint !== undefined) {
        // `Class.method`: a method of a class of the target file.
        if (!raw.entryPoint.split('.').every(isIdentifier) || raw.entryPoint.split('.').length > 2)
          problems.push({
            field: 'signature',
            message: `\`entry_point\` \`${clip(raw.entryPoint)}\` is not a function name (or \`Class.method\`).`,
          });
        else entryPoint = raw.entryPoint;
      } else {
        entryPoint = entryPointFromSignature(sigText, language) ?? undefined;
        if (!entryPoint)
          problems.push({
            field: 'signature',
            message: `The function's name could not be read from the signature \`${clip(sigText.split('\n')[0]!)}\`: write it as \`${language && language !== 'python' ? 'function name(args)' : 'def name(args) -> type'}\`.`,
          });
      }
      if (signature && language === 'python' && /^\s*(export\s+)?(async\s+)?function\b/m.test(signature))
        problems.push({
          field: 'signature',
          message: 'The signature is JavaScript but the language is python.',
        });
      if (signature && language && language !== 'python' && /^\s*(async\s+)?def\s/m.test(signature))
        problems.push({
          field: 'signature',
          message: `The signature is Python but the language is ${language}.`,
        });
    }
  } else if (kind === 'stdio') {
    if (sigText !== '') ioFormat = sigText;
    else
      warnings.push('No I/O format was given; the description must say what the program reads and prints.');
  }

  // description
  const description = (f.description ?? '').trim();
  if (description === '')
    problems.push({
      field: 'description',
      message: 'Description is missing: say what the code must do, in a few sentences.',
    });
  else if (description.replace(/\s+/g, ' ').length < 10)
    problems.push({
      field: 'description',
      message: 'Description is too short to specify a task: say what the code must do, with its edge cases.',
    });

  // examples and constraints
  const examples = (f.examples ?? '').trim();
  const constraints = (f.constraints ?? '').trim();
  let exampleTests: UnitTest[] = [];
  if (language && kind) {
    const parsed = raw.exampleItems
      ? parseYamlExamples(raw.exampleItems, { kind, language, entryPoint })
      : parseExamples(examples, { kind, language, entryPoint: entryPoint?.split('.')[0] });
    exampleTests = parsed.tests;
    if (examples === '')
      warnings.push('No examples were given; one to three examples make the generated tests much better.');
    else if (parsed.unparsed.length > 0)
      warnings.push(
        `${parsed.unparsed.length} example line(s) could not be read as tests and are passed to the model as text${kind === 'function' ? ' (write them as `f(1, 2) == 3`)' : ' (label them `Input:` and `Output:`)'}.`,
      );
  }

  if (problems.length > 0 || !language || !kind || !target) {
    // A field flagged while reading (e.g. a mapping where text belongs) is not also reported as missing.
    const flagged = new Set(raw.problems.map((p) => p.field));
    const reported = problems.filter((p, i) => i < raw.problems.length || !flagged.has(p.field));
    return {
      ok: false,
      problems: reported,
      warnings,
      partial: { language, kind, target, source: raw.source },
    };
  }
  const spec: TaskSpec = {
    language,
    kind,
    target,
    description,
    examples,
    exampleTests,
    constraints,
    source: raw.source,
  };
  if (signature !== undefined) spec.signature = signature;
  if (ioFormat !== undefined) spec.ioFormat = ioFormat;
  if (entryPoint !== undefined) spec.entryPoint = entryPoint;
  if (raw.taskId !== undefined) spec.id = raw.taskId;
  return { ok: true, spec, warnings };
}

function parseYamlExamples(
  items: unknown[],
  task: { kind: TaskKind; language: Language; entryPoint?: string },
) {
  const tests: UnitTest[] = [];
  const unparsed: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      const p = parseExamples(item, task);
      tests.push(...p.tests);
      unparsed.push(...p.unparsed);
    } else if (item && typeof item === 'object') {
      const o = item as Record<string, unknown>;
      const expected = o.expected ?? o.output ?? o.returns ?? o.result;
      if (task.kind === 'function' && typeof o.call === 'string' && expected !== undefined) {
        tests.push({
          call: o.call.trim(),
          expected: typeof expected === 'string' ? expected.trim() : JSON.stringify(expected),
        });
      } else if (task.kind === 'stdio' && o.input !== undefined && expected !== undefined) {
        tests.push({ input: withNewline(String(o.input)), expected: withNewline(String(expected)) });
      } else unparsed.push(JSON.stringify(item));
    } else unparsed.push(String(item));
  }
  return { tests, unparsed };
}

function withNewline(s: string): string {
  return s.endsWith('\n') || s === '' ? s : s + '\n';
}

function extensionOf(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

function clip(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

const RESERVED = new Set(
  'if else for while do return function class def lambda const let var new delete typeof in of import export from async await yield try catch finally with pass raise not and or is None True False null undefined true false this self print'.split(
    ' ',
  ),
);

function isIdentifier(s: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(s) && !RESERVED.has(s);
}

/** The function name in a signature (`def f(`, `function f(`, `const f = (`, `f(a, b) -> int`). */
export function entryPointFromSignature(signature: string, language?: Language): string | null {
  const s = signature.replace(/^\s*@.*$/gm, '');
  const patterns: RegExp[] = [
    /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/m,
    /(?:^|\s)(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[(<]/m,
    /(?:^|\s)(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/m,
    /(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/m,
    /^\s*([A-Za-z_$][\w$]*)\s*\(/m,
  ];
  const ordered =
    language === 'javascript' || language === 'typescript'
      ? [patterns[1]!, patterns[2]!, patterns[3]!, patterns[0]!, patterns[4]!]
      : patterns;
  for (const re of ordered) {
    const m = re.exec(s);
    if (m && isIdentifier(m[1]!)) return m[1]!;
  }
  return null;
}

/**
 * A signature without a body: the decorators and the header of the first function (`def f(...) -> T`, no
 * colon / `function f(...)`), dropping a body or a placeholder (`...`, `pass`, `{ }`) the author may have written.
 */
export function stripBody(signature: string, language?: Language): string {
  const s = signature.trim();
  if (language === 'python' || /^\s*(async\s+)?def\s/m.test(s)) {
    const def = /^[ \t]*(?:async\s+)?def\s/m.exec(s);
    if (!def) return s;
    const decorators = s
      .slice(0, def.index)
      .split('\n')
      .filter((l) => /^\s*@/.test(l));
    const rest = s.slice(def.index);
    const close = matchingParen(rest, rest.indexOf('('));
    if (close === -1) return s;
    const ret = /^\s*->\s*([^:\n]+)/.exec(rest.slice(close + 1));
    const header = rest.slice(0, close + 1) + (ret ? ` -> ${ret[1]!.trim()}` : '');
    return [...decorators, header.trim()].join('\n');
  }
  const open = s.indexOf('(');
  const close = matchingParen(s, open);
  if (close === -1) return s;
  const tail = /^\s*(?::\s*[^{=;\n]+)?(?:\s*=>)?/.exec(s.slice(close + 1))![0];
  return (s.slice(0, close + 1) + tail.replace(/\s*=>$/, ' =>')).trim();
}

/** Index of the `)` that closes the `(` at `open`, skipping strings; -1 when there is none. */
function matchingParen(s: string, open: number): number {
  if (open < 0) return -1;
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(s, i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i : -1;
    }
  }
  return -1;
}
