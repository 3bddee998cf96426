// TaskSpec -> Task (src/types.ts). Function tasks get the HumanEval-style prompt the code model knows best:
// the signature with a docstring (Python) or a JSDoc block (JavaScript) holding the description, the
// examples and the constraints. Stdio tasks get a plain problem statement.
import type { FunctionTest, StdioTest, Task } from '../types.js';
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
  if (spec.kind === 'function' && spec.entryPoint) task.entryPoint = spec.entryPoint;
  if (options.context && options.context.trim() !== '') task.context = options.context;
  return task;
}

export function buildPrompt(spec: TaskSpec): string {
  if (spec.kind === 'stdio') return stdioPrompt(spec);
  return spec.language === 'python' ? pythonPrompt(spec) : javascriptPrompt(spec);
}

function examplesFor(spec: TaskSpec, style: 'doctest' | 'js'): string {
  const tests = spec.exampleTests.filter((t): t is FunctionTest => 'call' in t && t.expected !== undefined);
  if (tests.length > 0) {
    return tests
      .map((t) => (style === 'doctest' ? `>>> ${t.call}\n${t.expected}` : `${t.call} // => ${t.expected}`))
      .join('\n');
  }
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
