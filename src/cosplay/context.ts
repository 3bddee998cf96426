// The run context: the only door to the outside (the Llm and the Executor), usage accounting, the
// critical-path clock and the halt state (a spent budget or an unreachable endpoint ends the run gracefully).
import type { CellResult, Executor, Llm, LlmRequest, Stage, Task, UnitTest } from '../types.js';
import { BudgetExceededError, LlmUnavailableError } from '../types.js';
import type { CosplayParams } from './params.js';
import type { Decision, StageUsage } from './types.js';

export type Agree = (a: string, b: string) => boolean;

export interface Answer {
  texts: string[];
  /**
   * Critical-path time at which this answer is available: the `after` given to `ask` (when its inputs were
   * available on the critical path) plus this call's measured latency.
   */
  cp: number;
}

function emptyUsage(): StageUsage {
  return { requests: 0, promptTokens: 0, completionTokens: 0 };
}

export class Ctx {
  halted: { reason: 'budget' | 'llm-unavailable'; message: string } | null = null;
  readonly byStage: Record<Stage, StageUsage> = {
    stage1: emptyUsage(),
    stage2: emptyUsage(),
    stage3: emptyUsage(),
  };
  readonly byPurpose: Record<string, StageUsage> = {};
  readonly decisions: Decision[] = [];
  readonly degraded: string[] = [];
  cellsExecuted = 0;
  /** Time spent waiting for the executor (sum over calls). */
  execMs = 0;
  /** The longest chain of dependent LLM calls seen so far. */
  criticalPath = 0;

  constructor(
    readonly task: Task,
    readonly params: CosplayParams,
    private readonly llm: Llm,
    private readonly executor: Executor,
    readonly now: () => number,
    readonly agree: Agree,
  ) {}

  /**
   * One logical LLM request. Declined or empty choices are simply absent from `texts`. A spent budget or an
   * unreachable endpoint halts the run: this and every later call yield no texts.
   */
  async ask(request: LlmRequest, after: number): Promise<Answer> {
    if (this.halted) return { texts: [], cp: after };
    const t0 = this.now();
    let texts: string[] = [];
    try {
      const reply = await this.llm.complete(request);
      texts = reply.texts.filter((t) => typeof t === 'string' && t.trim() !== '');
      this.count(request, reply.usage?.promptTokens ?? 0, reply.usage?.completionTokens ?? 0);
    } catch (err) {
      if (err instanceof BudgetExceededError) this.halt('budget', err.message);
      else if (err instanceof LlmUnavailableError) this.halt('llm-unavailable', err.message);
      else throw err;
    }
    const cp = after + Math.max(0, this.now() - t0);
    if (cp > this.criticalPath) this.criticalPath = cp;
    return { texts, cp };
  }

  private count(request: LlmRequest, prompt: number, completion: number): void {
    for (const u of [
      this.byStage[request.stage],
      (this.byPurpose[`${request.stage}.${request.purpose}`] ??= emptyUsage()),
    ]) {
      u.requests += 1;
      u.promptTokens += prompt;
      u.completionTokens += completion;
    }
  }

  halt(reason: 'budget' | 'llm-unavailable', message: string): void {
    if (this.halted) return;
    this.halted = { reason, message };
    this.degrade(
      reason === 'budget'
        ? `budget spent (${message}): finished with the best pick so far`
        : `LLM unavailable (${message}): finished with the best pick so far`,
    );
  }

  /** Runs codes x tests in the executor (nothing when either is empty). */
  async exec(codes: string[], tests: UnitTest[]): Promise<CellResult[][]> {
    if (codes.length === 0 || tests.length === 0) return codes.map(() => []);
    this.cellsExecuted += codes.length * tests.length;
    const t = this.task;
    const t0 = this.now();
    const cells = await this.executor.run({
      language: t.language,
      kind: t.kind,
      ...(t.entryPoint ? { entryPoint: t.entryPoint } : {}),
      codes,
      tests,
      ...(this.params.timeoutMs ? { timeoutMs: this.params.timeoutMs } : {}),
    });
    this.execMs += Math.max(0, this.now() - t0);
    if (cells.length !== codes.length || cells.some((r) => r.length !== tests.length))
      throw new Error(
        `executor returned a ${cells.length}-row matrix for ${codes.length} codes x ${tests.length} tests`,
      );
    return cells;
  }

  note(d: Decision): Decision {
    this.decisions.push(d);
    return d;
  }

  degrade(reason: string): void {
    if (!this.degraded.includes(reason)) this.degraded.push(reason);
  }
}

/** The latest of several critical-path times (0 for none). */
export function latest(...cps: number[]): number {
  return cps.reduce((a, b) => (b > a ? b : a), 0);
}
