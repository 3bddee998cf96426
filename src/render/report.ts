// Markdown for people: the pull request body, the issue comment, the job summary, and the comments of the
// failure paths. Everything generated (tests, outputs) is shown in code spans, so it renders as text.
import { BudgetExceededError, LlmUnavailableError, UserError, type UnitTest } from '../types.js';
import { commentMarker } from './markers.js';
import { poolSizes, type RunReport } from './types.js';

export const SOLVE_COMMENT_KIND = 'solve';
export const PERMISSION_COMMENT_KIND = 'permission';
export const PR_BODY_KIND = 'pr';

// ---------------------------------------------------------------------------------------------------------
// Small formatting helpers

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?';
}

/** A Markdown code span that holds any text on one line (newlines shown as ⏎), cut at `max` characters. */
export function codeSpan(text: string, max = 80, inTable = false): string {
  let t = text.replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');
  if (t.length > max) t = t.slice(0, max - 1) + '…';
  if (inTable) t = t.replace(/\|/g, '\\|');
  if (t === '') return '*(empty)*';
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

export function describeTest(test: UnitTest, inTable = false): string {
  if ('call' in test) {
    const exp = test.expected === undefined ? '' : ` → ${codeSpan(test.expected, 60, inTable)}`;
    return `${codeSpan(test.call, 70, inTable)}${exp}`;
  }
  const exp = test.expected === undefined ? '' : ` → ${codeSpan(test.expected, 50, inTable)}`;
  return `input ${codeSpan(test.input, 60, inTable)}${exp}`;
}

// ---------------------------------------------------------------------------------------------------------
// The execution matrix as a grid

export interface GridOptions {
  /** Row of the selected code (marked ▶). */
  selected?: number;
  /** Columns of the kept tests (marked ^ under the grid). */
  keptColumns?: number[];
  maxRows?: number;
  maxColumns?: number;
}

/**
 * The Code x UT matrix as text: one row per code (C0, C1, ...), ✓ pass / ✗ fail per test, pCode at the end;
 * the column numbers on top, kept tests marked with ^ below.
 */
export function renderMatrixGrid(matrix: number[][], options: GridOptions = {}): string {
  const rows = matrix.length;
  const cols = rows > 0 ? matrix[0]!.length : 0;
  if (rows === 0 || cols === 0) return '(empty matrix)';
  const maxRows = options.maxRows ?? 40;
  const maxCols = options.maxColumns ?? 60;
  const shownCols = Math.min(cols, maxCols);
  const label = (i: number) => `C${i}`;
  const labelWidth = Math.max(
    ...Array.from({ length: Math.min(rows, maxRows) }, (_, i) => label(i).length),
    2,
  );
  const lead = ' '.repeat(2 + labelWidth + 1);
  const lines: string[] = [];
  const digits = String(shownCols - 1).length;
  for (let d = digits - 1; d >= 0; d--) {
    let h = '';
    for (let j = 0; j < shownCols; j++) {
      const s = String(j).padStart(digits, ' ');
      h += s[digits - 1 - d] ?? ' ';
    }
    lines.push((lead + h + (d === 0 && shownCols < cols ? ` … +${cols - shownCols}` : '')).trimEnd());
  }
  const rowOrder = Array.from({ length: rows }, (_, i) => i);
  let shownRows = rowOrder.slice(0, maxRows);
  if (options.selected !== undefined && options.selected >= maxRows && options.selected < rows) {
    shownRows = [...rowOrder.slice(0, maxRows - 1), options.selected];
  }
  for (const i of shownRows) {
    const row = matrix[i]!;
    const cells = row
      .slice(0, shownCols)
      .map((v) => (v ? '✓' : '✗'))
      .join('');
    const pCode = row.reduce((a, v) => a + (v ? 1 : 0), 0);
    const mark = i === options.selected ? '▶ ' : '  ';
    lines.push(`${mark}${label(i).padEnd(labelWidth)} ${cells}  ${pCode}/${cols}`);
  }
  if (rows > shownRows.length) lines.push(`  … ${rows - shownRows.length} more codes`);
  if (options.keptColumns && options.keptColumns.length > 0) {
    const kept = new Set(options.keptColumns);
    let m = '';
    for (let j = 0; j < shownCols; j++) m += kept.has(j) ? '^' : ' ';
    lines.push(`${lead}${m}`.trimEnd() + '  kept');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Pull request, issue comment, job summary

export interface ReportContext {
  /** The issue the run solves (adds "Closes #N" to the pull request body). */
  issueNumber?: number;
  /** Do not write "Closes #N" (e.g. for a pull request that came from a labeled PR). */
  noCloses?: boolean;
  targetPath?: string;
  testPath?: string;
  testFramework?: string;
  /** Link to the workflow run (logs, trace artifact). */
  runUrl?: string;
  /** The label that starts runs (for the re-run hint). */
  triggerLabel?: string;
  /** Extra lines for reviewers (renamed helpers, draft fallback, ...). */
  notes?: string[];
}

export function pullRequestTitle(report: RunReport, context: ReportContext = {}): string {
  const what =
    report.task.entryPoint ?? (context.targetPath ? context.targetPath.split('/').pop() : report.task.id);
  return `CoSPlay: ${what}${context.issueNumber ? ` (#${context.issueNumber})` : ''}`;
}

function verdictSentence(report: RunReport): string {
  const { codes, tests } = poolSizes(report);
  if (!report.selected) return `**${report.verdict}**: no code was selected.`;
  return `**${report.verdict}**: candidate C${report.selected.index} of ${codes} passes ${report.selected.pCode} of ${tests} self-generated unit tests (pCode ${report.selected.pCode}/${tests}).`;
}

function factsTable(report: RunReport): string[] {
  const { codes, tests } = poolSizes(report);
  return [
    '| | |',
    '|---|---|',
    `| Pools | ${codes} codes × ${tests} valid tests |`,
    `| Self-play | ${report.rounds} round${report.rounds === 1 ? '' : 's'}, stopped: ${report.stopReason.replace(/\|/g, '\\|')} |`,
    `| LLM | ${formatCount(report.tokens)} tokens in ${formatCount(report.requests)} requests |`,
    `| Time | ${formatDuration(report.wallMs)} |`,
  ];
}

function keptTable(report: RunReport, context: ReportContext, maxRows = 50): string[] {
  const { codes } = poolSizes(report);
  if (report.keptTests.length === 0) return ['No test had enough support to keep.'];
  const where = context.testPath
    ? ` in ${codeSpan(context.testPath)}${context.testFramework ? ` (${context.testFramework})` : ''}`
    : '';
  // the support over every code the run wrote, beside the final pool's, when the run kept more codes than that
  const wide = report.keptTests.some((k) => k.archive);
  const lines = [
    `${report.keptTests.length} test${report.keptTests.length === 1 ? '' : 's'}${where}; support = candidates that pass it, pUT/|C|` +
      (wide
        ? `; over all codes = of every code the run wrote and ran on it (those code cleaning replaced too), how many pass it.`
        : '.'),
    '',
    wide ? '| # | Test | Support | Over all codes |' : '| # | Test | Support |',
    wide ? '|---:|---|---:|---:|' : '|---:|---|---:|',
  ];
  report.keptTests.slice(0, maxRows).forEach((k, i) => {
    const all = wide ? ` ${k.archive ? `${k.archive.pass}/${k.archive.ran}` : ''} |` : '';
    lines.push(
      `| ${i + 1}${k.column !== undefined ? ` (T${k.column})` : ''} | ${describeTest(k.test, true)} | ${k.pUT}/${codes} |${all}`,
    );
  });
  if (report.keptTests.length > maxRows)
    lines.push(`| … | ${report.keptTests.length - maxRows} more | |${wide ? ' |' : ''}`);
  return lines;
}

function gridSection(report: RunReport): string[] {
  const keptColumns = report.keptTests.map((k) => k.column).filter((c): c is number => c !== undefined);
  const grid = renderMatrixGrid(report.executionMatrix, { selected: report.selected?.index, keptColumns });
  return [
    '<details open><summary>Execution matrix (codes × tests, ✓ = passes)</summary>',
    '',
    '```text',
    grid,
    '```',
    '',
    '</details>',
  ];
}

function reportBody(report: RunReport, context: ReportContext): string[] {
  const lines: string[] = [];
  const what = report.task.entryPoint ? codeSpan(report.task.entryPoint) : 'the program';
  lines.push(`### CoSPlay: ${what}${context.targetPath ? ` in ${codeSpan(context.targetPath)}` : ''}`, '');
  lines.push(verdictSentence(report), '');
  lines.push(...factsTable(report), '');
  lines.push(...gridSection(report), '');
  lines.push('#### Kept tests', '', ...keptTable(report, context), '');
  if (context.notes && context.notes.length > 0) {
    lines.push('#### Notes', '');
    for (const n of context.notes) lines.push(`- ${n.replace(/\s*\n\s*/g, ' ')}`);
    lines.push('');
  }
  return lines;
}

/** The pull request body: marker, "Closes #N", verdict, facts, matrix, kept tests, notes, how it was made. */
export function renderPullRequestBody(report: RunReport, context: ReportContext = {}): string {
  const lines = [commentMarker(PR_BODY_KIND)];
  if (context.issueNumber && !context.noCloses) lines.push(`Closes #${context.issueNumber}`, '');
  lines.push(...reportBody(report, context));
  lines.push(
    '---',
    `<sub>Candidate programs and unit tests were written by an LLM and checked against each other (CoSPlay); generated code ran only in a sandbox without network or secrets. Review before merging. To re-run, remove and re-apply the \`${context.triggerLabel ?? 'cosplay'}\` label${context.runUrl ? ` · [workflow run](${context.runUrl})` : ''}.</sub>`,
  );
  return lines.join('\n') + '\n';
}

/** The job summary: the same report, without the marker. */
export function renderJobSummary(
  report: RunReport,
  context: ReportContext & { pullRequest?: { number: number; url: string } } = {},
): string {
  const lines = reportBody(report, context);
  if (context.pullRequest)
    lines.splice(2, 0, `Pull request: [#${context.pullRequest.number}](${context.pullRequest.url})`, '');
  return lines.join('\n') + '\n';
}

/** The short comment on the issue that links the pull request. Starts with `<!-- cosplay:solve -->`. */
export function renderIssueComment(
  report: RunReport,
  context: ReportContext & {
    pullRequest: { number: number; url: string; draft?: boolean; created?: boolean } | null;
  },
): string {
  const { tests } = poolSizes(report);
  const lines = [commentMarker(SOLVE_COMMENT_KIND)];
  const pr = context.pullRequest;
  if (pr) {
    lines.push(
      `${pr.created === false ? 'Updated' : 'Opened'} ${pr.draft ? 'draft ' : ''}pull request #${pr.number} with ${report.task.entryPoint ? codeSpan(report.task.entryPoint) : 'the program'}${context.targetPath ? ` in ${codeSpan(context.targetPath)}` : ''} and ${report.keptTests.length} unit test${report.keptTests.length === 1 ? '' : 's'}.`,
    );
  } else lines.push('No pull request was opened.');
  lines.push('');
  if (report.selected)
    lines.push(
      `- Verdict: **${report.verdict}**; the selected code passes ${report.selected.pCode}/${tests} self-generated tests.`,
    );
  else lines.push(`- Verdict: **${report.verdict}**.`);
  lines.push(
    `- ${report.rounds} self-play round${report.rounds === 1 ? '' : 's'} (stopped: ${report.stopReason}); ${formatCount(report.tokens)} tokens, ${formatCount(report.requests)} requests, ${formatDuration(report.wallMs)}.`,
  );
  for (const n of context.notes ?? []) lines.push(`- ${n.replace(/\s*\n\s*/g, ' ')}`);
  if (context.runUrl)
    lines.push('', `[Workflow run](${context.runUrl}) (the full trace is attached as an artifact).`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// Failure paths

export interface FailureDescription {
  title: string;
  /** What happened. */
  what: string;
  /** What to change; absent when the message already says it. */
  fix?: string;
}

/** A user-facing description of why a run ended without a result. */
export function describeFailure(err: unknown): FailureDescription {
  if (err instanceof BudgetExceededError) {
    const input = { tokens: 'max-tokens', requests: 'max-requests', wallMs: 'max-minutes' }[err.budget];
    return {
      title: 'The budget ran out',
      what: `The ${err.budget === 'wallMs' ? 'time' : err.budget} budget was spent before a result was ready.`,
      fix: `Raise \`${input}\`, use the \`small\` preset, or lower \`codes\`, \`tests\` or \`rounds\`.`,
    };
  }
  if (err instanceof LlmUnavailableError) {
    return {
      title: 'The LLM endpoint could not be reached',
      what: err.message,
      fix: 'Check `base-url`, `api-key` and `model`. For GitHub Models, the job needs `permissions: models: read`; free quotas reset daily.',
    };
  }
  if (err instanceof UserError) return { title: 'The run stopped', what: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return {
    title: 'The run failed',
    what: `An unexpected error stopped the run: ${message}`,
    fix: 'The workflow log and the trace artifact have the details; please report it if it persists.',
  };
}

/** The comment for a failed run. Uses the solve marker by default, so a later success replaces it. */
export function renderFailureComment(
  failure: FailureDescription,
  options: { runUrl?: string; kind?: string } = {},
): string {
  const lines = [
    commentMarker(options.kind ?? SOLVE_COMMENT_KIND),
    `### CoSPlay: ${failure.title.toLowerCase()}`,
    '',
    failure.what.trim(),
  ];
  if (failure.fix) lines.push('', `**What to do:** ${failure.fix.trim()}`);
  if (options.runUrl) lines.push('', `[Workflow run](${options.runUrl}) (logs and trace).`);
  return lines.join('\n') + '\n';
}

/** The polite reply when the person who applied the label may not start runs. */
export function renderNoPermissionComment(options: {
  actor: string;
  permission: string;
  isBot?: boolean;
  triggerLabel?: string;
  runUrl?: string;
}): string {
  const label = options.triggerLabel ?? 'cosplay';
  const who = /^[A-Za-z0-9-]+(\[bot\])?$/.test(options.actor) ? `@${options.actor}` : codeSpan(options.actor);
  const lines = [commentMarker(PERMISSION_COMMENT_KIND)];
  if (options.isBot) {
    lines.push(
      `${who} applied the \`${label}\` label, but bots may start CoSPlay runs only when a maintainer lists them in the workflow's \`allowed-bots\` input. No run was started.`,
    );
  } else {
    lines.push(
      `Thanks, ${who}! CoSPlay runs can be started only by people with write, maintain or admin access to this repository (yours: ${options.permission}), because a run spends the repository's LLM budget and pushes a branch. No run was started.`,
      '',
      `A maintainer can start one by applying the \`${label}\` label.`,
    );
  }
  if (options.runUrl) lines.push('', `[Workflow run](${options.runUrl})`);
  return lines.join('\n') + '\n';
}
