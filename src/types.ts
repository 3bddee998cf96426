// Shared vocabulary of the project. Names follow the CoSPlay paper (see README.md, "How it works").
// Every module talks to the others through these types; the method's core (src/cosplay) depends only on
// the `Llm` and `Executor` interfaces below, never on HTTP or processes.

export type Language = 'python' | 'javascript' | 'typescript';

/** JavaScript or TypeScript: languages that run on Node (TypeScript transpiled on the way in). */
export function isJsFamily(language: Language): boolean {
  return language === 'javascript' || language === 'typescript';
}
export type TaskKind = 'stdio' | 'function';

/** A problem statement plus what the code must look like. */
export interface Task {
  id: string;
  language: Language;
  kind: TaskKind;
  /** Function tasks: the name of the function the tests call (method tasks: the class). */
  entryPoint?: string;
  /**
   * Method tasks: the method of the class `entryPoint` that the codes define (each code is that method's
   * definition, placed into the class); tests construct the object, e.g. `Counter(3).add(2)`.
   */
  method?: string;
  /** The problem statement as the code model sees it (for function tasks: signature + docstring). */
  prompt: string;
  /** Optional extra context shown in prompts (the target file's imports, constraints, examples). */
  context?: string;
}

/**
 * A unit test. Stdio tests feed `input` on stdin and compare stdout with `expected`.
 * Function tests evaluate the expression `call` (e.g. `f([1, 2], 3)`) in the code's namespace and compare
 * its value with the value of the expression `expected` (e.g. `True`), both in the task's language.
 * `expected` may be absent: the cell then only records the output (used for clustering and MBR-exec), and
 * its verdict is `pass` when the run finished normally.
 */
export type UnitTest = StdioTest | FunctionTest;
export interface StdioTest {
  input: string;
  expected?: string;
}
export interface FunctionTest {
  call: string;
  expected?: string;
}

export type Verdict = 'pass' | 'fail' | 'error' | 'timeout' | 'memory' | 'output_limit';

/** One cell of the execution matrix: code i run on the input of test j. */
export interface CellResult {
  verdict: Verdict;
  /**
   * The actual output, capped. Stdio: stdout. Function: the canonical serialisation of the return value
   * (JSON of the tagged value tree, see src/exec/compare.ts), so two outputs can be compared with
   * `outputsAgree`.
   */
  output: string;
  /** Error text (exception, stderr tail, kill reason), capped; empty when none. */
  error?: string;
}

export interface ExecRequest {
  language: Language;
  kind: TaskKind;
  entryPoint?: string;
  /**
   * Standalone programs (no `repo`): each code is a whole program. Repository context (`repo`, function tasks
   * only): each code is the whole text of the file `repo.path`, loaded as that module of the repository.
   */
  codes: string[];
  tests: UnitTest[];
  /** Time limit per cell: Python counts the time not spent waiting for a CPU (a wall-clock backstop of 10x);
   * JavaScript the wall-clock time. */
  timeoutMs?: number;
  repo?: RepoContext;
}

/**
 * A repository file whose module the codes replace. The sandbox shows the repository read-only (without `.git`
 * and secret files); each code is loaded through the package's normal import path in place of `path`, and the
 * tests' expressions are evaluated in that module's namespace (its top-level names, exported or not).
 */
export interface RepoContext {
  /** Absolute path of the repository root (the workspace as the workflow left it). */
  root: string;
  /** The target file, relative to `root`. */
  path: string;
}

/** Runs a Code x UT matrix. Row i = code i, column j = test j. */
export interface Executor {
  run(request: ExecRequest): Promise<CellResult[][]>;
}

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * What a request is for. Sent as header `x-cosplay-stage: <stage>.<purpose>` (e.g. `stage1.code`) so
 * proxies, the trace, the budget (per stage) and the replay model can tell requests apart.
 */
export type Stage = 'stage1' | 'stage2' | 'stage3';
export type Purpose =
  | 'hints' // stage 1: observations about the problem
  | 'plans' // stage 1: observations derived from a subset of hints
  | 'code' // a candidate program (stage 1 pool, stage 2 cleaning)
  | 'attack' // attack ideas for a plan -> UT inputs
  | 'ut-input' // UT inputs (random valid or from an attack idea)
  | 'ut-output' // expected output for one input, by self-consistency (never sees a code)
  | 'fix' // stage 2 code fixing
  | 'inputs' // stage 3 random inputs
  | 'generator' // stage 3 input generator / validator program
  | 'other';

export interface LlmRequest {
  stage: Stage;
  purpose: Purpose;
  /** Task id, sent as `x-cosplay-task`. */
  task: string;
  messages: ChatMessage[];
  /** Number of choices wanted (providers that ignore `n` are asked repeatedly). */
  n?: number;
  temperature?: number;
  maxCompletionTokens?: number;
  /**
   * Structured facts about the request that the replay model needs (e.g. the UT input whose output is
   * predicted). Sent as header `x-cosplay-meta` (JSON, base64url); never shown to the model.
   */
  meta?: Record<string, unknown>;
}

export interface LlmReply {
  /** One text per choice; a choice the server declined or left empty is absent. */
  texts: string[];
  usage: { promptTokens: number; completionTokens: number };
}

/**
 * The LLM as the method sees it. Throws `BudgetExceededError` when a budget is spent (the pipeline then
 * finishes with what it has) and `LlmUnavailableError` when the endpoint cannot be reached after retries.
 * A declined or unusable reply is not an error: it yields fewer texts.
 */
export interface Llm {
  complete(request: LlmRequest): Promise<LlmReply>;
}

export class BudgetExceededError extends Error {
  constructor(
    readonly budget: 'tokens' | 'requests' | 'wallMs',
    message?: string,
  ) {
    super(message ?? `The ${budget} budget is spent`);
    this.name = 'BudgetExceededError';
  }
}

export class LlmUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmUnavailableError';
  }
}

/** A user-facing error: the message says what happened and what to do. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}
