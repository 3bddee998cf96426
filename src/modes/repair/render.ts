// Markdown of the repair mode: the pull request body (before and after, the failing tests, the evidence) and
// the job summary (every function: repaired with its PR, or why not; failing tests that led nowhere).
import type { FunctionTest, Language } from '../../types.js';
import { codeSpan, formatCount, formatDuration } from '../../render/index.js';
import type { LocatedFailure, RepairTarget } from './locate.js';
import type { SuiteVerdict } from './verify.js';

export interface RepairFacts {
  codes: number;
  generated: number;
  validUts: number;
  pick: { pCode: number; origin: string } | null;
  clusterSize: number;
  rounds: number;
  stopReason: string;
  degraded: string[];
}

export interface RepairOutcome {
  target: RepairTarget;
  failures: LocatedFailure[];
  trusted: FunctionTest[];
  status: 'repaired' | 'not-repaired';
  reason?: string;
  /** The function before and after (its definition's text). */
  before?: string;
  after?: string;
  /** The whole file with the repair (what the pull request commits). */
  newContent?: string;
  /** The verified candidate program (to place it again when repairs are grouped). */
  code?: string;
  attempts: SuiteVerdict[];
  verdict?: SuiteVerdict;
  facts?: RepairFacts;
  pr?: { number: number; url: string; branch: string; created: boolean };
  /** The branch was pushed but no pull request could be opened (the message says what to do). */
  prError?: string;
}

export interface RepairReport {
  command: string;
  baseline: { total: number; failing: number; exitCode: number | null; reports: string[] };
  outcomes: RepairOutcome[];
  unmapped: LocatedFailure[];
  notes: string[];
  tokens: number;
  requests: number;
  wallMs: number;
  runUrl?: string;
}

function fence(code: string, language: Language): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${language}\n${code.replace(/\s+$/, '')}\n${f}`;
}

function where(t: RepairTarget): string {
  return `${codeSpan(t.name)} in ${codeSpan(t.path)}`;
}

function failureLine(f: LocatedFailure): string {
  const msg = f.case.message ? `: ${codeSpan(f.case.message, 140)}` : '';
  const via =
    f.via === 'traceback' ? 'traced through its traceback' : 'the function its failing assertion calls';
  return `- ${codeSpan(f.case.id, 120)}${msg} (${via})`;
}

export function repairTitle(outcomes: RepairOutcome[]): string {
  if (outcomes.length === 1)
    return `Repair ${outcomes[0]!.target.name} in ${outcomes[0]!.target.path} (CoSPlay)`;
  return `Repair ${outcomes.length} functions behind failing tests (CoSPlay)`;
}

function section(o: RepairOutcome, command: string, baselineFailing: number, level: string): string {
  const lang = o.target.language;
  const lines = [`${level} ${where(o.target)}`, ''];
  lines.push(
    `Failing test${o.failures.length === 1 ? '' : 's'} traced to this function:`,
    '',
    ...o.failures.map(failureLine),
    '',
  );
  if (o.before) lines.push('**Before**', '', fence(o.before, lang), '');
  if (o.after) lines.push('**After**', '', fence(o.after, lang), '');
  lines.push('**Evidence**', '');
  if (o.trusted.length > 0)
    lines.push(
      `- Trusted tests, from the failing assertions (every pick must pass them): ${o.trusted.map((t) => `${codeSpan(t.call, 70)} → ${codeSpan(t.expected ?? '', 40)}`).join(', ')}.`,
    );
  else
    lines.push(
      '- The failing tests could not be written as unit tests of this function (not a literal equality on one call), so only the whole suite judged the pick.',
    );
  const f = o.facts;
  if (f) {
    const pick = f.pick
      ? `the pick passes ${f.pick.pCode} of ${f.validUts} valid self-generated unit tests`
      : 'no pick';
    const cluster = f.clusterSize > 1 ? `; its output cluster holds ${f.clusterSize} candidates` : '';
    lines.push(
      `- CoSPlay: ${f.codes} candidates (${f.generated} generated from the spec, plus the current code), ${f.validUts} valid unit tests, ${f.rounds} self-play round${f.rounds === 1 ? '' : 's'} (${f.stopReason}); ${pick}${cluster}.`,
    );
  }
  if (o.verdict)
    lines.push(
      `- The whole suite (${codeSpan(command, 100)}) with this repair: ${o.verdict.total} tests, ${o.verdict.failing} failing (before: ${baselineFailing}); the ${o.verdict.fixed.length} failing test${o.verdict.fixed.length === 1 ? '' : 's'} of this function pass${o.verdict.fixed.length === 1 ? 'es' : ''} and no test that passed before fails.`,
    );
  if (o.attempts.length > 1)
    lines.push(
      `- ${o.attempts.length - 1} earlier candidate${o.attempts.length === 2 ? '' : 's'} failed verification: ${o.attempts
        .slice(0, -1)
        .map((a) => a.reason)
        .join('; ')}.`,
    );
  return lines.join('\n');
}

export function renderRepairPrBody(
  outcomes: RepairOutcome[],
  report: Pick<RepairReport, 'command' | 'baseline' | 'runUrl'>,
): string {
  const parts = [
    `The repository's tests (${codeSpan(report.command, 100)}) failed. CoSPlay traced the failures to the function${outcomes.length === 1 ? '' : 's'} below, ` +
      'generated candidate implementations and unit tests from the spec (the current code joined the candidates as a seed, ' +
      'the failing assertions as trusted tests), and verified the pick with the whole test suite before opening this pull request.',
    '',
  ];
  for (const o of outcomes)
    parts.push(section(o, report.command, report.baseline.failing, outcomes.length === 1 ? '###' : '##'), '');
  const link = report.runUrl ? ` ([workflow run](${report.runUrl}))` : '';
  parts.push(
    `<sub>Opened by the cosplay action's nightly repair${link}. Generated code: review it like any other change.</sub>`,
  );
  return parts.join('\n');
}

