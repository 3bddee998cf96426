// Every prompt of the method. Replies follow THE LLM WIRE PROTOCOL (see the brief): programs in a fenced
// block of the task language; inputs as ```json {"inputs": [...]}```; expected outputs as
// ```json {"expected": "..."}```; hints, plans and attack ideas as ```json {"observations"|"ideas": [...]}```.
// The ut-output prompt never shows a candidate code: the expected output must come from the problem alone.
import type { ChatMessage, Language, LlmRequest, Purpose, Stage, Task, UnitTest } from '../types.js';
import { CPU_TIMEOUT } from '../exec/harness-python.js';

const LANGUAGE_NAME: Record<Language, string> = {
  python: 'Python',
  javascript: 'JavaScript',
  typescript: 'TypeScript',
};

/** Completion-token caps per purpose (fit GitHub Models' ~4k output tokens per request). */
export const MAX_TOKENS: Record<Purpose, number> = {
  hints: 768,
  plans: 768,
  code: 2048,
  attack: 768,
  'ut-input': 1536,
  'ut-output': 384,
  fix: 2048,
  inputs: 1536,
  generator: 1536,
  other: 1024,
};

function system(task: Task): ChatMessage {
  return {
    role: 'system',
    content: `You are an expert ${LANGUAGE_NAME[task.language]} programmer and a careful tester. Follow the requested reply format exactly.`,
  };
}

/** The problem as every prompt shows it. */
export function describeTask(task: Task): string {
  const lang = LANGUAGE_NAME[task.language];
  const head =
    task.kind === 'function'
      ? task.method
        ? `Problem: implement the method \`${task.method}\` of the ${lang} class \`${task.entryPoint}\` specified below (the rest of the class stays as it is).`
        : `Problem: implement the ${lang} function \`${task.entryPoint}\` specified below.`
      : `Problem: write a complete ${lang} program that reads its input from standard input and writes its answer to standard output.`;
  const ctx = task.context?.trim() ? `\n\nContext:\n${task.context.trim()}` : '';
  return `${head}\n\n\`\`\`${task.language}\n${task.prompt.replace(/\s+$/, '')}\n\`\`\`${ctx}`;
}

/** What one test input looks like, for this task. */
export function inputFormat(task: Task): string {
  const lang = LANGUAGE_NAME[task.language];
  if (task.kind === 'function' && task.method) {
    const make = task.language === 'python' ? `${task.entryPoint}(...)` : `new ${task.entryPoint}(...)`;
    return `Each input is ONE expression in ${lang} syntax that constructs a \`${task.entryPoint}\` with literal arguments (as the code around it does) and calls \`${task.method}\` on it with literal arguments, e.g. \`${make}.${task.method}(...)\` (a static method: \`${task.entryPoint}.${task.method}(...)\`), as a JSON string.`;
  }
  return task.kind === 'function'
    ? `Each input is ONE call expression of \`${task.entryPoint}\` with literal arguments in ${lang} syntax, e.g. \`${task.entryPoint}(...)\`, as a JSON string.`
    : 'Each input is the COMPLETE text given on standard input (with newlines as \\n), as a JSON string.';
}

/** TypeScript: candidates keep the signature's types (they run transpiled, in the repository's own modules). */
function typeRule(task: Task): string {
  return task.language === 'typescript'
    ? " Keep the signature's parameter and return types exactly as given, and type what you add (no `any` where a type is known)."
    : '';
}

function programRules(task: Task): string {
  return programRulesOf(task) + typeRule(task);
}

function programRulesOf(task: Task): string {
  const lang = LANGUAGE_NAME[task.language];
  if (task.kind === 'function' && task.method)
    return `Write the method \`${task.method}\` of class \`${task.entryPoint}\` with the given signature: only its definition as it appears inside the class (decorators included), preceded by any imports it needs; the rest of the class and of the file stay as they are and can be used. Do not repeat the class, read input, print, or add example usage or tests. Reply with the code in one \`\`\`${task.language} fenced block.`;
  return task.kind === 'function'
    ? `Write the complete ${lang} program: all imports, helper functions and the top-level function \`${task.entryPoint}\` with the given signature. Do not read input, print, or add example usage or tests. Reply with the program in one \`\`\`${task.language} fenced block.`
    : `Write the complete ${lang} program: it reads standard input and prints exactly the answer, nothing else. Reply with the program in one \`\`\`${task.language} fenced block.`;
}

function bullet(items: string[]): string {
  return items.map((s) => `- ${s}`).join('\n');
}

function req(
  task: Task,
  stage: Stage,
  purpose: Purpose,
  user: string,
  opts: { n?: number; temperature?: number; meta?: Record<string, unknown> } = {},
): LlmRequest {
  return {
    stage,
    purpose,
    task: task.id,
    messages: [system(task), { role: 'user', content: user }],
    n: opts.n ?? 1,
    temperature: opts.temperature,
    maxCompletionTokens: MAX_TOKENS[purpose],
    ...(opts.meta ? { meta: opts.meta } : {}),
  };
}

