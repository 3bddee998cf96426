// The solve run's JSONL trace events: the run's decisions, matrices and pick, after the LLM client's lines.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CosplayResult } from '../../cosplay/index.js';
import { makeRedactor } from '../../llm/index.js';

/**
 * Appends one event to the JSONL trace (after the LLM client's lines): the run's decisions, matrices and
 * pick, so the trace tells the whole story. Secret-looking values are redacted; a trace that cannot be written
 * never fails the run.
 */
export function appendTrace(
  tracePath: string,
  event: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  try {
    mkdirSync(path.dirname(tracePath), { recursive: true });
    const redact = makeRedactor([], env);
    appendFileSync(tracePath, redact(JSON.stringify({ time: new Date().toISOString(), ...event })) + '\n');
  } catch {
    // best effort
  }
}

/** The engine's result as a trace event (no cells: they are large and the decisions carry the reasons). */
export function resultTraceEvent(result: CosplayResult): Record<string, unknown> {
  return {
    event: 'cosplay-result',
    task: result.task.id,
    params: result.params,
    stopReason: result.stopReason,
    selected: result.selected,
    selectedNoCluster: result.selectedNoCluster?.index ?? null,
    bonTied: result.bonTied,
    clusters: result.clusters,
    degraded: result.degraded,
    decisions: result.decisions,
    rounds: result.rounds.map((r) => ({
      round: r.round,
      changed: r.changed,
      before: r.before.M,
      after: r.after.M,
    })),
    codePool: result.codePool,
    utPool: result.utPool.map((u) => ({
      test: u.test,
      valid: u.valid,
      pUT: u.pUT,
      origin: u.origin,
      idea: u.idea,
      votes: u.votes,
    })),
    executionMatrix: result.executionMatrix,
    baselines: Object.fromEntries(
      Object.entries(result.baselines).map(([k, v]) => [
        k,
        v ? { index: v.index, score: v.score, tied: v.tied } : null,
      ]),
    ),
    tokens: result.tokens,
    requests: result.requests,
    cellsExecuted: result.cellsExecuted,
    wallMs: result.wallMs,
  };
}
