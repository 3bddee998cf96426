// The final selection over the archive (bonRule `archive`): the evidence is everything the run executed, not
// only what survived in the pools. Pure functions of the archive (src/cosplay/archive.ts).
import type { Archive } from './archive.js';
import { codetScores, type Scored } from './baselines.js';
import { buildMatrix, type ExecutionMatrix, passingAll } from './matrix.js';

/** Archived UTs the final selection counts: valid ones the self-play did not refresh as spuriously coupled. */
export function archiveColumns(a: Archive): boolean[] {
  return a.uts.map((u) => u.valid && u.fate !== 'coupled');
}

/** The archive as an execution matrix over the given columns (a missing cell counts as a fail). */
export function archiveMatrix(a: Archive, cols: ReadonlyArray<boolean> = archiveColumns(a)): ExecutionMatrix {
  return buildMatrix(a.cells(), [...cols]);
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
 * The archive's BoN tie: dual agreement (CodeT's score: #codes passing exactly the same UTs x #UTs they pass)
 * on every eligible archived code against every counted archived UT.
 */
export function archiveTie(a: Archive, eligible: ReadonlyArray<boolean> = archiveEligible(a)): Scored {
  return codetScores(archiveMatrix(a), eligible);
}
