// The code pool, the UT pool and the executed cells, with incremental execution: a new or changed code runs
// only its row, a new or changed UT only its column; an invalid UT is not executed at all.
import type { CellResult, UnitTest } from '../types.js';
import { Archive, type CodeFate, type UtFate } from './archive.js';
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
  /** Everything the run has executed (src/cosplay/archive.ts); kept in step by `sync`. */
  readonly archive = new Archive();
  /** The pool entries the archive knows, and their archive indexes (slot by slot). */
  private codeRefs: PoolCode[] = [];
  private codeIds: number[] = [];
  private utRefs: PoolUt[] = [];
  private utIds: number[] = [];

  constructor(private readonly ctx: Ctx) {}

  /** The archive index of the code in slot i / the UT in slot j (after `sync`). */
  codeId(i: number): number {
    return this.codeIds[i];
  }
  utId(j: number): number {
    return this.utIds[j];
  }

  /**
   * Brings the archive in step with the pools: a new entry in a slot is archived (the entry it replaced keeps
   * its cells and the fate given to `retireCode` / `retireUt`), and every executed cell of a valid UT is
   * recorded. Called after every execution and every change of a pool.
   */
  sync(): void {
    this.codes.forEach((c, i) => {
      if (this.codeRefs[i] === c) return;
      this.codeRefs[i] = c;
      this.codeIds[i] = this.archive.addCode(c, this.pendingRepairOf.get(c) ?? {});
    });
    this.uts.forEach((u, j) => {
      if (this.utRefs[j] === u) return;
      this.utRefs[j] = u;
      this.utIds[j] = this.archive.addUt(u);
    });
    this.cells.forEach((row, i) =>
      row.forEach((cell, j) => {
        if (cell && this.uts[j]?.valid) this.archive.record(this.codeIds[i], this.utIds[j], cell);
      }),
    );
  }

  private readonly pendingRepairOf = new Map<PoolCode, { repairOf: number }>();

  /** Marks the code in slot i as leaving the pool (before the slot is given a new code). */
  retireCode(i: number, fate: Exclude<CodeFate, 'final'>, round: number, successor?: PoolCode): void {
    const id = this.codeIds[i];
    if (id === undefined || this.codeRefs[i] !== this.codes[i]) return;
    this.archive.retireCode(id, fate, round);
    if (successor && fate === 'repaired') this.pendingRepairOf.set(successor, { repairOf: id });
  }

  /** Marks the UT in slot j as leaving the pool (before the slot is given a new UT). */
  retireUt(j: number, fate: Exclude<UtFate, 'final'>, round: number): void {
    const id = this.utIds[j];
    if (id === undefined || this.utRefs[j] !== this.uts[j]) return;
    this.archive.retireUt(id, fate, round);
  }

  /** The pool slot holding archived code `a`, or -1. */
  slotOf(a: number): number {
    return this.codes.findIndex((c, i) => this.codeRefs[i] === c && this.codeIds[i] === a);
  }

  /**
   * Brings archived code `a` back into the code pool as a new last row (the final selection picked it), with
   * its archived cells on the pool's UTs. Returns its slot.
   */
  restore(a: number): number {
    const at = this.slotOf(a);
    if (at >= 0) return at;
    const c = this.archive.codes[a];
    const entry: PoolCode = {
      code: c.code,
      origin: c.origin,
      round: c.round,
      ...(c.seed !== undefined ? { seed: c.seed } : {}),
    };
    this.codes.push(entry);
    this.codeRefs.push(entry);
    this.codeIds.push(a);
    this.cells.push(this.uts.map((u, j) => (u.valid ? (this.archive.cell(a, this.utIds[j]) ?? null) : null)));
    return this.codes.length - 1;
  }

  /**
   * Executes every cell the archive lacks: each archived code against every valid archived UT it never met in
   * the pool (no LLM call; identical cells are served by the executor's memo). After it, the archive's matrix
   * is complete.
   */
  async completeArchive(): Promise<void> {
    const a = this.archive;
    const miss = a.missing();
    const rows = miss.flatMap((m, i) => (m.length > 0 ? [i] : []));
    if (rows.length === 0) return;
    const cols = [...new Set(rows.flatMap((i) => miss[i]))].sort((x, y) => x - y);
    const res = await this.ctx.exec(
      rows.map((i) => a.codes[i].code),
      cols.map((j) => a.uts[j].test),
    );
    rows.forEach((i, r) => cols.forEach((j, k) => a.record(i, j, res[r][k])));
  }

  /** Archives a repair that was executed on trial and rejected, with its row. */
  archiveRejected(i: number, code: string, round: number, row: ReadonlyArray<CellResult | null>): void {
    const seed = this.codes[i]?.seed;
    const a = this.archive.addCode(
      { code, origin: 'fixed', round, ...(seed !== undefined ? { seed } : {}) },
      { fate: 'rejected-repair', retiredIn: round, repairOf: this.codeIds[i] },
    );
    row.forEach((cell, j) => {
      if (cell && this.uts[j]?.valid) this.archive.record(a, this.utIds[j], cell);
    });
  }

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
    if (cols.length === 0) return this.sync();
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
    this.sync();
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
    if (rows.length === 0) return this.sync();
    const got = await this.trial(rows.map((i) => this.codes[i].code));
    rows.forEach((i, r) => (this.cells[i] = got[r]));
    this.sync();
  }

  /** Re-executes the given columns (UTs) on every code; an invalid column becomes null. */
  async runCols(cols: number[]): Promise<void> {
    const live = cols.filter((j) => this.uts[j].valid);
    for (const j of cols) if (!this.uts[j].valid) for (const row of this.cells) row[j] = null;
    if (live.length === 0) return this.sync();
    const res = await this.ctx.exec(
      this.codes.map((c) => c.code),
      live.map((j) => this.uts[j].test),
    );
    this.codes.forEach((_, i) => live.forEach((j, k) => (this.cells[i][j] = res[i][k])));
    this.sync();
  }
}
