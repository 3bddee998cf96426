// TaskSpec -> Task (src/types.ts). Function tasks get the HumanEval-style prompt the code model knows best:
// the signature with a docstring (Python) or a JSDoc block (JavaScript) holding the description, the
// examples and the constraints. Stdio tasks get a plain problem statement. `functionTask` builds the same
// kind of prompt for an existing function (the gate, repair) from its signature and documentation.
import type { FunctionTest, Language, StdioTest, Task } from '../types.js';
import { stripInvisible } from './sanitize.js';
import type { TaskSpec } from './types.js';

export interface SpecToTaskOptions {
  /** Task id, e.g. `owner/repo#12`; sent with every LLM request as x-cosplay-task. */
  id: string;
  /** Extra context for prompts (e.g. the target file's imports, from src/repo). */
  context?: string;
}

export function specToTask(spec: TaskSpec, options: SpecToTaskOptions): Task {
  const task: Task = {
    id: options.id,
    language: spec.language,
    kind: spec.kind,
    prompt: buildPrompt(spec),
  };
  if (spec.kind === 'function' && spec.entryPoint) {
    const [owner, member] = spec.entryPoint.split('.');
    task.entryPoint = owner!;
    if (member) {
      // `Class.method`: the method is shown inside its class, and the tests construct the class.
      task.method = member;
      task.prompt = inClass(task.prompt, owner!, spec.language);
    }
  }
  if (options.context && options.context.trim() !== '') task.context = options.context;
  return task;
}

/** A method's prompt inside its class. */
function inClass(prompt: string, className: string, language: Language): string {
  const body = prompt.replace(/\s+$/, '').replace(/^(?=.)/gm, language === 'python' ? '    ' : '  ');
  return language === 'python' ? `class ${className}:\n${body}\n` : `class ${className} {\n${body}\n}\n`;
}

export function buildPrompt(spec: TaskSpec): string {
  if (spec.kind === 'stdio') return stdioPrompt(spec);
  return spec.language === 'python' ? pythonPrompt(spec) : javascriptPrompt(spec);
}

/** Function examples with an expected value, as doctest lines or `call // => expected` lines. */
function exampleLines(tests: FunctionTest[], style: 'doctest' | 'js'): string {
  return tests
    .filter((t) => t.expected !== undefined)
    .map((t) => (style === 'doctest' ? `>>> ${t.call}\n${t.expected}` : `${t.call} // => ${t.expected}`))
    .join('\n');
}

function examplesFor(spec: TaskSpec, style: 'doctest' | 'js'): string {
  const tests = spec.exampleTests.filter((t): t is FunctionTest => 'call' in t && t.expected !== undefined);
  if (tests.length > 0) return exampleLines(tests, style);
  return stripFences(spec.examples);
}

