// The Task of an existing function, built from its signature and its documentation (never its body): what the
// generator sees of a function under the gate or under repair.
import type { FunctionTest, Language, Task } from '../types.js';
import type { FunctionInfo } from '../repo/index.js';
import { stripInvisible } from '../spec/index.js';

export interface FunctionTaskOptions {
  id: string;
  language: Language;
  fn: Pick<FunctionInfo, 'name' | 'signature'>;
  /** What the function must do (its docstring / JSDoc, or text from the PR body); already sanitised. */
  description: string;
  /** Worked examples shown in the docstring (repair: the failing tests, converted). */
  examples?: FunctionTest[];
  context?: string;
}

export function functionTask(options: FunctionTaskOptions): Task {
  const { language } = options;
  // The signature and the context come from the repository (for the gate: from the pull request), so they
  // lose invisible characters like every other untrusted text on its way to a prompt.
  const fn = { name: options.fn.name, signature: stripInvisible(options.fn.signature) };
  const description = options.description.trim() || `Implement \`${fn.name}\`.`;
  const examples = (options.examples ?? []).filter((t) => t.expected !== undefined);
  let prompt: string;
  if (language === 'python') {
    let sig = fn.signature.trim();
    if (!sig.endsWith(':')) sig += ':';
    const parts = [description];
    if (examples.length > 0)
      parts.push(`Examples:\n${examples.map((t) => `>>> ${t.call}\n${t.expected}`).join('\n')}`);
    const doc = parts
      .join('\n\n')
      .replace(/\\/g, '\\\\')
      .replace(/"""/g, '\\"\\"\\"')
      .split('\n')
      .map((l) => (l.trim() === '' ? '' : `    ${l}`))
      .join('\n');
    prompt = `${sig}\n    """\n${doc}\n    """\n`;
  } else {
    const sig = fn.signature
      .trim()
      .replace(/^export\s+(default\s+)?/, '')
      .replace(/\s*\{\s*$/, '');
    const parts = [description];
    if (examples.length > 0)
      parts.push(`@example\n${examples.map((t) => `${t.call} // => ${t.expected}`).join('\n')}`);
    const doc = parts
      .join('\n\n')
      .replace(/\*\//g, '*\\/')
      .split('\n')
      .map((l) => (l.trim() === '' ? ' *' : ` * ${l}`))
      .join('\n');
    prompt = `/**\n${doc}\n */\n${sig}\n`;
  }
  const task: Task = { id: options.id, language, kind: 'function', entryPoint: fn.name, prompt };
  if (options.context && options.context.trim() !== '') task.context = stripInvisible(options.context);
  return task;
}
