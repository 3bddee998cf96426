// The replay model: answers protocol requests (see src/llm/protocol.ts) from a dataset's recorded real
// samples, in recording order, and declines what it has no recording for. Pure and synchronous: the HTTP
// server (./server.ts) and tests drive it. Per session and task it keeps cursors over the recorded codes,
// the recorded tests (ut-input), the distinct recorded inputs (stage-3 `inputs`) and, per input, the
// recorded expected outputs (ut-output). A repeated request id gets the identical answer and moves no cursor.
import { stripSpaceOutsideStrings } from '../llm/parse.js';
import type { DatasetTask } from '../data/dataset.js';
import { recordedInput } from '../data/dataset.js';
import { fence, inputDigest, jsonBlock, metaDigest } from '../llm/protocol.js';

export interface ReplayRequest {
  stage: string;
  purpose: string;
  task: string;
  meta?: Record<string, unknown>;
  /** Choices wanted (default 1). */
  n?: number;
  /** x-cosplay-request-id: a repeat gets the identical answer. */
  requestId?: string;
  /** x-cosplay-session: cursors are kept per session (default: one shared session). */
  session?: string;
}

export interface ReplayChoice {
  /** The reply text, or null when this choice is declined. */
  text: string | null;
}

export interface ReplayAnswer {
  choices: ReplayChoice[];
  /** How many choices are declined. */
  declined: number;
  /** Why choices were declined (for logs): e.g. `no recording for purpose hints`. */
  note?: string;
}

interface Prepared {
  task: DatasetTask;
  /** Recorded test inputs in recording order (duplicates kept). */
  testInputs: string[];
  /** Distinct recorded inputs (whitespace-normalised), first occurrence order. */
  distinctInputs: string[];
  /** Expected values per normalised input, in recording order. */
  expectedByInput: Map<string, string[]>;
  /** Normalised input key per inputDigest (for metas whose long input was replaced by its digest). */
  keyByDigest: Map<string, string>;
}

interface Cursors {
  code: number;
  test: number;
  inputs: number;
  /** Per matched input key. */
  outputs: Map<string, number>;
}

/**
 * The key under which inputs are compared. Stdio inputs: whitespace runs collapsed to one space, trimmed.
 * Function calls: whitespace outside string literals removed (`f([1, 2], 3)` equals `f([1,2],3)`), so an
 * input the engine re-formatted still finds its recorded outputs.
 */
export function normalizeInput(s: string, kind: 'function' | 'stdio' = 'stdio'): string {
  if (kind === 'stdio') return s.replace(/\s+/g, ' ').trim();
  return stripSpaceOutsideStrings(s);
}

