// The final selection over the archive (bonRule `archive`): the evidence is everything the run executed, not
// only what survived in the pools. Pure functions of the archive (src/cosplay/archive.ts).
import type { CellResult } from '../types.js';
import type { Archive } from './archive.js';
import type { Agree } from './context.js';
import { buildMatrix, type ExecutionMatrix, passingAll } from './matrix.js';
import { isErr } from './stage3.js';

/** The archive as an execution matrix over every valid archived UT (a missing cell counts as a fail). */
export function archiveMatrix(a: Archive): ExecutionMatrix {
  return buildMatrix(
    a.cells(),
    a.uts.map((u) => u.valid),
  );
}

/**
 * Archived codes that may be picked: every code that was in the pool (repairs rejected on trial are not) and
 * passes every trusted UT.
 */
export function archiveEligible(a: Archive): boolean[] {
  const m = buildMatrix(
    a.cells(),
    a.uts.map((u) => u.valid),
  );
  const trustedCols = a.uts.flatMap((u, j) => (u.valid && u.origin === 'trusted' ? [j] : []));
  const pass = passingAll(m, trustedCols);
  return a.codes.map((c, i) => c.fate !== 'rejected-repair' && pass[i]);
}

/**
 * Output classes of one column of results: -1 for ERR (the run did not finish normally: every ERR is the same
 * class), else the position of the first earlier result whose output agrees with it (greedy, in order), so
 * that equal numbers mean agreeing outputs.
 */
export function outputClasses(col: ReadonlyArray<CellResult | null | undefined>, agree: Agree): number[] {
  const reps: number[] = [];
  return col.map((c, k) => {
    if (isErr(c)) return -1;
    const r = reps.find((q) => agree(col[q]!.output, c!.output));
    if (r !== undefined) return r;
    reps.push(k);
    return k;
  });
}

export interface BehaviourTie {
  /** Archive indexes of the codes in the top group(s), ascending. */
  tied: number[];
  /** The top score (undefined when no code is eligible). */
  score: number | undefined;
  /** How many behaviour groups the eligible codes form. */
  groups: number;
}

/**
 * The archive rule's BoN tie. Behaviour groups: eligible archived codes that behave identically on everything
 * the run executed, i.e. the same output (ERR equal to ERR) on every valid archived UT's input and on every
 * fresh input of stage 3 (`fresh.outputs[k]`: code `fresh.candidates[k]`; absent rows count as all ERR).
 * Each group is scored with CodeT's dual agreement, (#codes in the group) x (#valid archived UTs they pass);
 * the tie is the union of the top groups. Without valid UTs every score is 0 and every eligible code is tied.
 */
export function behaviourTie(
  a: Archive,
  args: {
    eligible?: ReadonlyArray<boolean>;
    fresh?: { candidates: number[]; outputs: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>> };
    agree: Agree;
  },
): BehaviourTie {
  const eligible = args.eligible ?? archiveEligible(a);
  const codes = a.codes.flatMap((_, i) => (eligible[i] ? [i] : []));
  if (codes.length === 0) return { tied: [], score: undefined, groups: 0 };
  const cells = a.cells();
  const cols = a.validUts();
  const fresh = args.fresh ?? { candidates: [], outputs: [] };
  const width = Math.max(0, ...fresh.outputs.map((r) => r.length));
  const freshRow = (i: number) => fresh.outputs[fresh.candidates.indexOf(i)] ?? [];
  const utClasses = cols.map((j) =>
    outputClasses(
      codes.map((i) => cells[i][j]),
      args.agree,
    ),
  );
  const freshClasses = Array.from({ length: width }, (_, p) =>
    outputClasses(
      codes.map((i) => freshRow(i)[p]),
      args.agree,
    ),
  );
  const groups = new Map<string, number[]>();
  codes.forEach((i, k) => {
    const passes = cols.map((j) => (cells[i][j]?.verdict === 'pass' ? 1 : 0));
    const key = JSON.stringify([passes, utClasses.map((c) => c[k]), freshClasses.map((c) => c[k])]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const scored = [...groups.values()].map((members) => {
    const i = members[0];
    const passed = cols.filter((j) => cells[i][j]?.verdict === 'pass').length;
    return { members, score: members.length * passed };
  });
  const top = Math.max(...scored.map((g) => g.score));
  const tied = scored
    .filter((g) => g.score === top)
    .flatMap((g) => g.members)
    .sort((x, y) => x - y);
  return { tied, score: top, groups: scored.length };
}
