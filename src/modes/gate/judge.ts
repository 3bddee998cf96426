// The gate's judgement of a pull request's function, from a CoSPlay run in which the PR's implementation was
// one more candidate (a seed) among independently generated ones. Pure: the mode runs the engine and the
// executor and hands the cells in.
//
// Support is always counted among the INDEPENDENT candidates: codes generated from the spec alone, never the
// seed nor a code derived from it (code fixing of the seed). The PR's function is blocked when
//  - it fails a valid unit test that at least `minSupport` of the independent candidates pass, or
//  - on the fresh (stage-3) inputs it returns something other than the winning output cluster, and that
//    cluster holds at least `minSupport` of the independent candidates.
// As in stage 3, a run that ends in an error (ERR) is a wildcard on fresh inputs: it is reported, never
// blocking. Disagreements with weaker support are reported as warnings.
import type { CellResult, Language, Task } from '../../types.js';
import { archiveSupport, type CosplayResult } from '../../cosplay/index.js';
import { renderValue } from '../../exec/index.js';
import { isEnvironmentError } from '../../repo/source.js';

export type GateStatus = 'agrees' | 'disagrees' | 'weak' | 'inconclusive';

export interface Counterexample {
  /** `ut`: a self-generated unit test; `fresh`: a stage-3 input compared with the winning cluster. */
  kind: 'ut' | 'fresh';
  /** The input (a call expression of the function). */
  input: string;
  /** What the PR's function returned (a literal of the task's language), or `raises ...`. */
  prOutput: string;
  /** What the consensus expects (the UT's expected value, or the cluster's output). */
  consensus: string;
  /** Independent candidates agreeing with the consensus, out of `of`. */
  support: number;
  of: number;
  blocking: boolean;
  /**
   * A unit test's support over every independent code the run wrote and ran on it (codes that code cleaning
   * replaced included), when the run kept more than the final pool: reported, not part of the blocking rule.
   */
  archive?: { pass: number; ran: number };
}

export interface FreshEvidence {
  inputs: string[];
  /** The PR's function on each input. */
  seed: CellResult[];
  /** Members of the winning cluster (independent codes only), each with its cells on the inputs. */
  reference: Array<{ index: number; cells: CellResult[] }>;
}

export interface GateJudgementInput {
  task: Pick<Task, 'language'>;
  result: Pick<CosplayResult, 'codePool' | 'utPool' | 'executionMatrix' | 'cells' | 'clusters' | 'selected'> &
    Partial<Pick<CosplayResult, 'archive'>>;
  /** The PR's implementation on every UT of `utPool`, by column (null where not run: invalid UT). */
  seedOnUts: Array<CellResult | null>;
  fresh?: FreshEvidence;
  /** Fraction of the independent candidates a consensus needs before it blocks (gate-min-support). */
  minSupport: number;
  agree(a: string, b: string): boolean;
}

export interface GateJudgement {
  status: GateStatus;
  /** One sentence for people. */
  reason: string;
  counterexamples: Counterexample[];
  /** Independent candidates in the final pool. */
  independent: number;
  /** Valid UTs, and how many of them had enough support to block. */
  validUts: number;
  strongUts: number;
  /** UTs the PR's function passes. */
  utsPassed: number;
  /** Fresh inputs compared, and the winning cluster's size among the independent candidates. */
  freshInputs: number;
  clusterSize: number;
  /** Fresh inputs on which the PR's function raised while the consensus returned a value (never blocking). */
  freshErrors: number;
}

/** Whether a code is an independent candidate: generated from the spec, not the seed nor derived from it. */
export function independentCode(c: { origin: string; seed?: number }): boolean {
  return c.origin !== 'seed' && c.seed === undefined;
}

/** Indexes of the independent candidates in the code pool. */
export function independentRows(codePool: CosplayResult['codePool']): number[] {
  return codePool.flatMap((c, i) => (independentCode(c) ? [i] : []));
}

/** The smallest count that reaches `fraction` of `n` (at least 1). */
export function needed(fraction: number, n: number): number {
  return Math.max(1, Math.ceil(fraction * n - 1e-9));
}

export function isErrCell(c: CellResult | null | undefined): boolean {
  return !c || (c.verdict !== 'pass' && c.verdict !== 'fail');
}

/** A cell as people read it: the value as a literal, or what it raised. */
export function describeCell(c: CellResult | null | undefined, language: Language): string {
  if (!c) return '(not run)';
  if (isErrCell(c)) {
    if (c.verdict === 'timeout') return 'times out';
    if (c.verdict === 'memory') return 'runs out of memory';
    if (c.verdict === 'output_limit') return 'floods the output';
    const first =
      (c.error ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^(Traceback|File |at )/.test(l))
        .pop() ?? 'an error';
    return `raises ${first.length > 160 ? first.slice(0, 159) + '…' : first}`;
  }
  return renderValue(c.output, language);
}

/** A judgement that nothing could be compared, with the reason. */
export function inconclusive(reason: string): GateJudgement {
  return {
    status: 'inconclusive',
    reason,
    counterexamples: [],
    independent: 0,
    validUts: 0,
    strongUts: 0,
    utsPassed: 0,
    freshInputs: 0,
    clusterSize: 0,
    freshErrors: 0,
  };
}