function positiveInt(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

export interface ReplayModelOptions {
  /** Answers remembered per request id (default 50 000; the oldest are forgotten first). */
  cacheSize?: number;
}

export class ReplayModel {
  private readonly tasks = new Map<string, Prepared>();
  private readonly sessions = new Map<string, Map<string, Cursors>>();
  private readonly cache = new Map<string, ReplayAnswer>();
  private readonly cacheSize: number;

  constructor(tasks: DatasetTask[], opts: ReplayModelOptions = {}) {
    this.cacheSize = opts.cacheSize ?? 50_000;
    for (const t of tasks) {
      const testInputs = t.tests.map((r) => recordedInput(t, r));
      const expectedByInput = new Map<string, string[]>();
      const keyByDigest = new Map<string, string>();
      const distinct: string[] = [];
      t.tests.forEach((r, i) => {
        const input = testInputs[i];
        const k = normalizeInput(input, t.kind);
        let list = expectedByInput.get(k);
        if (!list) {
          expectedByInput.set(k, (list = []));
          distinct.push(input);
        }
        list.push(r.expected);
        const d = inputDigest(input);
        if (!keyByDigest.has(d)) keyByDigest.set(d, k);
      });
      this.tasks.set(t.id, {
        task: t,
        testInputs,
        distinctInputs: distinct,
        expectedByInput,
        keyByDigest,
      });
    }
  }

  /** Task ids the model has recordings for. */
  taskIds(): string[] {
    return [...this.tasks.keys()];
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  /**
   * How much of a task's recordings a session has read: codes handed out, recorded tests whose inputs were
   * handed out (`ut-input`), distinct inputs handed out (`inputs`). Zeros when nothing was asked yet.
   */
  consumed(session: string, taskId: string): { codes: number; tests: number; inputs: number } {
    const c = this.sessions.get(session)?.get(taskId);
    return { codes: c?.code ?? 0, tests: c?.test ?? 0, inputs: c?.inputs ?? 0 };
  }

  /** Forgets the cursors (and cached answers) of one session, or of all sessions. */
  reset(session?: string): void {
    if (session === undefined) {
      this.sessions.clear();
      this.cache.clear();
    } else {
      this.sessions.delete(session);
      for (const k of [...this.cache.keys()]) if (k.startsWith(`${session}\u0000`)) this.cache.delete(k);
    }
  }

  answer(req: ReplayRequest): ReplayAnswer {
    const session = req.session ?? '';
    const cacheKey = req.requestId ? `${session}\u0000${req.requestId}` : undefined;
    if (cacheKey) {
      const hit = this.cache.get(cacheKey);
      if (hit) return hit;
    }
    const result = this.compute(req, session);
    if (cacheKey) {
      this.cache.set(cacheKey, result);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    return result;
  }

  private cursors(session: string, taskId: string): Cursors {
    let s = this.sessions.get(session);
    if (!s) this.sessions.set(session, (s = new Map()));
    let c = s.get(taskId);
    if (!c) s.set(taskId, (c = { code: 0, test: 0, inputs: 0, outputs: new Map() }));
    return c;
  }

  private compute(req: ReplayRequest, session: string): ReplayAnswer {
    const n = positiveInt(req.n, 1);
    const decline = (note: string): ReplayAnswer => ({
      choices: Array.from({ length: n }, () => ({ text: null })),
      declined: n,
      note,
    });
    const p = this.tasks.get(req.task);
    if (!p) return decline(`no recordings for task ${JSON.stringify(req.task)}`);
    const c = this.cursors(session, req.task);
    const choices: ReplayChoice[] = [];
    const meta = req.meta ?? {};

    switch (req.purpose) {
      case 'code':
        for (let i = 0; i < n; i++) {
          const code = p.task.codes[c.code];
          if (code === undefined) choices.push({ text: null });
          else {
            c.code++;
            choices.push({ text: fence(code, p.task.language) });
          }
        }
        break;
      case 'ut-input': {
        const count = positiveInt(meta.count, 1);
        for (let i = 0; i < n; i++) {
          const inputs = p.testInputs.slice(c.test, c.test + count);
          c.test += inputs.length;
          choices.push({ text: inputs.length ? jsonBlock({ inputs }) : null });
        }
        break;
      }
      case 'inputs': {
        const count = positiveInt(meta.count, 1);
        for (let i = 0; i < n; i++) {
          const inputs = p.distinctInputs.slice(c.inputs, c.inputs + count);
          c.inputs += inputs.length;
          choices.push({ text: inputs.length ? jsonBlock({ inputs }) : null });
        }
        break;
      }
      case 'ut-output': {
        const digest = metaDigest(meta.input);
        if (typeof meta.input !== 'string' && !digest) return decline('ut-output needs meta.input');
        const key = digest ? p.keyByDigest.get(digest) : normalizeInput(meta.input as string, p.task.kind);
        const list = key === undefined ? undefined : p.expectedByInput.get(key);
        if (!list) return decline('no recorded test has this input');
        for (let i = 0; i < n; i++) {
          const at = c.outputs.get(key!) ?? 0;
          const expected = list[at];
          if (expected === undefined) choices.push({ text: null });
          else {
            c.outputs.set(key!, at + 1);
            choices.push({ text: jsonBlock({ expected }) });
          }
        }
        break;
      }
      default:
        return decline(`no recording for purpose ${req.purpose}`);
    }
    const declined = choices.filter((ch) => ch.text === null).length;
    return { choices, declined, ...(declined ? { note: `recordings for ${req.purpose} are used up` } : {}) };
  }
}
