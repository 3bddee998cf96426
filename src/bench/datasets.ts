// Benchmark inputs: any dataset in the format of data/humaneval-codegen16b/README.md (src/data/dataset.ts), or LiveCodeBench's public
// code-generation release (JSON array or JSON Lines with question_content / public_test_cases /
// private_test_cases). LiveCodeBench tasks carry no recordings, so they run live only.
//
// LiveCodeBench tests:
// - `testtype: "stdin"`: a stdio task; ground truth = public + private tests (input -> exact stdout).
// - `testtype: "functional"` (LeetCode): a function task whose entry point is the starter code's class
//   `Solution`; each test's input is one JSON value per line (the arguments) and its output a JSON value.
//   The ground truth is a Python `check(candidate)` asserting `candidate().<func_name>(*args) == output`.
// - `private_test_cases` is either plain JSON or base64(zlib(pickle(json string))); the pickle is decoded by a
//   minimal str-only unpickler (src/bench/pickle.ts).
import { readFile } from 'node:fs/promises';
import { gunzipSync, inflateSync } from 'node:zlib';
import { parseDataset, type DatasetTask } from '../data/dataset.js';
import { UserError } from '../types.js';
import { unpickleString, UnsupportedPickleError } from './pickle.js';

export type DatasetFormat = 'cosplay' | 'livecodebench';

export interface LoadedDataset {
  format: DatasetFormat;
  tasks: DatasetTask[];
  /** Tasks that could not be converted, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
}

interface LcbTest {
  input: string;
  output: string;
  testtype?: string;
}

interface LcbRow {
  question_id?: string;
  question_title?: string;
  question_content?: string;
  platform?: string;
  starter_code?: string;
  public_test_cases?: string | LcbTest[];
  private_test_cases?: string | LcbTest[];
  metadata?: string | Record<string, unknown>;
}

/** Decodes LiveCodeBench's private tests: plain JSON, or base64(zlib(pickle(JSON string))). */
export function decodeLcbTests(value: string | LcbTest[] | undefined, where: string): LcbTest[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as LcbTest[];
    } catch (err) {
      throw new UserError(`${where}: test cases are not valid JSON (${(err as Error).message})`);
    }
  }
  let json: string;
  try {
    const raw = inflateSync(Buffer.from(text, 'base64'));
    json = unpickleString(raw);
  } catch (err) {
    const why = err instanceof UnsupportedPickleError ? err.message : (err as Error).message;
    throw new UserError(
      `${where}: cannot decode the compressed test cases (${why}). Only plain JSON and ` +
        `base64(zlib(pickle(json string))) are supported; decode them with Python first, e.g. ` +
        `json.loads(pickle.loads(zlib.decompress(base64.b64decode(s)))), and store the plain JSON list.`,
    );
  }
  try {
    return JSON.parse(json) as LcbTest[];
  } catch (err) {
    throw new UserError(`${where}: decoded test cases are not valid JSON (${(err as Error).message})`);
  }
}

/** A JSON value as a Python literal. */
export function pythonLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return "float('nan')";
    if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "-float('inf')";
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pythonLiteral(x)}`)
      .join(', ')}}`;
  throw new Error(`cannot express ${typeof v} in Python`);
}

function functionalArgs(input: string): string[] {
  return input
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => pythonLiteral(JSON.parse(l)));
}

/** Converts one LiveCodeBench row; throws an Error whose message says why it cannot. */
export function lcbToTask(row: LcbRow, index: number): DatasetTask {
  const id = row.question_id ?? row.question_title ?? `lcb/${index}`;
  if (typeof row.question_content !== 'string') throw new Error('no question_content');
  const tests = [
    ...decodeLcbTests(row.public_test_cases, `${id} public_test_cases`),
    ...decodeLcbTests(row.private_test_cases, `${id} private_test_cases`),
  ];
  if (tests.length === 0) throw new Error('no test cases');
  const functional = tests.some((t) => t.testtype === 'functional');
  if (!functional) {
    return {
      id,
      kind: 'stdio',
      language: 'python',
      prompt: row.question_content,
      codes: [],
      tests: [],
      ground_truth: { tests: tests.map((t) => ({ input: t.input, expected: t.output })) },
    };
  }
  const meta =
    typeof row.metadata === 'string'
      ? (JSON.parse(row.metadata || '{}') as Record<string, unknown>)
      : (row.metadata ?? {});
  const func = meta.func_name;
  if (typeof func !== 'string' || !/^[A-Za-z_]\w*$/.test(func))
    throw new Error('functional task without metadata.func_name');
  const starter = row.starter_code ?? '';
  const asserts = tests.map(
    (t) =>
      `    assert candidate().${func}(${functionalArgs(t.input).join(', ')}) == ${pythonLiteral(JSON.parse(t.output))}`,
  );
  return {
    id,
    kind: 'function',
    language: 'python',
    entry_point: 'Solution',
    prompt: `${row.question_content}\n\nComplete this starter code (class Solution, method ${func}):\n${starter}`,
    codes: [],
    tests: [],
    ground_truth: { test: `def check(candidate):\n${asserts.join('\n')}\n`, entry_point: 'Solution' },
  };
}

function isLcbRow(x: unknown): x is LcbRow {
  return !!x && typeof x === 'object' && 'question_content' in x;
}

/** Parses LiveCodeBench rows (JSON array or JSON Lines text). */
export function parseLiveCodeBench(text: string, file = 'livecodebench'): LoadedDataset {
  const trimmed = text.trim();
  let rows: unknown[];
  if (trimmed.startsWith('[')) rows = JSON.parse(trimmed) as unknown[];
  else
    rows = trimmed
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => {
        try {
          return JSON.parse(l);
        } catch {
          throw new UserError(`${file}:${i + 1}: not valid JSON`);
        }
      });
  const tasks: DatasetTask[] = [];
  const skipped: LoadedDataset['skipped'] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (!isLcbRow(row)) throw new UserError(`${file}: row ${i + 1} has no question_content`);
    try {
      const t = lcbToTask(row, i);
      if (seen.has(t.id)) throw new Error(`duplicate id ${t.id}`);
      seen.add(t.id);
      tasks.push(t);
    } catch (err) {
      if (err instanceof UserError) throw err;
      skipped.push({ id: row.question_id ?? `row ${i + 1}`, reason: (err as Error).message });
    }
  });
  return { format: 'livecodebench', tasks, skipped };
}

/** Detects the format and loads a dataset file (.gz allowed). */
export async function loadBenchDataset(file: string): Promise<LoadedDataset> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new UserError(`cannot read dataset ${file}: ${(err as Error).message}`);
  }
  if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const text = buf.toString('utf8');
  const head = text.slice(0, 20000);
  if (/"question_content"\s*:/.test(head) && !/"codes"\s*:/.test(head)) return parseLiveCodeBench(text, file);
  return { format: 'cosplay', tasks: parseDataset(text, file), skipped: [] };
}
