// The execution matrix M (|C| x |T|) and its signals, as pure functions.
// M[i][j] = 1 when code i, run on the input of UT j, produces UT j's expected output. Only valid UTs are
// columns that count: an invalid UT's column is all zeros and it is excluded from pCode, pUT and triviality.
import type { CellResult } from '../types.js';

export interface ExecutionMatrix {
  /** Rows = codes, columns = UTs, entries 0/1 (0 in every invalid column). */
  M: number[][];
  /** valid[j]: UT j has an agreed expected output (or is trusted). */
  valid: boolean[];
}

/** Number of codes |C|. */
export function nCodes(m: ExecutionMatrix): number {
  return m.M.length;
}

/** Builds M from executed cells: a cell counts 1 only when its UT is valid and its verdict is `pass`. */
export function buildMatrix(
  cells: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>>,
  valid: boolean[],
): ExecutionMatrix {
  return {
    M: cells.map((row) => valid.map((v, j) => (v && row[j]?.verdict === 'pass' ? 1 : 0))),
    valid: [...valid],
  };
}

/** A matrix from 0/1 rows; every column valid unless `valid` says otherwise (for tests and rendering). */
export function matrixOf(rows: number[][], valid?: boolean[]): ExecutionMatrix {
  const cols = valid?.length ?? rows[0]?.length ?? 0;
  const v = valid ?? Array.from({ length: cols }, () => true);
  return { M: rows.map((r) => v.map((ok, j) => (ok && r[j] ? 1 : 0))), valid: [...v] };
}

/** pCode(i): how many valid UTs code i passes (row sum). */
export function pCode(m: ExecutionMatrix): number[] {
  return m.M.map((row) => row.reduce((s, x, j) => s + (m.valid[j] && x ? 1 : 0), 0));
}

/** pUT(j): how many codes pass UT j (column sum); 0 for an invalid UT. */
export function pUT(m: ExecutionMatrix): number[] {
  return m.valid.map((v, j) => (v ? m.M.reduce((s, row) => s + (row[j] ? 1 : 0), 0) : 0));
}

/** Indexes of valid UTs. */
export function validColumns(m: ExecutionMatrix): number[] {
  return m.valid.flatMap((v, j) => (v ? [j] : []));
}

/** A valid UT is trivial when it separates nothing: pUT = 0 or pUT = |C|. */
export function isTrivial(m: ExecutionMatrix, j: number, put = pUT(m)): boolean {
  return m.valid[j] && (put[j] === 0 || put[j] === nCodes(m));
}

/** Valid UTs that are not trivial (0 < pUT < |C|). */
export function nonTrivialColumns(m: ExecutionMatrix): number[] {
  const put = pUT(m);
  return validColumns(m).filter((j) => !isTrivial(m, j, put));
}

/** M is all ones: at least one code and one valid UT, and every code passes every valid UT. */
export function allOnes(m: ExecutionMatrix): boolean {
  const cols = validColumns(m);
  return m.M.length > 0 && cols.length > 0 && m.M.every((row) => cols.every((j) => row[j] === 1));
}

/**
 * BoN ties: the codes with maximal pCode, in index order. `eligible` restricts the candidates (e.g. to codes
 * that pass every trusted test); an empty list when no code is eligible.
 */
export function bonTies(m: ExecutionMatrix, eligible?: ReadonlyArray<boolean>): number[] {
  const pc = pCode(m);
  const idx = pc.map((_, i) => i).filter((i) => !eligible || eligible[i]);
  if (idx.length === 0) return [];
  const best = Math.max(...idx.map((i) => pc[i]));
  return idx.filter((i) => pc[i] === best);
}

/** Codes that pass every one of the given columns (all codes when `cols` is empty). */
export function passingAll(m: ExecutionMatrix, cols: number[]): boolean[] {
  return m.M.map((row) => cols.every((j) => row[j] === 1));
}

/** Whether two matrices hold the same entries and validity. */
export function sameMatrix(a: ExecutionMatrix, b: ExecutionMatrix): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A compact text rendering: one line per code (`1`, `.` for 0, ` ` for an invalid column), pCode at the end. */
export function renderMatrix(m: ExecutionMatrix, opts: { trusted?: boolean[] } = {}): string {
  const pc = pCode(m);
  const put = pUT(m);
  const w = String(Math.max(0, m.M.length - 1)).length;
  const head =
    ' '.repeat(w + 6) +
    m.valid.map((v, j) => (opts.trusted?.[j] ? 'T' : v ? String(j % 10) : '-')).join('') +
    '  pCode';
  const lines = m.M.map(
    (row, i) =>
      `code ${String(i).padStart(w)} ` +
      row.map((x, j) => (m.valid[j] ? (x ? '1' : '.') : ' ')).join('') +
      `  ${pc[i]}`,
  );
  // pUT per column, written downwards when it has more than one digit (a 12 is a 1 above a 2)
  const digits = Math.max(1, ...m.valid.map((v, j) => (v ? String(put[j]).length : 1)));
  const foot: string[] = [];
  for (let d = 0; d < digits; d++)
    foot.push(
      (d === 0 ? 'pUT' : '').padEnd(w + 6) +
        m.valid.map((v, j) => (v ? String(put[j]).padStart(digits, ' ')[d] : ' ')).join(''),
    );
  return [head, ...lines, ...foot.map((l) => l.trimEnd())].join('\n');
}

/** What the characters of renderMatrix mean. */
export const MATRIX_LEGEND =
  'Matrix: a row per code, a column per unit test; 1 = the code passes the test, . = it fails, a blank column = ' +
  'an invalid test (dropped), T = a trusted test (an example of the spec). pCode = the tests a code passes; ' +
  'pUT = the codes that pass a test, written downwards when it has two digits.';
