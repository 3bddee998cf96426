// Spending per run, per stage, per purpose (`stage.purpose`) and per task, and the budgets over it.
import { BudgetExceededError } from '../types.js';
import type { LlmBudget } from './config.js';

export interface UsageCounters {
  /** HTTP requests sent (every attempt, retries included). */
  requests: number;
  /** Logical requests: `complete` calls (a top-up request for missing choices counts here too). */
  logicalRequests: number;
  /** Attempts after the first of a logical request. */
  retries: number;
  promptTokens: number;
  completionTokens: number;
  /** Of the tokens above, how many were counted with the tokenizer because the server reported none. */
  estimatedTokens: number;
  /** Texts returned to the caller. */
  texts: number;
  /** Choices the server declined (finish_reason content_filter with empty content). */
  declined: number;
  /** Logical requests that ended without a usable reply (malformed bodies, empty choices, rejected). */
  unusable: number;
  /** Logical requests that threw (endpoint unavailable, budget spent). */
  failed: number;
}

export interface BudgetLine {
  used: number;
  limit?: number;
  remaining?: number;
}

export interface BudgetStatus {
  /** The first budget that ran out, or null. */
  exhausted: 'tokens' | 'requests' | 'wallMs' | null;
  /** Human-readable reason when exhausted (also the BudgetExceededError message). */
  reason?: string;
  tokens: BudgetLine;
  requests: BudgetLine;
  wallMs: BudgetLine;
}

export interface UsageReport {
  total: UsageCounters & { tokens: number };
  byStage: Record<string, UsageCounters>;
  byPurpose: Record<string, UsageCounters>;
  byTask: Record<string, UsageCounters>;
  wallMs: number;
  budget: BudgetStatus;
  /** True once the client learnt that the provider ignores or rejects `n` (choices are asked one by one). */
  nIgnored: boolean;
}

export function emptyCounters(): UsageCounters {
  return {
    requests: 0,
    logicalRequests: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
    estimatedTokens: 0,
    texts: 0,
    declined: 0,
    unusable: 0,
    failed: 0,
  };
}

export interface UsageKey {
  stage: string;
  purpose: string;
  task: string;
}

export class UsageTracker {
  readonly total = emptyCounters();
  readonly byStage = new Map<string, UsageCounters>();
  readonly byPurpose = new Map<string, UsageCounters>();
  readonly byTask = new Map<string, UsageCounters>();
  private exhausted: BudgetStatus['exhausted'] = null;
  private reason?: string;

  constructor(
    private readonly budget: LlmBudget,
    private readonly now: () => number,
    private readonly startedAt: number = now(),
  ) {}

  private rows(key: UsageKey): UsageCounters[] {
    const get = (m: Map<string, UsageCounters>, k: string) => {
      let c = m.get(k);
      if (!c) m.set(k, (c = emptyCounters()));
      return c;
    };
    return [
      this.total,
      get(this.byStage, key.stage),
      get(this.byPurpose, `${key.stage}.${key.purpose}`),
      get(this.byTask, key.task),
    ];
  }

  add(key: UsageKey, delta: Partial<UsageCounters>): void {
    for (const row of this.rows(key))
      for (const [k, v] of Object.entries(delta) as Array<[keyof UsageCounters, number]>) row[k] += v;
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Wall time left, or Infinity without a wall budget. */
  remainingWallMs(): number {
    return this.budget.maxWallMs === undefined ? Infinity : this.budget.maxWallMs - this.elapsedMs();
  }

  private fail(budget: 'tokens' | 'requests' | 'wallMs', reason: string): never {
    if (!this.exhausted) {
      this.exhausted = budget;
      this.reason = reason;
    }
    throw new BudgetExceededError(budget, reason);
  }

  /** Throws BudgetExceededError when a run-wide budget or the stage's budget is spent. */
  check(stage: string): void {
    const b = this.budget;
    const tokens = this.total.promptTokens + this.total.completionTokens;
    if (b.maxTokens !== undefined && tokens >= b.maxTokens)
      this.fail(
        'tokens',
        `the token budget is spent (${tokens} of ${b.maxTokens} tokens used); raise max-tokens to allow more`,
      );
    if (b.maxRequests !== undefined && this.total.requests >= b.maxRequests)
      this.fail(
        'requests',
        `the request budget is spent (${this.total.requests} of ${b.maxRequests} requests sent); raise max-requests to allow more`,
      );
    const elapsed = this.elapsedMs();
    if (b.maxWallMs !== undefined && elapsed >= b.maxWallMs)
      this.fail(
        'wallMs',
        `the wall-time budget is spent (${elapsed} of ${b.maxWallMs} ms); raise max-wall-ms to allow more`,
      );
    const s = b.perStage?.[stage];
    if (s) {
      const row = this.byStage.get(stage) ?? emptyCounters();
      const st = row.promptTokens + row.completionTokens;
      if (s.maxTokens !== undefined && st >= s.maxTokens)
        this.fail('tokens', `the ${stage} token budget is spent (${st} of ${s.maxTokens} tokens used)`);
      if (s.maxRequests !== undefined && row.requests >= s.maxRequests)
        this.fail(
          'requests',
          `the ${stage} request budget is spent (${row.requests} of ${s.maxRequests} requests sent)`,
        );
    }
  }

  /** Marks the wall budget as spent (a wait would cross it) and throws. */
  failWall(reason: string): never {
    return this.fail('wallMs', reason);
  }

  status(): BudgetStatus {
    const b = this.budget;
    const line = (used: number, limit?: number): BudgetLine =>
      limit === undefined ? { used } : { used, limit, remaining: Math.max(0, limit - used) };
    const tokens = this.total.promptTokens + this.total.completionTokens;
    const elapsed = this.elapsedMs();
    let exhausted = this.exhausted;
    let reason = this.reason;
    if (!exhausted) {
      if (b.maxTokens !== undefined && tokens >= b.maxTokens) exhausted = 'tokens';
      else if (b.maxRequests !== undefined && this.total.requests >= b.maxRequests) exhausted = 'requests';
      else if (b.maxWallMs !== undefined && elapsed >= b.maxWallMs) exhausted = 'wallMs';
      if (exhausted) reason = `the ${exhausted} budget is spent`;
    }
    return {
      exhausted,
      ...(reason ? { reason } : {}),
      tokens: line(tokens, b.maxTokens),
      requests: line(this.total.requests, b.maxRequests),
      wallMs: line(elapsed, b.maxWallMs),
    };
  }

  report(nIgnored: boolean): UsageReport {
    const obj = (m: Map<string, UsageCounters>) =>
      Object.fromEntries(
        [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]),
      );
    return {
      total: { ...this.total, tokens: this.total.promptTokens + this.total.completionTokens },
      byStage: obj(this.byStage),
      byPurpose: obj(this.byPurpose),
      byTask: obj(this.byTask),
      wallMs: this.elapsedMs(),
      budget: this.status(),
      nIgnored,
    };
  }
}
