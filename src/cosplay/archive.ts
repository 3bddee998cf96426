// The archive of a run: every code and every UT the run has executed, with its row or column of the matrix
// and what the self-play did with it. The pools are the working set the self-play steps act on; the archive is
// evidence that only grows (a code replaced by cleaning or a repair, a UT refreshed or replaced, keeps its
// cells). It feeds the final selection (src/cosplay/select.ts) and the UT-support figures of the modes.
// Pure: no I/O; the cells come from the pools' executions.
import type { CellResult, UnitTest } from '../types.js';
import type { ArchivedCode, ArchivedUt, CodeFate, PoolCode, PoolUt, UtFate } from './types.js';

export type { ArchivedCode, ArchivedUt, CodeFate, UtFate };

export class Archive {
  readonly codes: ArchivedCode[] = [];
  readonly uts: ArchivedUt[] = [];
  private readonly cellMap = new Map<string, CellResult>();

  addCode(
    c: Pick<PoolCode, 'code' | 'origin' | 'round'> & Partial<Pick<PoolCode, 'seed'>>,
    extra: Partial<ArchivedCode> = {},
  ): number {
    this.codes.push({
      code: c.code,
      origin: c.origin,
      round: c.round,
      fate: 'final',
      ...(c.seed !== undefined ? { seed: c.seed } : {}),
      ...extra,
    });
    return this.codes.length - 1;
  }

  addUt(u: Pick<PoolUt, 'test' | 'input' | 'valid' | 'origin' | 'round'>): number {
    this.uts.push({
      test: u.test,
      input: u.input,
      valid: u.valid,
      origin: u.origin,
      round: u.round,
      fate: 'final',
    });
    return this.uts.length - 1;
  }

  retireCode(a: number, fate: Exclude<CodeFate, 'final'>, round: number): void {
    const c = this.codes[a];
    if (c && c.fate === 'final') Object.assign(c, { fate, retiredIn: round });
  }

  retireUt(a: number, fate: Exclude<UtFate, 'final'>, round: number): void {
    const u = this.uts[a];
    if (u && u.fate === 'final') Object.assign(u, { fate, retiredIn: round });
  }

  record(code: number, ut: number, cell: CellResult): void {
    if (this.uts[ut]?.valid) this.cellMap.set(`${code}:${ut}`, cell);
  }

  cell(code: number, ut: number): CellResult | undefined {
    return this.cellMap.get(`${code}:${ut}`);
  }

  /** Indexes of valid archived UTs. */
  validUts(): number[] {
    return this.uts.flatMap((u, j) => (u.valid ? [j] : []));
  }

  /** Per archived code, the valid archived UTs it has no cell for (it never met them in the pool). */
  missing(): number[][] {
    const cols = this.validUts();
    return this.codes.map((_, i) => cols.filter((j) => !this.cellMap.has(`${i}:${j}`)));
  }

  /** The archive's cells, codes x UTs (null where a UT is invalid or a cell was never executed). */
  cells(): (CellResult | null)[][] {
    return this.codes.map((_, i) => this.uts.map((_, j) => this.cell(i, j) ?? null));
  }
}

/** An archive written in a test or read back from a trace: codes, UTs and a 0/1/null matrix. */
export function archiveOf(args: {
  codes: Array<Partial<ArchivedCode> & { code?: string }>;
  uts: Array<Partial<ArchivedUt>>;
  /** rows = codes, columns = UTs: 1 pass, 0 fail, null not executed. */
  M: Array<Array<0 | 1 | null>>;
}): Archive {
  const a = new Archive();
  args.codes.forEach((c, i) =>
    a.addCode({ code: c.code ?? `code ${i}`, origin: c.origin ?? 'plan', round: c.round ?? 0 }, c),
  );
  args.uts.forEach((u, j) =>
    a.addUt({
      test: u.test ?? { call: `t${j}`, expected: '0' },
      input: u.input ?? `t${j}`,
      valid: u.valid ?? true,
      origin: u.origin ?? 'random',
      round: u.round ?? 0,
    }),
  );
  args.uts.forEach((u, j) => {
    if (u.fate && u.fate !== 'final') a.retireUt(j, u.fate, u.retiredIn ?? 1);
  });
  args.M.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x !== null) a.record(i, j, { verdict: x ? 'pass' : 'fail', output: '' });
    }),
  );
  return a;
}
