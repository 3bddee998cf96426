// Whether a candidate repair holds up against the whole suite, and which candidates of a CoSPlay run to try.
import type { CosplayResult } from '../../cosplay/index.js';
import type { TestCaseResult } from './report.js';
import type { SuiteRun } from './suite.js';

export interface SuiteVerdict {
  ok: boolean;
  /** Why not, for people. */
  reason: string;
  /** Counts of the run. */
  total: number;
  failing: number;
  /** Failing tests of the function under repair that pass now. */
  fixed: string[];
}

const isBad = (c: TestCaseResult) => c.status === 'failed' || c.status === 'error';

/**
 * A repair passes verification when the suite ran and reported, every failing test of the function under
 * repair passes now, no test that passed before fails now, and no test disappeared (a candidate that breaks
 * the module's import would make a whole file of tests vanish).
 */
export function judgeSuiteRun(baseline: TestCaseResult[], run: SuiteRun, targetIds: string[]): SuiteVerdict {
  const now = new Map(run.cases.map((c) => [c.id, c]));
  const total = run.cases.length;
  const failing = run.cases.filter(isBad).length;
  const base = { total, failing, fixed: [] as string[] };
  if (run.timedOut) return { ok: false, reason: 'the test command timed out', ...base };
  if (run.cases.length === 0)
    return { ok: false, reason: `the test command wrote no report (exit status ${run.exitCode})`, ...base };
  const fixed = targetIds.filter((id) => now.get(id)?.status === 'passed');
  const stillFailing = targetIds.filter((id) => !fixed.includes(id));
  if (stillFailing.length > 0) {
    const which = stillFailing.slice(0, 3).join(', ');
    const reason =
      targetIds.length === 1
        ? `its failing test still fails (${which})`
        : `${stillFailing.length} of its ${targetIds.length} failing tests still fail (${which})`;
    return { ok: false, reason, ...base, fixed };
  }
  const broken = baseline
    .filter((c) => c.status === 'passed' && now.get(c.id) && isBad(now.get(c.id)!))
    .map((c) => c.id);
  if (broken.length > 0)
    return {
      ok: false,
      reason: `it breaks ${broken.length} test${broken.length === 1 ? '' : 's'} that passed before (${broken.slice(0, 3).join(', ')})`,
      ...base,
      fixed,
    };
  const gone = baseline.filter((c) => c.status !== 'skipped' && !now.has(c.id)).map((c) => c.id);
  if (gone.length > 0)
    return {
      ok: false,
      reason: `${gone.length} test${gone.length === 1 ? '' : 's'} no longer ran (${gone.slice(0, 3).join(', ')})`,
      ...base,
      fixed,
    };
  return { ok: true, reason: 'passes', ...base, fixed };
}

function norm(code: string): string {
  return code
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
}

/**
 * Codes to verify, best first: the pick, the other members of its output cluster (most agreements first as the
 * engine ordered them), then the other BoN-tied codes; never a copy of the current implementation; at most
 * `max`.
 */
export function candidatesToVerify(
  result: Pick<CosplayResult, 'selected' | 'clusters' | 'bonTied' | 'codePool'>,
  current: string,
  max: number,
): Array<{ index: number; code: string }> {
  if (!result.selected) return [];
  const order: number[] = [result.selected.index];
  const chosen = result.clusters.find((c) => c.members.includes(result.selected!.index));
  for (const i of chosen?.members ?? []) if (!order.includes(i)) order.push(i);
  for (const i of result.bonTied) if (!order.includes(i)) order.push(i);
  const seen = new Set<string>([norm(current)]);
  const out: Array<{ index: number; code: string }> = [];
  for (const i of order) {
    const code = result.codePool[i]?.code;
    if (!code || seen.has(norm(code))) continue;
    seen.add(norm(code));
    out.push({ index: i, code });
    if (out.length >= max) break;
  }
  return out;
}
