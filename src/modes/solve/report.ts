// The solve run's result as a RunReport for rendering (valid columns only, the kept tests), and failure
// descriptions with what to change.
import { archiveSupport, type CosplayResult } from '../../cosplay/index.js';
import { SandboxUnavailableError } from '../../exec/index.js';
import type { GatewayLlm } from '../../llm/index.js';
import {
  describeFailure,
  type FailureDescription,
  type KeptTest,
  type RunReport,
} from '../../render/index.js';
import type { UnitTest } from '../../types.js';

// ---------------------------------------------------------------------------------------------------------
// The engine's result as a report

function testKey(t: UnitTest): string {
  const input = 'call' in t ? `call:${t.call.replace(/\s+/g, ' ').trim()}` : `input:${t.input}`;
  return `${input}\u0000${t.expected ?? ''}`;
}

export interface KeptTestsResult {
  /** Columns of the report's (valid-only) matrix. */
  kept: KeptTest[];
  /** High-support tests the selected code fails: left out of the test file (it would fail), named in the notes. */
  disagreements: KeptTest[];
}

/**
 * The unit tests worth committing: valid, with an expected value, trusted or passed by a majority of the
 * candidates (the engine's high support, 2 * pUT > |C|), and passed by the selected code, so the written test
 * file passes on the pull request. Duplicates (same input and expected value) count once. `columns` maps UT
 * indexes to the report's column numbers.
 */
export function keptTestsOf(result: CosplayResult, columns: Map<number, number>): KeptTestsResult {
  const kept: KeptTest[] = [];
  const disagreements: KeptTest[] = [];
  const seen = new Set<string>();
  const n = result.codePool.length;
  const sel = result.selected?.index;
  // support over the archive, when it holds codes the pool no longer has
  const a = result.archive;
  const wider = a && a.codes.filter((c) => c.fate !== 'rejected-repair').length > n;
  result.utPool.forEach((ut, j) => {
    if (!ut.valid || ut.test.expected === undefined) return;
    const pUT = ut.pUT ?? 0;
    if (!(ut.origin === 'trusted' || 2 * pUT > n)) return;
    const key = testKey(ut.test);
    if (seen.has(key)) return;
    seen.add(key);
    const k: KeptTest = { test: ut.test, pUT };
    const column = columns.get(j);
    if (column !== undefined) k.column = column;
    const id = a?.utPoolIds[j];
    if (wider && id !== undefined) k.archive = archiveSupport(a, id);
    if (sel !== undefined && result.executionMatrix[sel]?.[j] === 1) kept.push(k);
    else disagreements.push(k);
  });
  kept.sort((a, b) => b.pUT - a.pUT || (a.column ?? 0) - (b.column ?? 0));
  return { kept, disagreements };
}

export type BudgetName = 'tokens' | 'requests' | 'wallMs';

export interface ReportOptions {
  /** Spending as the LLM client counted it (every HTTP attempt); default: the engine's own count. */
  llm?: Pick<GatewayLlm, 'usage'>;
}

export interface SolveReport {
  report: RunReport;
  /** The valid UT indexes, in the order of the report's columns. */
  columns: number[];
  disagreements: KeptTest[];
  /** The budget that ran out, if one did. */
  budget: BudgetName | null;
  notes: string[];
}

export function verdictOf(result: CosplayResult): 'selected' | 'no-pick' | 'budget-spent' {
  if (!result.selected) return 'no-pick';
  return result.stopReason === 'budget' ? 'budget-spent' : 'selected';
}

const BUDGET_INPUT: Record<BudgetName, string> = {
  tokens: 'max-tokens',
  requests: 'max-requests',
  wallMs: 'max-minutes',
};

/** Builds the report the renderers take, with notes for reviewers. */
export function reportFromResult(result: CosplayResult, options: ReportOptions = {}): SolveReport {
  const columns = result.utPool.flatMap((u, j) => (u.valid ? [j] : []));
  const columnOf = new Map(columns.map((j, c) => [j, c]));
  const matrix: number[][] = result.executionMatrix.map((row) => columns.map((j) => (row[j] === 1 ? 1 : 0)));
  const { kept, disagreements } = keptTestsOf(result, columnOf);
  const usage = options.llm?.usage();
  const budget = (usage?.budget.exhausted ?? null) as BudgetName | null;
  const stopReason =
    result.stopReason === 'budget' && budget
      ? `budget: ${budget === 'wallMs' ? 'time' : budget}`
      : result.stopReason;
  const selectedPCode = result.selected
    ? (matrix[result.selected.index] ?? []).reduce((a, v) => a + v, 0)
    : 0;
  const report: RunReport = {
    task: result.task,
    selected: result.selected
      ? { index: result.selected.index, code: result.selected.code, pCode: selectedPCode }
      : null,
    keptTests: kept,
    executionMatrix: matrix,
    rounds: result.rounds.length,
    tokens: usage ? usage.total.tokens : result.tokens,
    requests: usage ? usage.total.requests : result.requests,
    wallMs: result.wallMs,
    verdict: verdictOf(result),
    stopReason,
  };
  const notes: string[] = [];
  if (result.stopReason === 'budget' && result.selected) {
    const input = budget ? BUDGET_INPUT[budget] : 'max-tokens, max-requests or max-minutes';
    notes.push(
      `The ${budget === 'wallMs' ? 'time' : (budget ?? 'LLM')} budget ran out before self-play finished: this is the best pick so far. Raise \`${input}\` (or lower \`codes\`, \`tests\`, \`rounds\`) for a fuller run.`,
    );
  }
  if (result.stopReason === 'llm-unavailable' && result.selected)
    notes.push('The LLM endpoint stopped answering during self-play: this is the best pick so far.');
  if (columns.length === 0 && result.selected)
    notes.push(
      'No self-generated unit test reached agreement, so the pick is unchecked: review it with extra care.',
    );
  if (disagreements.length > 0)
    notes.push(
      `${disagreements.length} test${disagreements.length === 1 ? '' : 's'} that most candidates pass ${disagreements.length === 1 ? 'is' : 'are'} failed by the selected code (it won on output consensus) and ${disagreements.length === 1 ? 'was' : 'were'} left out of the test file: ${disagreements
        .slice(0, 3)
        .map((d) => ('call' in d.test ? `\`${d.test.call}\`` : 'a stdin test'))
        .join(', ')}.`,
    );
  for (const d of result.degraded)
    if (!/^budget spent|^LLM unavailable/.test(d)) notes.push(`Degraded: ${d}.`);
  return { report, columns, disagreements, budget, notes };
}

/** `P/T`: pCode of the selected code over the number of valid tests (the selected-pass-count output). */
export function passCountOutput(report: RunReport): string {
  const tests = report.executionMatrix[0]?.length ?? 0;
  return report.selected ? `${report.selected.pCode}/${tests}` : `0/${tests}`;
}

// ---------------------------------------------------------------------------------------------------------
// Failures

/** What happened and what to change, for a comment or the job's failure message. */
export function explainFailure(err: unknown): FailureDescription {
  if (err instanceof SandboxUnavailableError) {
    return {
      title: 'No working sandbox',
      what: `Generated code runs only in a sandbox, and ${err.reason}. Nothing was run.`,
      fix: err.fix,
    };
  }
  return describeFailure(err);
}

/** One line for the job's failure: the description and what to do. */
export function failureMessage(f: FailureDescription): string {
  return `${f.title}: ${f.what}${f.fix ? ` ${f.fix}` : ''}`.replace(/\s*\n\s*/g, ' ');
}

// ---------------------------------------------------------------------------------------------------------
