// Markdown and annotations of the gate: one PR comment (updated on re-runs), the job summary, and an
// annotation on each function that disagrees. Everything generated is shown in code spans.
import { codeSpan, formatCount, formatDuration } from '../../render/index.js';
import type { Annotation } from '../../github/index.js';
import type { GateJudgement, Counterexample } from './judge.js';
import type { SkippedFunction } from './targets.js';

export const GATE_COMMENT_KIND = 'gate';

export interface GateFunctionReport {
  path: string;
  name: string;
  startLine: number;
  endLine: number;
  change: 'added' | 'modified';
  specSource: 'doc' | 'pr-body';
  /** Null when the function was not judged (`note` says why). */
  judgement: GateJudgement | null;
  note?: string;
  facts?: { codes: number; tests: number; rounds: number; stopReason: string; degraded: string[] };
}

export interface GateReport {
  pullNumber: number;
  headSha: string;
  isFork: boolean;
  minSupport: number;
  functions: GateFunctionReport[];
  skipped: SkippedFunction[];
  notes: string[];
  tokens: number;
  requests: number;
  wallMs: number;
  runUrl?: string;
}

const ICON: Record<string, string> = {
  disagrees: '❌',
  weak: '⚠️',
  agrees: '✅',
  inconclusive: '❔',
  skipped: '⏭️',
};

export function statusOf(f: GateFunctionReport): string {
  return f.judgement?.status ?? 'skipped';
}

export function gateFailed(report: GateReport): boolean {
  return report.functions.some((f) => statusOf(f) === 'disagrees');
}

export function gateHeadline(report: GateReport): string {
  const n = report.functions.length;
  const bad = report.functions.filter((f) => statusOf(f) === 'disagrees').length;
  if (n === 0) return 'CoSPlay gate: no changed function with a spec to check';
  if (bad > 0)
    return `CoSPlay gate: ${bad} of ${n} function${n === 1 ? '' : 's'} disagree${bad === 1 ? 's' : ''} with the consensus`;
  return `CoSPlay gate: ${n} function${n === 1 ? '' : 's'} checked, no blocking disagreement`;
}

function counterexampleTable(cs: Counterexample[], max: number): string {
  const rows = cs
    .slice(0, max)
    .map(
      (c) =>
        `| ${codeSpan(c.input, 70, true)} | ${codeSpan(c.prOutput, 50, true)} | ${codeSpan(c.consensus, 50, true)} | ${c.support}/${c.of} ${c.kind === 'ut' ? 'pass this test' : 'in the winning cluster'}${c.blocking ? '' : ' (below the threshold)'}${c.archive ? `; ${c.archive.pass}/${c.archive.ran} of every candidate the run wrote` : ''} |`,
    );
  const more = cs.length > max ? `\n\n… and ${cs.length - max} more.` : '';
  return (
    ['| input | this PR returns | consensus | support |', '|---|---|---|---|', ...rows].join('\n') + more
  );
}

function functionSection(f: GateFunctionReport, full: boolean): string {
  const status = statusOf(f);
  const where = `${codeSpan(f.name)} in ${codeSpan(f.path)} (lines ${f.startLine}–${f.endLine}, ${f.change})`;
  const lines = [`### ${ICON[status] ?? ''} ${where}`, ''];
  if (!f.judgement) {
    lines.push(`Not checked: ${f.note ?? 'skipped'}.`);
    return lines.join('\n');
  }
  const j = f.judgement;
  lines.push(`${j.reason.charAt(0).toUpperCase()}${j.reason.slice(1)}.`);
  if (j.counterexamples.length > 0) lines.push('', counterexampleTable(j.counterexamples, full ? 10 : 5));
  if (j.freshErrors > 0)
    lines.push(
      '',
      `On ${j.freshErrors} fresh input${j.freshErrors === 1 ? '' : 's'} this PR's function raised an error where the consensus returned a value (errors are not counted as disagreements: the input may be invalid).`,
    );
  const facts = f.facts;
  const evidence = [
    `${j.independent} independent candidates`,
    `${j.validUts} valid unit tests (${j.strongUts} with at least the required support)`,
    j.freshInputs > 0
      ? `${j.freshInputs} fresh inputs, winning cluster ${j.clusterSize}/${j.independent}`
      : 'no fresh-input clustering',
  ];
  if (facts)
    evidence.push(`${facts.rounds} self-play round${facts.rounds === 1 ? '' : 's'} (${facts.stopReason})`);
  lines.push('', `Evidence: ${evidence.join('; ')}.`);
  if (f.specSource === 'pr-body')
    lines.push('', 'Spec: the pull request description (the function has no docstring).');
  if (full && facts && facts.degraded.length > 0)
    lines.push('', `Run notes: ${facts.degraded.map((d) => d.replace(/\r?\n/g, ' ')).join('; ')}.`);
  if (f.note) lines.push('', f.note);
  return lines.join('\n');
}