export function renderRepairSummary(report: RepairReport): string {
  const repaired = report.outcomes.filter((o) => o.status === 'repaired');
  const head =
    report.baseline.failing === 0
      ? '## ✅ CoSPlay repair: every test passes, nothing to repair'
      : `## ${repaired.length > 0 ? '🛠️' : '❔'} CoSPlay repair: ${repaired.length} of ${report.outcomes.length} function${report.outcomes.length === 1 ? '' : 's'} repaired`;
  const parts = [
    head,
    '',
    `Test command ${codeSpan(report.command, 100)}: ${report.baseline.total} tests, ${report.baseline.failing} failing (exit status ${report.baseline.exitCode}; report${report.baseline.reports.length === 1 ? '' : 's'}: ${report.baseline.reports.map((r) => codeSpan(r)).join(', ') || 'none'}).`,
    '',
  ];
  if (report.outcomes.length > 0) {
    parts.push('| function | failing tests | result |', '|---|---|---|');
    for (const o of report.outcomes) {
      let result: string;
      if (o.status === 'repaired')
        result = o.pr
          ? `repaired: [#${o.pr.number}](${o.pr.url})`
          : `repaired and verified; no pull request: ${o.prError ?? 'unknown'}`;
      else result = `not repaired: ${o.reason ?? 'unknown'}`;
      parts.push(
        `| ${where(o.target)} | ${o.failures.length} | ${result.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
      );
    }
    parts.push('');
  }
  if (report.unmapped.length > 0) {
    parts.push('### Failing tests not traced to a function', '');
    for (const u of report.unmapped) parts.push(`- ${codeSpan(u.case.id, 120)}: ${u.reason ?? 'unknown'}`);
    parts.push('');
  }
  for (const o of repaired)
    parts.push(
      '<details><summary>' + `${o.target.name} in ${o.target.path}` + '</summary>',
      '',
      section(o, report.command, report.baseline.failing, '####'),
      '',
      '</details>',
      '',
    );
  for (const n of report.notes) parts.push(`> ${n}`, '');
  const link = report.runUrl ? ` · [workflow run](${report.runUrl})` : '';
  parts.push(
    `<sub>${formatCount(report.tokens)} tokens, ${formatCount(report.requests)} requests, ${formatDuration(report.wallMs)}${link}</sub>`,
  );
  return parts.join('\n');
}