function stripFences(s: string): string {
  return s
    .split('\n')
    .filter((l) => !/^\s*(`{3,}|~{3,})/.test(l))
    .join('\n')
    .trim();
}

function pythonPrompt(spec: TaskSpec): string {
  let sig = (spec.signature ?? `def ${spec.entryPoint}(*args)`).replace(/\s+$/, '');
  // Keep decorators and the def line(s); make sure the header ends with a colon.
  if (!sig.endsWith(':')) sig += ':';
  const parts = [spec.description.trim()];
  const ex = examplesFor(spec, 'doctest');
  if (ex) parts.push(`Examples:\n${ex}`);
  if (spec.constraints) parts.push(`Constraints:\n${stripFences(spec.constraints)}`);
  return pythonDocPrompt(sig, parts);
}

/** A Python header (ending with a colon) followed by a docstring holding the parts, escaped. */
function pythonDocPrompt(sig: string, parts: string[]): string {
  const doc = parts
    .join('\n\n')
    .replace(/\\/g, '\\\\')
    .replace(/"""/g, '\\"\\"\\"')
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `    ${l}`))
    .join('\n');
  return `${sig}\n    """\n${doc}\n    """\n`;
}

function javascriptPrompt(spec: TaskSpec): string {
  const sig = (spec.signature ?? `function ${spec.entryPoint}(...args)`).trim().replace(/\s*\{\s*$/, '');
  const parts = [spec.description.trim()];
  const ex = examplesFor(spec, 'js');
  if (ex) parts.push(`@example\n${ex}`);
  if (spec.constraints) parts.push(`Constraints:\n${stripFences(spec.constraints)}`);
  return jsDocPrompt(sig, parts);
}

/** A JSDoc block holding the parts, followed by the signature (without its body's brace). */
function jsDocPrompt(sig: string, parts: string[]): string {
  const doc = parts
    .join('\n\n')
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((l) => (l.trim() === '' ? ' *' : ` * ${l}`))
    .join('\n');
  return `/**\n${doc}\n */\n${sig}\n`;
}

function stdioPrompt(spec: TaskSpec): string {
  const parts = [spec.description.trim()];
  if (spec.ioFormat) parts.push(`Input and output\n${stripFences(spec.ioFormat)}`);
  const tests = spec.exampleTests.filter((t): t is StdioTest => 'input' in t && t.expected !== undefined);
  if (tests.length > 0) {
    parts.push(
      tests
        .map(
          (t, i) =>
            `Example ${i + 1}\nInput:\n${t.input.replace(/\n$/, '')}\nOutput:\n${(t.expected ?? '').replace(/\n$/, '')}`,
        )
        .join('\n\n'),
    );
  } else if (spec.examples) parts.push(`Examples\n${stripFences(spec.examples)}`);
  if (spec.constraints) parts.push(`Constraints\n${stripFences(spec.constraints)}`);
  return parts.join('\n\n') + '\n';
}

export interface FunctionTaskOptions {
  id: string;
  language: Language;
  fn: { name: string; signature: string };
  /** What the function must do (its docstring / JSDoc, or text from the PR body); already sanitised. */
  description: string;
  /** Worked examples shown in the docstring (repair: the failing tests, converted). */
  examples?: FunctionTest[];
  context?: string;
  /** A method: the class it belongs to (`fn` is then the method, `fn.name` its own name). */
  className?: string;
}

/**
 * The Task of an existing function, built from its signature and its documentation (never its body): what the
 * generator sees of a function under the gate or under repair.
 */
export function functionTask(options: FunctionTaskOptions): Task {
  const { language } = options;
  // The signature and the context come from the repository (for the gate: from the pull request), so they
  // lose invisible characters like every other untrusted text on its way to a prompt.
  const fn = { name: options.fn.name, signature: stripInvisible(options.fn.signature) };
  const description = options.description.trim() || `Implement \`${fn.name}\`.`;
  const examples = options.examples ?? [];
  let prompt: string;
  if (language === 'python') {
    let sig = fn.signature.trim();
    if (!sig.endsWith(':')) sig += ':';
    const parts = [description];
    const ex = exampleLines(examples, 'doctest');
    if (ex) parts.push(`Examples:\n${ex}`);
    prompt = pythonDocPrompt(sig, parts);
  } else {
    const sig = fn.signature
      .trim()
      .replace(/^export\s+(default\s+)?/, '')
      .replace(/\s*\{\s*$/, '');
    const parts = [description];
    const ex = exampleLines(examples, 'js');
    if (ex) parts.push(`@example\n${ex}`);
    prompt = jsDocPrompt(sig, parts);
  }
  // A method is shown inside its class; the tests construct the class, so the class is the entry point.
  if (options.className) prompt = inClass(prompt, options.className, language);
  const task: Task = {
    id: options.id,
    language,
    kind: 'function',
    entryPoint: options.className ?? fn.name,
    ...(options.className ? { method: fn.name } : {}),
    prompt,
  };
  if (options.context && options.context.trim() !== '') task.context = stripInvisible(options.context);
  return task;
}