export function judgeGate(input: GateJudgementInput): GateJudgement {
  const { result, seedOnUts, agree } = input;
  const minSupport = Number.isFinite(input.minSupport) ? Math.min(1, Math.max(0, input.minSupport)) : 0.75;
  const language = input.task.language;
  const G = independentRows(result.codePool);
  const M = result.executionMatrix;
  const counterexamples: Counterexample[] = [];
  const base = {
    independent: G.length,
    validUts: 0,
    strongUts: 0,
    utsPassed: 0,
    freshInputs: 0,
    clusterSize: 0,
    freshErrors: 0,
  };
  if (G.length === 0)
    return {
      status: 'inconclusive',
      reason:
        'no independent candidate was generated from the spec, so there is no consensus to compare with',
      counterexamples,
      ...base,
    };
  const need = needed(minSupport, G.length);

  // The PR's function could not run in the sandbox (an import the runner cannot satisfy, ...).
  const ran = seedOnUts.filter((c): c is CellResult => c !== null);
  if (ran.length > 0 && ran.every((c) => c.verdict === 'error' && isEnvironmentError(c.error))) {
    return {
      status: 'inconclusive',
      reason: `the PR's function could not be run in the sandbox (${describeCell(ran[0], language)}): install the repository's dependencies before the action`,
      counterexamples,
      ...base,
    };
  }

  // Unit tests (with their support over the archive too, when it holds independent codes the pool lost).
  const wider =
    !!result.archive &&
    result.archive.codes.filter((c) => independentCode(c) && c.fate !== 'rejected-repair').length > G.length;
  result.utPool.forEach((ut, j) => {
    if (!ut.valid) return;
    const cell = seedOnUts[j] ?? null;
    if (!cell) return;
    base.validUts++;
    const passers = G.filter((i) => M[i]?.[j] === 1);
    if (passers.length >= need) base.strongUts++;
    if (cell.verdict === 'pass') {
      base.utsPassed++;
      return;
    }
    if (passers.length === 0) return; // nobody agrees with this UT: no consensus against the PR
    const expected = 'expected' in ut.test && ut.test.expected !== undefined ? ut.test.expected : '?';
    const id = wider ? result.archive!.utPoolIds[j] : undefined;
    counterexamples.push({
      kind: 'ut',
      input: ut.input,
      prOutput: describeCell(cell, language),
      consensus: expected,
      support: passers.length,
      of: G.length,
      blocking: passers.length >= need,
      ...(id !== undefined ? { archive: archiveSupport(result.archive!, id, independentCode) } : {}),
    });
  });

  // Fresh inputs against the winning output cluster.
  const fresh = input.fresh;
  if (fresh && fresh.inputs.length > 0 && fresh.reference.length > 0) {
    base.freshInputs = fresh.inputs.length;
    base.clusterSize = fresh.reference.length;
    fresh.inputs.forEach((inp, p) => {
      const outs = fresh.reference.map((r) => r.cells[p]).filter((c) => !isErrCell(c)) as CellResult[];
      if (outs.length === 0) return;
      // The consensus output: the most common among members (members of one cluster agree wherever both ran).
      let best = outs[0]!;
      let bestCount = 0;
      for (const o of outs) {
        const n = outs.filter((x) => agree(x.output, o.output)).length;
        if (n > bestCount) {
          best = o;
          bestCount = n;
        }
      }
      const s = fresh.seed[p];
      if (isErrCell(s)) {
        base.freshErrors++;
        return;
      }
      if (agree(s!.output, best.output)) return;
      counterexamples.push({
        kind: 'fresh',
        input: inp,
        prOutput: describeCell(s, language),
        consensus: renderValue(best.output, language),
        support: fresh.reference.length,
        of: G.length,
        blocking: fresh.reference.length >= need,
      });
    });
  }

  const blocking = counterexamples.filter((c) => c.blocking);
  const pct = `${Math.round(minSupport * 100)}%`;
  if (blocking.length > 0) {
    const uts = blocking.filter((c) => c.kind === 'ut').length;
    const fr = blocking.filter((c) => c.kind === 'fresh').length;
    const parts: string[] = [];
    if (uts > 0)
      parts.push(
        `fails ${uts} unit test${uts === 1 ? '' : 's'} that at least ${pct} of the independent candidates pass`,
      );
    if (fr > 0)
      parts.push(
        `disagrees with the winning output cluster (${base.clusterSize} of ${G.length} candidates) on ${fr} fresh input${fr === 1 ? '' : 's'}`,
      );
    return {
      status: 'disagrees',
      reason: `the PR's function ${parts.join(' and ')}`,
      counterexamples,
      ...base,
    };
  }
  if (counterexamples.length > 0)
    return {
      status: 'weak',
      reason: `the PR's function disagrees with some candidates, but no consensus reaches ${pct} of the ${G.length} independent candidates`,
      counterexamples,
      ...base,
    };
  if (base.validUts === 0 && base.freshInputs === 0)
    return {
      status: 'inconclusive',
      reason: 'no valid unit test and no fresh input to compare on',
      counterexamples,
      ...base,
    };
  if (base.strongUts === 0 && base.clusterSize < need)
    return {
      status: 'inconclusive',
      reason: `the PR's function agrees with every test, but no test or output cluster reached ${pct} support among the ${G.length} independent candidates`,
      counterexamples,
      ...base,
    };
  return {
    status: 'agrees',
    reason: `the PR's function passes ${base.utsPassed} of ${base.validUts} self-generated unit tests${base.freshInputs > 0 ? ` and agrees with the winning output cluster (${base.clusterSize} of ${G.length} candidates) on ${base.freshInputs} fresh inputs` : ''}`,
    counterexamples,
    ...base,
  };
}