/** Stage 1, hints H: useful, non-obvious, correct observations, no code. */
export function hintsPrompt(task: Task, count: number, temperature: number): LlmRequest {
  return req(
    task,
    'stage1',
    'hints',
    `${describeTask(task)}\n\nList up to ${count} useful, non-obvious and correct observations about this problem ` +
      '(properties of the input, the answer, edge cases, algorithmic insights). Do not write code.\n' +
      'Reply with ```json {"observations": ["...", ...]}```',
    { temperature, meta: { count } },
  );
}

/** Stage 1, plans S: new observations derived from a subset of hints (size 0, 1 or 2). */
export function plansPrompt(task: Task, subset: string[], temperature: number): LlmRequest {
  const given = subset.length
    ? `Here are observations about the problem:\n${bullet(subset)}\n\nCombine them and derive new, deeper observations that lead to a correct solution approach.`
    : 'Derive observations that lead to a correct solution approach.';
  return req(
    task,
    'stage1',
    'plans',
    `${describeTask(task)}\n\n${given} Give up to 3 observations; each should be a short, concrete solution idea. Do not write code.\n` +
      'Reply with ```json {"observations": ["...", ...]}```',
    { temperature, meta: { subset: subset.length } },
  );
}

/** A candidate program (stage 1 code pool, stage 2 code cleaning), optionally following a plan. */
export function codePrompt(
  task: Task,
  stage: Stage,
  plan: string | null,
  n: number,
  temperature: number,
): LlmRequest {
  const p = plan ? `\n\nFollow this solution idea:\n${plan}` : '';
  return req(task, stage, 'code', `${describeTask(task)}${p}\n\n${programRules(task)}`, { n, temperature });
}

/** Stage 1, attack ideas A: ways a solution following a plan could fail. */
export function attackPrompt(
  task: Task,
  plan: string | null,
  count: number,
  temperature: number,
): LlmRequest {
  const p = plan ? `A solution is being written following this idea:\n${plan}\n\n` : '';
  return req(
    task,
    'stage1',
    'attack',
    `${describeTask(task)}\n\n${p}List ${count} distinct ways such a solution could fail: edge cases, design flaws, ` +
      'limits, tricky inputs. Each idea must describe a concrete VALID input (one that respects the problem statement).\n' +
      'Reply with ```json {"ideas": ["...", ...]}```',
    { temperature, meta: { count } },
  );
}

/** UT inputs realising attack ideas, one input per idea, in order. */
export function attackInputsPrompt(task: Task, ideas: string[], temperature: number): LlmRequest {
  return req(
    task,
    'stage1',
    'ut-input',
    `${describeTask(task)}\n\nFor each of the following test ideas, write one valid test input that realises it:\n` +
      `${ideas.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n\n${inputFormat(task)} Keep inputs small enough to check by hand.\n` +
      `Reply with \`\`\`json {"inputs": [...]}\`\`\` holding exactly ${ideas.length} inputs, in the order of the ideas.`,
    { temperature, meta: { count: ideas.length, ideas: ideas.length } },
  );
}

/** Random but valid UT inputs (stage 1) or random inputs for output-consensus clustering (stage 3). */
export function randomInputsPrompt(
  task: Task,
  stage: Stage,
  count: number,
  avoid: string[],
  temperature: number,
): LlmRequest {
  const avoidText = avoid.length
    ? `\n\nDo not repeat these inputs:\n${avoid
        .slice(0, 40)
        .map((s) => `- ${JSON.stringify(s)}`)
        .join('\n')}`
    : '';
  return req(
    task,
    stage,
    stage === 'stage3' ? 'inputs' : 'ut-input',
    `${describeTask(task)}\n\nWrite ${count} diverse, random but VALID test inputs (they must respect every ` +
      `constraint of the problem). Vary sizes and values; include typical cases, not only edge cases. ${inputFormat(task)}${avoidText}\n` +
      'Reply with ```json {"inputs": [...]}```',
    { temperature, meta: { count } },
  );
}

/**
 * The expected output of one input, predicted from the problem alone (self-consistency sample). Never shows a
 * candidate code. n choices = n independent samples.
 */
export function expectedOutputPrompt(
  task: Task,
  stage: Stage,
  input: string,
  n: number,
  temperature: number,
): LlmRequest {
  const lang = LANGUAGE_NAME[task.language];
  const what =
    task.kind === 'function'
      ? `What does \`${input}\` return for a correct implementation? Give the value as a ${lang} literal expression ` +
        `(e.g. ${task.language === 'python' ? "`True`, `[1, 2]`, `'abc'`, `None`" : '`true`, `[1, 2]`, `"abc"`, `null`'}), as a JSON string.`
      : `What exactly does a correct program print for this standard input?\n\`\`\`\n${input}\n\`\`\`\nGive the exact output text as a JSON string.`;
  return req(
    task,
    stage,
    'ut-output',
    `${describeTask(task)}\n\n${what}\nReason step by step about the problem first, then end with \`\`\`json {"expected": "..."}\`\`\``,
    { n, temperature, meta: { input } },
  );
}

