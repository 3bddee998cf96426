// Best-of-n selectors over a Code x UT matrix, as the benchmark scores them: each returns the FULL set of
// codes tied at the top (indices into the pool), so that accuracy can be averaged over the tie instead of
// depending on the order in which the recordings happen to list the codes.
//
// These are the benchmark's own reference implementations, used by the static selection check on the
// recordings (src/bench/static.ts). Their definitions reproduce the independent figures of the replay set
// (see docs/benchmark.md): pass-count best-of-n, CodeT dual execution agreement, MBR-exec, and
// best-of-n followed by output-consensus clustering of the tied codes.

/** One code's outputs on a list of inputs; `null` = the run failed (ERR: exception, timeout, limit). */
export type OutputRow = ReadonlyArray<string | null>;

/** Whether two non-ERR outputs are the same value (default: identical serialisations). */
export type Agree = (a: string, b: string) => boolean;

const strictAgree: Agree = (a, b) => a === b;

function argmaxAll(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  let best = -Infinity;
  for (const s of scores) if (s > best) best = s;
  const tied: number[] = [];
  scores.forEach((s, i) => {
    if (s === best) tied.push(i);
  });
  return tied;
}

/** pCode of every code: the number of (valid) UTs it passes. */
export function pCodes(matrix: ReadonlyArray<ReadonlyArray<boolean>>): number[] {
  return matrix.map((row) => row.reduce((n, p) => n + (p ? 1 : 0), 0));
}

/** Pass-count best-of-n: every code with maximal pCode. With no UTs every code is tied. */
export function passCountTied(matrix: ReadonlyArray<ReadonlyArray<boolean>>): number[] {
  return argmaxAll(pCodes(matrix));
}

/**
 * CodeT dual execution agreement: codes are grouped by the exact set of UTs they pass; a group scores
 * (#codes in it) x (#UTs it passes). The tie is the union of the top-scoring groups. When no code passes any
 * UT (every score is 0) CodeT has no signal and every code is tied (the CodeT evaluator then falls back to
 * the pool's pass@1).
 */
export function codetTied(matrix: ReadonlyArray<ReadonlyArray<boolean>>): number[] {
  const groups = new Map<string, number[]>();
  matrix.forEach((row, i) => {
    const key = row.map((p) => (p ? '1' : '0')).join('');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  let best = 0;
  const scored: Array<{ members: number[]; score: number }> = [];
  for (const [key, members] of groups) {
    let passed = 0;
    for (const ch of key) if (ch === '1') passed++;
    const score = members.length * passed;
    scored.push({ members, score });
    if (score > best) best = score;
  }
  if (best === 0) return matrix.map((_, i) => i);
  return scored
    .filter((g) => g.score === best)
    .flatMap((g) => g.members)
    .sort((a, b) => a - b);
}

/** Two codes agree on every input: both ERR, or both produced the same value. */
export function rowsAgree(a: OutputRow, b: OutputRow, agree: Agree = strictAgree): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x === null || y === null) {
      if (x !== y) return false;
    } else if (!agree(x, y)) return false;
  }
  return true;
}

/**
 * MBR-exec (execution-based minimum Bayes risk, hard loss): among the codes that run without error on at
 * least one input, pick the code whose output vector equals the most other such codes' vectors (ERR equals
 * ERR at a position). Codes that fail on every input neither vote nor get picked; if every code fails
 * everywhere (or there are no inputs) every code is tied.
 */
export function mbrExecTied(outputs: readonly OutputRow[], agree: Agree = strictAgree): number[] {
  const voters = outputs.map((_, i) => i).filter((i) => outputs[i].some((o) => o !== null));
  if (voters.length === 0) return outputs.map((_, i) => i);
  // Identical vectors agree with each other: count each distinct vector's class size once.
  const scores = voters.map((i) =>
    voters.reduce((n, j) => n + (j !== i && rowsAgree(outputs[i], outputs[j], agree) ? 1 : 0), 0),
  );
  return argmaxAll(scores).map((k) => voters[k]);
}

/** Positions where both outputs ran without error and agree. */
export function agreements(a: OutputRow, b: OutputRow, agree: Agree = strictAgree): number {
  let n = 0;
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const x = a[k];
    const y = b[k];
    if (x !== null && y !== null && agree(x, y)) n++;
  }
  return n;
}

/** No disagreement on a position where neither output is ERR (ERR is a wildcard). */
export function compatible(a: OutputRow, b: OutputRow, agree: Agree = strictAgree): boolean {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const x = a[k];
    const y = b[k];
    if (x !== null && y !== null && !agree(x, y)) return false;
  }
  return true;
}

/**
 * Output-consensus clustering of the tied codes (README.md, "How it works", stage 3), with every tie kept:
 * greedy clustering in index order (a code joins the first cluster whose every member is compatible with it);
 * the best clusters have the most pairwise agreements, then the highest pCode sum; inside each best cluster
 * the best codes have the most agreements with the other members, then the fewest ERR, then the highest
 * pCode. The method breaks the remaining ties by lowest index; the benchmark returns all of them so that the
 * accuracy is averaged over the tie.
 */
export function clusterTied(
  tied: readonly number[],
  outputs: readonly OutputRow[],
  pCode: readonly number[],
  agree: Agree = strictAgree,
): number[] {
  if (tied.length <= 1) return [...tied];
  const clusters: number[][] = [];
  for (const i of tied) {
    const home = clusters.find((c) => c.every((j) => compatible(outputs[i], outputs[j], agree)));
    if (home) home.push(i);
    else clusters.push([i]);
  }
  const agr = (i: number, j: number) => agreements(outputs[i], outputs[j], agree);
  const clusterScore = (c: number[]) => {
    let pairs = 0;
    for (let x = 0; x < c.length; x++) for (let y = x + 1; y < c.length; y++) pairs += agr(c[x], c[y]);
    return [pairs, c.reduce((s, i) => s + pCode[i], 0)];
  };
  const cmp = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
    return 0;
  };
  const scored = clusters.map((c) => ({ c, s: clusterScore(c) }));
  const bestScore = scored.reduce((b, x) => (cmp(x.s, b) > 0 ? x.s : b), scored[0].s);
  const result: number[] = [];
  for (const { c, s } of scored) {
    if (cmp(s, bestScore) !== 0) continue;
    const inner = c.map((i) => [
      c.reduce((n, j) => n + (j !== i ? agr(i, j) : 0), 0),
      -outputs[i].filter((o) => o === null).length,
      pCode[i],
    ]);
    const best = inner.reduce((b, x) => (cmp(x, b) > 0 ? x : b), inner[0]);
    c.forEach((i, k) => {
      if (cmp(inner[k], best) === 0) result.push(i);
    });
  }
  return result.sort((a, b) => a - b);
}