function explanation(report: GateReport): string {
  return (
    `For each function this pull request adds or changes that has a spec (docstring, JSDoc, or a mention in the PR description), ` +
    `CoSPlay generated candidate implementations and unit tests from the spec alone, without seeing this PR's code, ` +
    `and judged this PR's version as one more candidate. A disagreement blocks the check when at least ` +
    `${Math.round(report.minSupport * 100)}% of the independent candidates agree (input \`gate-min-support\`).`
  );
}

/** The PR comment (one per pull request; a re-run updates it). */
export function renderGateComment(report: GateReport): string {
  const parts = [
    `## ${gateFailed(report) ? '❌' : '✅'} ${gateHeadline(report)}`,
    '',
    explanation(report),
    '',
  ];
  const shown = [...report.functions].sort((a, b) => rank(statusOf(a)) - rank(statusOf(b)));
  for (const f of shown) parts.push(functionSection(f, false), '');
  parts.push(footer(report));
  return parts.join('\n');
}

/** The job summary: the comment's content plus what was skipped and the run's facts. */
export function renderGateSummary(report: GateReport): string {
  const parts = [`## ${gateFailed(report) ? '❌' : '✅'} ${gateHeadline(report)}`, ''];
  if (report.isFork)
    parts.push(
      '> This pull request comes from a fork: the workflow runs with a read-only token and no secrets, so this summary is the report (a PR comment may not be possible).',
      '',
    );
  parts.push(explanation(report), '');
  const shown = [...report.functions].sort((a, b) => rank(statusOf(a)) - rank(statusOf(b)));
  for (const f of shown) parts.push(functionSection(f, true), '');
  if (report.skipped.length > 0) {
    parts.push('### Not checked', '');
    for (const s of report.skipped) parts.push(`- ${codeSpan(s.name)} in ${codeSpan(s.path)}: ${s.reason}`);
    parts.push('');
  }
  for (const n of report.notes) parts.push(`> ${n}`, '');
  parts.push(footer(report));
  return parts.join('\n');
}

function footer(report: GateReport): string {
  const link = report.runUrl ? ` · [workflow run](${report.runUrl})` : '';
  return `<sub>Commit ${codeSpan(report.headSha.slice(0, 12) || '?')} · ${formatCount(report.tokens)} tokens, ${formatCount(report.requests)} requests, ${formatDuration(report.wallMs)}${link}</sub>`;
}

function rank(status: string): number {
  return ['disagrees', 'weak', 'inconclusive', 'agrees', 'skipped'].indexOf(status);
}

/** Annotations: an error on each function that blocks, a warning on each weak disagreement. */
export function gateAnnotations(report: GateReport): Annotation[] {
  const out: Annotation[] = [];
  for (const f of report.functions) {
    const j = f.judgement;
    if (!j || (j.status !== 'disagrees' && j.status !== 'weak')) continue;
    const cs = j.counterexamples.filter((c) => (j.status === 'disagrees' ? c.blocking : true)).slice(0, 3);
    const lines = cs.map(
      (c) =>
        `${c.input}: this PR returns ${c.prOutput}, the consensus (${c.support}/${c.of}) ${c.kind === 'ut' ? 'expects' : 'returns'} ${c.consensus}`,
    );
    out.push({
      level: j.status === 'disagrees' ? 'error' : 'warning',
      title: `CoSPlay: ${f.name} disagrees with the consensus`,
      message: `${j.reason}.\n${lines.join('\n')}`,
      file: f.path,
      startLine: f.startLine,
      endLine: f.endLine,
    });
  }
  return out;
}
