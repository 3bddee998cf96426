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
 * A UT's support over the archive: of the archived codes that ran it (every code the run wrote and kept at some
 * point; repairs rejected on trial do not count), how many passed it. The pool's pUT counts only the codes that
 * survived cleaning, which the UTs themselves selected; this counts the codes before that selection too.
 */
export function archiveSupport(
  a: Pick<Archive, 'codes'> & { cells: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>> },
  ut: number,
  only: (c: Archive['codes'][number]) => boolean = () => true,
): { pass: number; ran: number } {
  let pass = 0;
  let ran = 0;
  a.codes.forEach((c, i) => {
    const cell = a.cells[i]?.[ut];
    if (c.fate === 'rejected-repair' || !cell || !only(c)) return;
    ran++;
    if (cell.verdict === 'pass') pass++;
  });
  return { pass, ran };
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
  /** How many groups the eligible codes form (a UT group never run on the fresh inputs counts as one). */
  groups: number;
  /** The fresh inputs' results of the codes that were run on them (archive index -> row). */
  fresh: Map<number, CellResult[]>;
}

/** Results of archived codes on stage 3's fresh inputs, one row per code asked for (same order). */
export type FreshRun = (codes: number[]) => CellResult[][] | Promise<CellResult[][]>;

interface UtGroup {
  members: number[];
  /** Valid archived UTs the members pass. */
  passed: number;
}

/**
 * Eligible archived codes grouped by what they did on the archive's UTs: the same verdict and the same output
 * (ERR equal to ERR) on every valid archived UT's input. In archive order of their first member.
 */
function utGroups(a: Archive, codes: number[], agree: Agree): UtGroup[] {
  const cells = a.cells();
  const cols = a.validUts();
  const utClasses = cols.map((j) =>
    outputClasses(
      codes.map((i) => cells[i][j]),
      agree,
    ),
  );
  const groups = new Map<string, number[]>();
  codes.forEach((i, k) => {
    const passes = cols.map((j) => (cells[i][j]?.verdict === 'pass' ? 1 : 0));
    const key = JSON.stringify([passes, utClasses.map((c) => c[k])]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.values()].map((members) => ({
    members,
    passed: cols.filter((j) => cells[members[0]][j]?.verdict === 'pass').length,
  }));
}

/** A UT group split by its members' outputs on the fresh inputs (output classes among the members). */
function splitByFresh(
  members: number[],
  rowOf: (i: number) => ReadonlyArray<CellResult | null | undefined>,
  agree: Agree,
): number[][] {
  const width = Math.max(0, ...members.map((i) => rowOf(i).length));
  const classes = Array.from({ length: width }, (_, p) =>
    outputClasses(
      members.map((i) => rowOf(i)[p]),
      agree,
    ),
  );
  const parts = new Map<string, number[]>();
  members.forEach((i, k) => {
    const key = classes.map((c) => c[k]).join(',');
    parts.set(key, [...(parts.get(key) ?? []), i]);
  });
  return [...parts.values()];
}

/**
 * The archive rule's BoN tie. Behaviour groups: eligible archived codes that behave identically on everything
 * the run executed, i.e. the same output (ERR equal to ERR) on every valid archived UT's input and on every
 * fresh input of stage 3 (`fresh`: runs archived codes on them; a row shorter than the others is ERR where it
 * is missing). Each group is scored with CodeT's dual agreement, (#codes in the group) x (#valid archived UTs
 * they pass); the tie is the union of the top groups. Without valid UTs every score is 0 and every eligible code
 * is tied.
 *
 * Fresh inputs can only split a UT group, never merge two, so a UT group's own score bounds the scores of its
 * parts; only groups whose bound reaches the top score are run on the fresh inputs: first the groups with the
 * highest bound (and the codes in `also`, whose rows the caller needs), then every group whose bound reaches the
 * best score so far. The tie is the one running every eligible code would give (output classes on the fresh
 * inputs are taken among a UT group's members, so that they do not depend on which other codes ran).
 */
export async function behaviourTie(
  a: Archive,
  args: {
    eligible?: ReadonlyArray<boolean>;
    fresh?: FreshRun;
    /** Codes to run on the fresh inputs whatever their group's bound (archive indexes). */
    also?: readonly number[];
    agree: Agree;
  },
): Promise<BehaviourTie> {
  const eligible = args.eligible ?? archiveEligible(a);
  const codes = a.codes.flatMap((_, i) => (eligible[i] ? [i] : []));
  const fresh = new Map<number, CellResult[]>();
  if (codes.length === 0) return { tied: [], score: undefined, groups: 0, fresh };
  const bound = (g: UtGroup) => g.members.length * g.passed;
  const groups = utGroups(a, codes, args.agree);
  const parts = new Map<UtGroup, number[][]>();
  const run = async (batch: UtGroup[], also: readonly number[] = []) => {
    const want = [...new Set([...batch.flatMap((g) => g.members), ...also])].filter((i) => !fresh.has(i));
    if (args.fresh && want.length > 0) {
      const rows = await args.fresh(want);
      want.forEach((i, k) => fresh.set(i, rows[k] ?? []));
    }
    for (const g of batch)
      parts.set(g, args.fresh ? splitByFresh(g.members, (i) => fresh.get(i) ?? [], args.agree) : [g.members]);
  };
  const best = () => Math.max(...[...parts].flatMap(([g, ps]) => ps.map((p) => p.length * g.passed)));
  const top = Math.max(...groups.map(bound));
  await run(
    groups.filter((g) => bound(g) === top),
    args.also ?? [],
  );
  const reach = best();
  await run(groups.filter((g) => !parts.has(g) && bound(g) >= reach));
  const score = best();
  const tied = [...parts]
    .flatMap(([g, ps]) => ps.filter((p) => p.length * g.passed === score))
    .flat()
    .sort((x, y) => x - y);
  const count = groups.reduce((n, g) => n + (parts.get(g)?.length ?? 1), 0);
  return { tied, score, groups: count, fresh };
}
