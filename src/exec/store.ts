// The persistent, content-addressed execution cache (`--exec-cache DIR`, `COSPLAY_EXEC_CACHE`): one file per
// cell, named by the SHA-256 of everything the cell's verdict depends on (src/exec/cache.ts builds the key:
// the executor's fingerprint -- harness version, interpreter and its version, sandbox, limits, tolerance --
// plus language, kind, entry point, time limit, code and test).
//
// - Writes are atomic: a private temp file in the entry's folder, then rename(2). Any number of processes may
//   share a folder; two writers of one entry write the same content and the last rename wins.
// - An entry is trusted only when it parses, names its own key, carries a well-formed cell and the cell's
//   checksum matches; anything else (truncated, edited, foreign) is a miss, and the fresh result replaces it.
// - Only outcomes that do not depend on the machine's speed are stored (`persistable`). A crash (a lost
//   process, no process slot) or an expected value that could not be evaluated in time is executed again by
//   every run. A Python test's limit is CPU time (with a wall-clock backstop, src/exec/workers.ts
//   `pythonWallMs`), so a busy machine does not turn a slow pass into a timeout; a timeout is stored only when
//   the test used at least 95 % of its CPU limit (the harness reports the CPU time of every timeout). A test
//   stopped by the backstop (starved of the CPU, or sleeping) is executed again by the next run.
// - Repository-context requests are never stored here (their verdict depends on the repository's files,
//   which the key does not cover); src/exec/cache.ts keeps them in memory for one run only.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellResult, Verdict } from '../types.js';
import { CPU_TIMEOUT } from './harness-python.js';

/** Bumped whenever what an entry means changes (its format, or the rules that produced its verdict). */
export const STORE_FORMAT = 2;

const VERDICTS = new Set<Verdict>(['pass', 'fail', 'error', 'timeout', 'memory', 'output_limit']);
const STORED = new Set<Verdict>(['pass', 'fail', 'error', 'memory', 'output_limit']);
/** Share of the limit a timed-out test must have spent on a CPU for its timeout to be stored. */
export const STORED_TIMEOUT_CPU_SHARE = 0.95;
/** Error texts of outcomes that came from the clock or the machine's state, not from the code alone. */
const SPEED_DEPENDENT = /timed out|timeout|did not finish|stopped answering|too many processes|\bdied\b/i;

/** Whether a cell's outcome may be stored: it would be the same on a faster or an idle machine. */
export function persistable(cell: CellResult): boolean {
  if (cell.verdict === 'timeout') {
    const m = CPU_TIMEOUT.exec(cell.error ?? '');
    return !!m && Number(m[1]) >= STORED_TIMEOUT_CPU_SHARE * Number(m[2]);
  }
  if (!STORED.has(cell.verdict)) return false;
  return cell.verdict !== 'error' || !SPEED_DEPENDENT.test(cell.error ?? '');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function wellFormed(c: unknown): c is CellResult {
  if (!c || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  return (
    VERDICTS.has(o.verdict as Verdict) &&
    typeof o.output === 'string' &&
    (o.error === undefined || typeof o.error === 'string') &&
    Object.keys(o).every((k) => k === 'verdict' || k === 'output' || k === 'error')
  );
}

export interface StoreStats {
  hits: number;
  misses: number;
  /** Entries present but not trusted (unreadable, corrupt, foreign). */
  rejected: number;
  writes: number;
}

/** A folder of cells keyed by content hash. */
export class CellStore {
  readonly stats: StoreStats = { hits: 0, misses: 0, rejected: 0, writes: 0 };

  constructor(readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `v${STORE_FORMAT}`, key.slice(0, 2), `${key}.json`);
  }

  /**
   * The stored cell of `key` (a hex SHA-256), or undefined when absent or not trusted. The read is synchronous:
   * an entry is a few hundred bytes, and one blocking read costs a fraction of what the four asynchronous steps
   * of `fs.promises.readFile` (open, stat, read, close, each a trip through the thread pool) cost the main
   * thread; a warm run reads one entry per cell.
   */
  async get(key: string): Promise<CellResult | undefined> {
    let text: string;
    try {
      text = readFileSync(this.file(key), 'utf8');
    } catch {
      this.stats.misses++;
      return undefined;
    }
    try {
      const e = JSON.parse(text) as { key?: unknown; cell?: unknown; sum?: unknown };
      if (e.key === key && wellFormed(e.cell) && e.sum === sha256(JSON.stringify(e.cell))) {
        if (persistable(e.cell)) {
          this.stats.hits++;
          return e.cell;
        }
      }
    } catch {
      // not JSON: ignored below
    }
    this.stats.rejected++;
    return undefined;
  }

  /** Stores a cell if its outcome does not depend on the machine's speed; never throws. */
  async put(key: string, cell: CellResult): Promise<void> {
    if (!persistable(cell)) return;
    const clean: CellResult =
      cell.error !== undefined
        ? { verdict: cell.verdict, output: cell.output, error: cell.error }
        : { verdict: cell.verdict, output: cell.output };
    const body = JSON.stringify({ key, cell: clean, sum: sha256(JSON.stringify(clean)) });
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, file);
      this.stats.writes++;
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}
