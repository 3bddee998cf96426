// Datasets in the format of data/humaneval-codegen16b/README.md (its section Format): gzip (or plain) JSON Lines, one task per line, with
// recorded real model samples (codes, tests) and a ground truth that is read only after a pick is made.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Language, Task, TaskKind, UnitTest } from '../types.js';
import { UserError } from '../types.js';

export interface RecordedTest {
  /** Function tasks: the original assert statement, when recorded. */
  assert?: string;
  call?: string;
  input?: string;
  expected: string;
}

export interface GroundTruth {
  /** Function tasks (HumanEval style): code defining `check(candidate)`. */
  test?: string;
  entry_point?: string;
  /** Stdio tasks: hidden tests. */
  tests?: Array<{ input: string; expected: string }>;
}

export interface DatasetTask {
  id: string;
  kind: TaskKind;
  language: Language;
  entry_point?: string;
  prompt: string;
  codes: string[];
  tests: RecordedTest[];
  ground_truth?: GroundTruth;
  /**
   * The time limit of one executed test of this task, in milliseconds (Python: time not spent waiting for a
   * CPU), as the dataset's authors set it. Selection cells use it unless the run says otherwise
   * (`--timeout-ms`); grading against the ground truth keeps the executor's default.
   */
  time_limit_ms?: number;
}

/** The time limit of a task's selection cells: the run's (`--timeout-ms`), else the dataset's, else none. */
export function selectionLimit(d: Pick<DatasetTask, 'time_limit_ms'> | undefined, run?: number): number | undefined {
  return run ?? d?.time_limit_ms;
}

function fail(file: string, line: number, what: string): never {
  throw new UserError(
    `${file}:${line}: ${what}. Each line must be a JSON task as described in data/humaneval-codegen16b/README.md (section Format) ` +
      `({"id","kind","language","prompt","codes","tests",...}).`,
  );
}

/** Parses dataset text (JSON Lines). Validates every task so that a bad file fails early with its line. */
export function parseDataset(text: string, file = 'dataset'): DatasetTask[] {
  const tasks: DatasetTask[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      fail(file, i + 1, 'not valid JSON');
    }
    const t = obj as Partial<DatasetTask>;
    if (!t || typeof t !== 'object') fail(file, i + 1, 'not a JSON object');
    if (typeof t.id !== 'string' || !t.id) fail(file, i + 1, 'missing "id"');
    if (seen.has(t.id)) fail(file, i + 1, `duplicate id "${t.id}"`);
    if (t.kind !== 'function' && t.kind !== 'stdio') fail(file, i + 1, '"kind" must be "function" or "stdio"');
    const language = (t.language ?? 'python') as string;
    if (language !== 'python' && language !== 'javascript')
      fail(file, i + 1, '"language" must be "python" or "javascript"');
    if (typeof t.prompt !== 'string') fail(file, i + 1, 'missing "prompt"');
    if (t.kind === 'function' && typeof t.entry_point !== 'string')
      fail(file, i + 1, 'function tasks need "entry_point"');
    const codes = t.codes ?? [];
    if (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string'))
      fail(file, i + 1, '"codes" must be an array of strings');
    const tests = t.tests ?? [];
    if (!Array.isArray(tests)) fail(file, i + 1, '"tests" must be an array');
    for (const u of tests) {
      const ok =
        u &&
        typeof u.expected === 'string' &&
        (t.kind === 'function' ? typeof u.call === 'string' : typeof u.input === 'string');
      if (!ok)
        fail(
          file,
          i + 1,
          t.kind === 'function'
            ? 'function tests need string "call" and "expected"'
            : 'stdio tests need string "input" and "expected"',
        );
    }
    const lim = t.time_limit_ms;
    if (lim !== undefined && !(Number.isInteger(lim) && lim > 0 && lim <= 600_000))
      fail(file, i + 1, '"time_limit_ms" must be a whole number of milliseconds between 1 and 600000');
    seen.add(t.id);
    tasks.push({ ...(t as DatasetTask), language: language as Language, codes, tests });
  });
  return tasks;
}

/** Loads a dataset file; `.gz` files (or files starting with the gzip magic) are gunzipped. */
export async function loadDataset(file: string): Promise<DatasetTask[]> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new UserError(`cannot read dataset ${file}: ${(err as Error).message}`);
  }
  const gz = buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  return parseDataset((gz ? gunzipSync(buf) : buf).toString('utf8'), file);
}

/** The task as the method sees it (no recordings, no ground truth). */
export function toTask(d: DatasetTask): Task {
  return {
    id: d.id,
    language: d.language,
    kind: d.kind,
    entryPoint: d.kind === 'function' ? d.entry_point : undefined,
    prompt: d.prompt,
  };
}

/** A recorded test as a UnitTest of the task's kind. */
export function toUnitTest(d: DatasetTask, r: RecordedTest): UnitTest {
  return d.kind === 'function' ? { call: r.call!, expected: r.expected } : { input: r.input!, expected: r.expected };
}

/** The input part of a recorded test (the call for function tasks, stdin for stdio tasks). */
export function recordedInput(d: DatasetTask, r: RecordedTest): string {
  return (d.kind === 'function' ? r.call : r.input) ?? '';
}

const BUNDLED_RELATIVE = join('data', 'humaneval-codegen16b', 'problems.jsonl.gz');

/** Finds the project's data/ from this module's location (src/data/ in development, dist/ in the bundle). */
function findBundled(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, BUNDLED_RELATIVE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return BUNDLED_RELATIVE;
}

/** Absolute path of the dataset bundled with the project (used by `cosplay demo` and `replay-server`). */
export const BUNDLED_DATASET = findBundled();
