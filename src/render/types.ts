// What rendering needs from a run, as plain data. The engine's result is adapted to this by the caller.
import type { Task, UnitTest } from '../types.js';

/** A unit test kept for the pull request, with its support: pUT = how many of the |C| codes passed it. */
export interface KeptTest {
  test: UnitTest;
  pUT: number;
  /** Its column in `executionMatrix`, when it is one. */
  column?: number;
  /**
   * Its support over every code the run wrote (the archive: codes that code cleaning or a repair replaced
   * included): `pass` of the `ran` codes that ran it passed it. Absent when the run kept no other code.
   */
  archive?: { pass: number; ran: number };
}

export interface RunReport {
  task: Task;
  /** The pick (row `index` of the matrix), or null when there is none. */
  selected: { index: number; code: string; pCode: number } | null;
  keptTests: KeptTest[];
  /** Final Code x UT matrix, 1 = pass; rows = codes (|C|), columns = valid UTs (|T|). */
  executionMatrix: number[][];
  /** Self-play rounds run. */
  rounds: number;
  tokens: number;
  requests: number;
  wallMs: number;
  /** One word for the run, e.g. `selected`, `no-pick`, `budget-spent`. */
  verdict: string;
  /** Why self-play stopped, e.g. `all-pass`, `no-change`, `max-rounds`, `budget: tokens`. */
  stopReason: string;
}

/** |C| and |T| of a report. */
export function poolSizes(report: Pick<RunReport, 'executionMatrix'>): { codes: number; tests: number } {
  const m = report.executionMatrix;
  return { codes: m.length, tests: m.length > 0 ? m[0]!.length : 0 };
}
