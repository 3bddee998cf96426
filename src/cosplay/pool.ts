// The code pool, the UT pool and the executed cells, with incremental execution: a new or changed code runs
// only its row, a new or changed UT only its column; an invalid UT is not executed at all.
import type { CellResult, UnitTest } from '../types.js';
import type { Ctx } from './context.js';
import { buildMatrix, type ExecutionMatrix, pCode, pUT } from './matrix.js';
import type { MatrixSnapshot, PoolCode, PoolUt } from './types.js';

export function makeTest(kind: 'function' | 'stdio', input: string, expected?: string): UnitTest {
  const base = kind === 'function' ? { call: input } : { input };
  return expected === undefined ? base : { ...base, expected };
}

export class Pools {
  codes: PoolCode[] = [];
  uts: PoolUt[] = [];
  /** cells[i][j]: code i on UT j; null when UT j is invalid. */
  cells: (CellResult | null)[][] = [];

  constructor(private readonly ctx: Ctx) {}

  matrix(): ExecutionMatrix {
    return buildMatrix(
      this.cells,
      this.uts.map((u) => u.valid),
    );
  }

  trusted(): boolean[] {
    return this.uts.map((u) => u.origin === 'trusted');
  }

  snapshot(): MatrixSnapshot {
    const m = this.matrix();
    return { M: m.M.map((r) => [...r]), valid: [...m.valid], pCode: pCode(m), pUT: pUT(m) };
  }

  private validCols(): number[] {
    return this.uts.flatMap((u, j) => (u.valid ? [j] : []));
  }

  /** Executes the whole matrix (after stage 1). */
  async runAll(): Promise<void> {
    this.cells = this.codes.map(() => this.uts.map(() => null));
    await this.runRows(this.codes.map((_, i) => i));
  }

  /**
   * Fills M from cells already executed (`known(i, j)`, e.g. run while other LLM calls were pending) and
   * executes only what is missing: rows with no known cell in full, and the missing columns of the others.
   */
  async runMissing(known: (i: number, j: number) => CellResult | undefined): Promise<void> {
    this.cells = this.codes.map((_, i) => this.uts.map((u, j) => (u.valid ? (known(i, j) ?? null) : null)));
    const cols = this.validCols();
    if (cols.length === 0) return;
    const fresh = this.codes.flatMap((_, i) => (cols.every((j) => this.cells[i][j] === null) ? [i] : []));
    const others = this.codes.flatMap((_, i) => (fresh.includes(i) ? [] : [i]));
    const missing = cols.filter((j) => others.some((i) => this.cells[i][j] === null));
    await Promise.all([
      this.runRows(fresh),
      (async () => {
        if (others.length === 0 || missing.length === 0) return;
        const res = await this.ctx.exec(
          others.map((i) => this.codes[i].code),
          missing.map((j) => this.uts[j].test),
        );
        others.forEach((i, r) => missing.forEach((j, k) => (this.cells[i][j] = res[r][k])));
      })(),
    ]);
  }

  /** Runs candidate programs on every valid UT without storing them (a repair on trial). */
  async trial(codes: string[]): Promise<(CellResult | null)[][]> {
    const cols = this.validCols();
    const res = await this.ctx.exec(
      codes,
      cols.map((j) => this.uts[j].test),
    );
    return codes.map((_, r) => {
      const row: (CellResult | null)[] = this.uts.map(() => null);
      cols.forEach((j, k) => (row[j] = res[r][k]));
      return row;
    });
  }

  /** Re-executes the given rows (codes) on every valid UT. */
  async runRows(rows: number[]): Promise<void> {
    if (rows.length === 0) return;
    const got = await this.trial(rows.map((i) => this.codes[i].code));
    rows.forEach((i, r) => (this.cells[i] = got[r]));
  }

  /** Re-executes the given columns (UTs) on every code; an invalid column becomes null. */
  async runCols(cols: number[]): Promise<void> {
    const live = cols.filter((j) => this.uts[j].valid);
    for (const j of cols) if (!this.uts[j].valid) for (const row of this.cells) row[j] = null;
    if (live.length === 0) return;
    const res = await this.ctx.exec(
      this.codes.map((c) => c.code),
      live.map((j) => this.uts[j].test),
    );
    this.codes.forEach((_, i) => live.forEach((j, k) => (this.cells[i][j] = res[i][k])));
  }
}
