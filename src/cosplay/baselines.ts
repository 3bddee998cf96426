// Baselines picked from an execution matrix, each with its deterministic pick (lowest index) AND the full set
// of candidates tied at the best score (benchmarks average accuracy uniformly over ties).
//   first      the first sample; tied = every eligible code, so the uniform average is the pool's pass@1
//   passCount  pass-count best-of-n: argmax pCode
//   codet      CodeT dual execution agreement: group codes by the exact set of UTs they pass; score =
//              (#codes in group) x (#UTs passed); pick from the top group(s)
//   mbr        MBR-exec: the code whose outputs agree with the most other codes on every UT input (hard loss;
//              two runs that both fail count as agreeing)
import type { CellResult } from '../types.js';
import type { Agree } from './context.js';
import { type ExecutionMatrix, pCode, validColumns } from './matrix.js';
import { isErr } from './stage3.js';
import type { BaselinePick, Baselines } from './types.js';

export interface Scored {
  /** Score per code (NaN for ineligible codes). */
  scores: number[];
  /** Eligible codes with the best score, ascending. */
  tied: number[];
}

function best(scores: number[], eligible?: ReadonlyArray<boolean>): Scored {
  const idx = scores.map((_, i) => i).filter((i) => !eligible || eligible[i]);
  const s = scores.map((x, i) => (idx.includes(i) ? x : NaN));
  if (idx.length === 0) return { scores: s, tied: [] };
  const top = Math.max(...idx.map((i) => scores[i]));
  return { scores: s, tied: idx.filter((i) => scores[i] === top) };
}

/** First sample: every eligible code is tied (score 0). */
export function firstScores(m: ExecutionMatrix, eligible?: ReadonlyArray<boolean>): Scored {
  return best(
    m.M.map(() => 0),
    eligible,
  );
}

/** Pass-count best-of-n: score = pCode. */
export function passCountScores(m: ExecutionMatrix, eligible?: ReadonlyArray<boolean>): Scored {
  return best(pCode(m), eligible);
}

export interface CodetGroup {
  members: number[];
  /** The valid UTs every member passes (exactly). */
  passed: number[];
  score: number;
}

/** CodeT consensus sets: eligible codes grouped by the exact set of valid UTs they pass. */
export function codetGroups(m: ExecutionMatrix, eligible?: ReadonlyArray<boolean>): CodetGroup[] {
  const cols = validColumns(m);
  const byKey = new Map<string, CodetGroup>();
  m.M.forEach((row, i) => {
    if (eligible && !eligible[i]) return;
    const passed = cols.filter((j) => row[j] === 1);
    const key = passed.join(',');
    const g = byKey.get(key) ?? { members: [], passed, score: 0 };
    g.members.push(i);
    byKey.set(key, g);
  });
  const groups = [...byKey.values()];
  groups.forEach((g) => (g.score = g.members.length * g.passed.length));
  return groups;
}

/** CodeT: each code scores its group's (#codes) x (#UTs passed). */
export function codetScores(m: ExecutionMatrix, eligible?: ReadonlyArray<boolean>): Scored {
  const scores = m.M.map(() => -Infinity);
  for (const g of codetGroups(m, eligible)) for (const i of g.members) scores[i] = g.score;
  return best(scores, eligible);
}

/**
 * MBR-exec: score(i) = number of other voters whose results agree with code i's on every executed column
 * (both ERR, or both finished with agreeing outputs). Voters are the eligible codes that finish without error
 * on at least one column: a crowd of codes that crash everywhere agrees with itself and must not win (when no
 * code ever finishes, every eligible code is tied).
 */
export function mbrScores(
  cells: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>>,
  agree: Agree,
  eligible?: ReadonlyArray<boolean>,
): Scored {
  const n = cells.length;
  const width = Math.max(0, ...cells.map((r) => r.length));
  const cols = Array.from({ length: width }, (_, j) => j).filter((j) => cells.every((r) => r[j]));
  const same = (a: number, b: number) =>
    cols.every((j) => {
      const x = cells[a][j]!;
      const y = cells[b][j]!;
      const ex = isErr(x);
      const ey = isErr(y);
      return ex || ey ? ex && ey : agree(x.output, y.output);
    });
  const finishes = (a: number) => cols.some((j) => !isErr(cells[a][j]));
  const voter = Array.from({ length: n }, (_, a) => (!eligible || eligible[a]) && finishes(a));
  const voting = voter.some(Boolean) ? voter : eligible;
  const scores = Array.from({ length: n }, () => 0);
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      if (voting && (!voting[a] || !voting[b])) continue;
      if (same(a, b)) {
        scores[a]++;
        scores[b]++;
      }
    }
  return best(scores, voting);
}

function pick(s: Scored, codes: string[]): BaselinePick | null {
  if (s.tied.length === 0) return null;
  const i = s.tied[0];
  return {
    index: i,
    code: codes[i],
    score: s.scores[i],
    tied: [...s.tied],
    tiedCodes: s.tied.map((k) => codes[k]),
  };
}

/** All four baselines on one matrix. */
export function computeBaselines(args: {
  matrix: ExecutionMatrix;
  cells: ReadonlyArray<ReadonlyArray<CellResult | null | undefined>>;
  codes: string[];
  agree: Agree;
  eligible?: ReadonlyArray<boolean>;
}): Baselines {
  const { matrix, cells, codes, agree, eligible } = args;
  return {
    first: pick(firstScores(matrix, eligible), codes),
    passCount: pick(passCountScores(matrix, eligible), codes),
    codet: pick(codetScores(matrix, eligible), codes),
    mbr: pick(mbrScores(cells, agree, eligible), codes),
  };
}