/**
 * Stage 2 UT regeneration (break spurious coupling, UT replacement): for each old UT, a new attack idea and one
 * new input, in one request (meta.count = number of UTs). The prompt may show one code that passed the old
 * UTs as "a previous attempt that may be wrong".
 */
export function regenerateUtPrompt(
  task: Task,
  old: Array<{ input: string; expected?: string; why: string }>,
  shownCode: string | null,
  avoid: string[],
  temperature: number,
): LlmRequest {
  const code = shownCode
    ? `\n\nA previous attempt that may be wrong:\n\`\`\`${task.language}\n${shownCode.replace(/\s+$/, '')}\n\`\`\``
    : '';
  const list = old
    .map(
      (o, i) =>
        `${i + 1}. input ${JSON.stringify(o.input)}${o.expected !== undefined ? ` (expected ${JSON.stringify(o.expected)})` : ''}: ${o.why}`,
    )
    .join('\n');
  const avoidText = avoid.length
    ? `\nDo not reuse any of these inputs: ${avoid
        .slice(0, 40)
        .map((s) => JSON.stringify(s))
        .join(', ')}.`
    : '';
  const n = old.length;
  return req(
    task,
    'stage2',
    'ut-input',
    `${describeTask(task)}${code}\n\n${n === 1 ? 'This earlier test is' : `These ${n} earlier tests are`} being replaced:\n${list}\n\n` +
      `For ${n === 1 ? 'it' : 'each of them, in order'}, think of a NEW way a solution could fail (an attack idea: an edge case, ` +
      `a design flaw, a limit) and write one valid test input that exposes it. ${inputFormat(task)}${avoidText}\n` +
      `Reply with \`\`\`json {"ideas": [...], "inputs": [...]}\`\`\` holding exactly ${n} idea(s) and ${n} input(s).`,
    { temperature, meta: { count: n } },
  );
}

/** Stage 2 code fixing: the problem, the code, the UT input, the expected output and the actual result. */
export function fixPrompt(
  task: Task,
  code: string,
  test: { input: string; expected: string },
  actual: { output: string; error?: string; verdict: string },
): LlmRequest {
  // a timeout's message names the CPU time the test used, which varies from run to run: the prompt keeps the
  // limit only, so that two runs send the same prompt
  const error = actual.error?.replace(CPU_TIMEOUT, 'timed out: the limit is $2 ms');
  const got =
    actual.verdict === 'fail'
      ? `it produced ${JSON.stringify(actual.output)}`
      : `it ended with ${actual.verdict}${error ? `:\n${error.slice(0, 1500)}` : ''}${actual.output ? `\n(output: ${JSON.stringify(actual.output.slice(0, 500))})` : ''}`;
  return req(
    task,
    'stage2',
    'fix',
    `${describeTask(task)}\n\nThis program:\n\`\`\`${task.language}\n${code.replace(/\s+$/, '')}\n\`\`\`\n\n` +
      `fails a test. On input ${JSON.stringify(test.input)} the expected output is ${JSON.stringify(test.expected)}, but ${got}\n\n` +
      `Find the bug and repair the program so that it solves the problem correctly (not only this test). ${programRules(task)}`,
    { temperature: 0.2 },
  );
}

/**
 * Stage 3 input validator (ours): a program that says whether an input respects the problem's constraints.
 * Function tasks: a function with the entry point's name and signature returning a boolean, so that the call
 * expression of an input evaluates the validator. Stdio tasks: reads stdin, prints VALID or INVALID.
 */
export function validatorPrompt(task: Task): LlmRequest {
  const lang = LANGUAGE_NAME[task.language];
  const yes = task.language === 'python' ? 'True' : 'true';
  const no = task.language === 'python' ? 'False' : 'false';
  const spec =
    task.kind === 'function'
      ? `Write a ${lang} INPUT VALIDATOR: a top-level function named \`${task.entryPoint}\` with the SAME parameters as in the problem, ` +
        `that does NOT solve the problem but returns ${yes} when the arguments respect every constraint and precondition stated ` +
        `in the problem (types, ranges, formats), and ${no} otherwise. It must never raise.`
      : `Write a ${lang} INPUT VALIDATOR program: it reads a whole input from standard input and prints VALID when it respects ` +
        'every constraint and the format stated in the problem, INVALID otherwise. It must never crash.';
  return req(
    task,
    'stage3',
    'generator',
    `${describeTask(task)}\n\n${spec} Be lenient where the problem says nothing. Reply with the program in one \`\`\`${task.language} fenced block.`,
    { temperature: 0.2 },
  );
}

/** The executable test that asks a validator about an input. */
export function validatorTest(task: Task, input: string): UnitTest {
  return task.kind === 'function'
    ? { call: input, expected: task.language === 'python' ? 'True' : 'true' }
    : { input, expected: 'VALID' };
}
