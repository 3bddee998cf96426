// The real dependencies of `cosplay bench`: the sandboxed executor (src/exec), the CoSPlay engine
// (src/cosplay) and the LLM (the replay model of src/replay, or a live endpoint through src/llm).
import { selectionLimit, type DatasetTask } from '../data/dataset.js';
import { createExecutor, outputsAgree, resolveCacheDir } from '../exec/index.js';
import {
  BON_RULES,
  buildMatrix,
  computeBaselines,
  PAPER_PARAMS,
  REPLAY_PARAMS,
  SMALL_PARAMS,
  resolveParams,
  runCosplay,
  type BaselinePick,
  type CosplayParams,
  type CosplayResult,
  outputClasses,
} from '../cosplay/index.js';
import { createLlm, resolveLlmConfig } from '../llm/index.js';
import { createReplayLlm } from '../replay/index.js';
import type { Executor, Llm } from '../types.js';
import { UserError } from '../types.js';
import type { BenchDeps, SelectSetup } from './cli.js';
import type { SelectionFacts } from './run.js';
import { codetTied } from './selectors.js';
import { executeRecorded, type StaticOptions } from './static.js';
import type { PhaseClock } from './timing.js';

export const PARAM_PRESETS: Record<string, CosplayParams> = {
  paper: PAPER_PARAMS,
  replay: REPLAY_PARAMS,
  small: SMALL_PARAMS,
};

/** Bench options that shape the method's parameters. */
export interface ParamOptions {
  /** Preset: paper, replay, small (default: replay for the replay model, paper for a live one). */
  params?: string;
  /** Model (to choose the default preset). */
  model?: string;
  /** BoN rule override: pass-count (the paper) or dual-agreement. */
  bonRule?: string;
  /** Self-consistency overrides: samples k, minimum agreeing votes, attempts. */
  scSamples?: string | number;
  scMinAgree?: string | number;
  scAttempts?: string | number;
  /** Stage 3 clustering off. */
  noCluster?: boolean;
  /** Per-cell time limit of the method's executions. */
  timeoutMs?: string | number;
}

/**
 * The preset's name: --params, else `replay` for the replay model (the recordings cannot give the paper's
 * 3-of-4 self-consistency a vote: docs/benchmark.md) and `paper` for a live endpoint.
 */
export function presetName(o: Pick<ParamOptions, 'params' | 'model'>): string {
  return o.params ?? ((o.model ?? 'replay') === 'replay' ? 'replay' : 'paper');
}

export function benchParams(
  setup: Pick<SelectSetup, 'codes' | 'tests' | 'rounds'> & { model?: string },
  o: ParamOptions,
): CosplayParams {
  const preset = PARAM_PRESETS[presetName({ params: o.params, model: setup.model ?? o.model })];
  if (!preset) throw new UserError(`--params must be one of ${Object.keys(PARAM_PRESETS).join(', ')}`);
  if (o.bonRule !== undefined && !(BON_RULES as readonly string[]).includes(o.bonRule))
    throw new UserError(
      `--bon-rule must be one of ${BON_RULES.join(', ')}, got ${JSON.stringify(o.bonRule)}`,
    );
  const n = (v: string | number | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const over: Partial<CosplayParams> = {
    nCodes: setup.codes,
    nTests: setup.tests,
    ...(setup.rounds !== undefined ? { maxRounds: setup.rounds } : {}),
    ...(n(o.scSamples) !== undefined ? { scSamples: n(o.scSamples) } : {}),
    ...(n(o.scMinAgree) !== undefined ? { scMinAgree: n(o.scMinAgree) } : {}),
    ...(n(o.scAttempts) !== undefined ? { scMaxAttempts: n(o.scAttempts) } : {}),
    ...(o.noCluster ? { cluster: false } : {}),
    ...(o.bonRule !== undefined ? { bonRule: o.bonRule as CosplayParams['bonRule'] } : {}),
    ...(n(o.timeoutMs) !== undefined ? { timeoutMs: n(o.timeoutMs) } : {}),
  };
  return resolveParams({ ...preset, ...over });
}

const tiedCodes = (b: BaselinePick | null): string[] => (b ? b.tiedCodes : []);

/** The archive as the trace keeps it (src/cosplay/archive.ts; the codes' correctness is added by grading). */
function archiveTrace(r: CosplayResult): Record<string, unknown> {
  const a = r.archive;
  const agree = (x: string, y: string) => outputsAgree(x, y, r.task.kind);
  const classesByCol = a.uts.map((_, j) =>
    outputClasses(
      a.cells.map((row) => row[j]),
      agree,
    ),
  );
  const s3cols = a.stage3Outputs[0]?.length ?? 0;
  const s3 = Array.from({ length: s3cols }, (_, p) =>
    outputClasses(
      a.stage3Outputs.map((row) => row[p]),
      agree,
    ),
  );
  return {
    codes: a.codes.map((c) => ({
      origin: c.origin,
      round: c.round,
      fate: c.fate,
      ...(c.retiredIn !== undefined ? { retiredIn: c.retiredIn } : {}),
      ...(c.repairOf !== undefined ? { repairOf: c.repairOf } : {}),
    })),
    uts: a.uts.map((u) => ({
      origin: u.origin,
      round: u.round,
      valid: u.valid,
      fate: u.fate,
      ...(u.retiredIn !== undefined ? { retiredIn: u.retiredIn } : {}),
    })),
    // rows = archived codes: 1 pass, 0 fail, - no cell (invalid UT or never executed)
    matrix: a.cells.map((row) => row.map((c) => (c ? (c.verdict === 'pass' ? '1' : '0') : '-')).join('')),
    // outputClasses[i][j]: code i's output class on UT j's input (-1 ERR or no cell)
    outputClasses: a.cells.map((row, i) => row.map((_, j) => classesByCol[j][i])),
    poolIds: a.poolIds,
    utPoolIds: a.utPoolIds,
    stage3Candidates: a.stage3Candidates,
    // stage3Classes[k][p]: stage3Candidates[k]'s output class on stage-3 input p
    stage3Classes: a.stage3Outputs.map((_, k) => s3.map((col) => col[k])),
  };
}

/** What the benchmark keeps of a CoSPlay run. */
export function factsOf(r: CosplayResult): SelectionFacts {
  const validCount = (uts: CosplayResult['utPool']) => uts.filter((u) => u.valid).length;
  return {
    initialCodes: r.initial.codePool.map((c) => c.code),
    finalCodes: r.codePool.map((c) => c.code),
    initialUts: r.initial.utPool.map((u) => ({ test: u.test, valid: u.valid })),
    finalUts: r.utPool.map((u) => ({ test: u.test, valid: u.valid })),
    ties: {
      // the pick is the lowest index among the codes the method ranks equal; averaged over them like every
      // baseline's tie (the deterministic pick is `details.selected`)
      cosplay: r.selectedTie.map((i) => r.codePool[i].code),
      // without clustering the method takes the first BoN-tied code; averaged over the tie like pass-count
      cosplayNoCluster: r.bonTied.map((i) => r.codePool[i].code),
      passCount: tiedCodes(r.baselines.passCount),
      codet: tiedCodes(r.baselines.codet),
      mbr: tiedCodes(r.baselines.mbr),
      first: tiedCodes(r.baselines.first),
      // the archive rule: the other BoN rules on the same run's pools and stage-3 outputs
      ...Object.fromEntries(Object.entries(r.alternatives).map(([k, v]) => [`cosplay.${k}`, v])),
    },
    archiveCodes: r.archive.codes.map((c) => c.code),
    tokens: r.tokens,
    requests: r.requests,
    wallMs: r.wallMs,
    cells: r.cellsExecuted,
    details: {
      archive: archiveTrace(r),
      selected: r.selected?.index ?? null,
      selectedNoCluster: r.selectedNoCluster?.index ?? null,
      selectedTie: r.selectedTie,
      bonRule: r.params.bonRule,
      bonTied: r.bonTied,
      clusters: r.clusters,
      stage3Inputs: r.stage3Inputs.length,
      stopReason: r.stopReason,
      degraded: r.degraded,
      rounds: r.rounds.map((t) => ({
        round: t.round,
        changed: t.changed,
        validBefore: t.before.valid.filter(Boolean).length,
        validAfter: t.after.valid.filter(Boolean).length,
        pCodeAfter: t.after.pCode,
        pUTAfter: t.after.pUT,
        decisions: t.decisions.map(
          (d) =>
            `${d.step}: ${d.action}${d.code !== undefined ? ` code ${d.code}` : ''}${d.ut !== undefined ? ` ut ${d.ut}` : ''}`,
        ),
      })),
      initialValidUts: validCount(r.initial.utPool),
      finalValidUts: validCount(r.utPool),
      initialMatrix: r.initial.executionMatrix.map((row) => row.join('')),
      finalMatrix: r.executionMatrix.map((row) => row.join('')),
      codeOrigins: r.codePool.map((c) => c.origin),
      utOrigins: r.utPool.map((u) => u.origin),
      usageByPurpose: r.usage.byPurpose,
      cellsExecuted: r.cellsExecuted,
      criticalPathMs: r.criticalPathMs,
      // how much of the model's output the method consumed beyond the stage-1 pools
      codesReplaced: r.decisions.filter((d) => d.step === 'code cleaning' && d.action === 'replaced').length,
      codesFixed: r.decisions.filter((d) => d.step === 'code fixing' && d.action === 'kept').length,
      utsRegenerated: r.decisions.filter(
        (d) =>
          (d.step === 'break spurious coupling' || d.step === 'UT replacement') && d.action === 'regenerated',
      ).length,
    },
  };
}

export interface WiringOptions extends ParamOptions {
  /** JSONL trace of every LLM request (secrets redacted). */
  llmTrace?: string;
  /** The persistent execution cache's folder (default $COSPLAY_EXEC_CACHE; none without either). */
  execCache?: string;
}

/**
 * The engine's own baselines (src/cosplay/baselines.ts) on a static-check matrix, so that the check validates
 * them against the reference selectors and the independent figures. Keys are prefixed `engine.`.
 */
export const engineBaselines: NonNullable<StaticOptions['extraSelectors']> = ({ cells, codes, kind }) => {
  const valid = (cells[0] ?? []).map(() => true);
  const b = computeBaselines({
    matrix: buildMatrix(cells, valid),
    cells,
    codes,
    agree: (x, y) => outputsAgree(x, y, kind),
  });
  const out: Record<string, number[]> = {};
  for (const k of ['passCount', 'codet', 'mbr'] as const) out[`engine.${k}`] = b[k]?.tied ?? [];
  return out;
};

/**
 * CodeT given the same samples as a replay run: the recorded codes and tests the replay model handed out for
 * the task (its first `used.codes` codes and first `used.tests` tests), executed as in the static check.
 * CoSPlay reads more than N_c codes and N_t tests when stage 2 cleans and regenerates; this is the comparison
 * that asks whether the self-play did better than simply reading that many samples.
 */
async function addSameSamplesCodet(
  facts: SelectionFacts,
  executor: Executor,
  d: DatasetTask,
  used: { codes: number; tests: number },
  timeoutMs: number | undefined,
): Promise<void> {
  const codes = d.codes.slice(0, used.codes);
  const tests = d.tests.slice(0, used.tests);
  if (codes.length === 0) return;
  const { pass, cells } = await executeRecorded(executor, d, codes, tests, {
    timeoutMs,
    agree: outputsAgree,
  });
  facts.ties.codetSameSamples = codetTied(pass).map((i) => codes[i]);
  facts.details = { ...facts.details, sameSamples: { codes: codes.length, tests: tests.length, cells } };
}

/** The LLM and the executor of one task, telling its clock (when there is one) when they are busy. */
function timedDeps(
  clock: PhaseClock | undefined,
  llm: Llm,
  executor: Executor,
): { llm: Llm; executor: Executor; onStage3?: () => () => void } {
  if (!clock) return { llm, executor };
  return {
    llm: { complete: (r) => clock.time('llm', () => llm.complete(r)) },
    executor: { run: (r) => clock.time('exec', () => executor.run(r)) },
    onStage3: () => clock.enter('stage3'),
  };
}

/** The real dependencies. */
export function realDeps(o: WiringOptions = {}): BenchDeps {
  return {
    defaultRounds: PARAM_PRESETS[presetName(o)]?.maxRounds ?? PAPER_PARAMS.maxRounds,
    outputsAgree: (a, b, kind) => outputsAgree(a, b, kind),
    extraSelectors: engineBaselines,
    // per-cell limits travel in the requests (--timeout-ms for selection; grading keeps the default); cells are
    // memoised for the run, and kept across runs with --exec-cache / COSPLAY_EXEC_CACHE
    createExecutor: ({ sandbox, workers }) =>
      createExecutor({ sandbox, workers, memo: true, cacheDir: resolveCacheDir(o.execCache) }),
    async createSelect(setup: SelectSetup) {
      const params = benchParams(setup, o);
      // the dataset's time limit of a task, unless --timeout-ms says otherwise (shown when the tasks share one)
      const recorded = new Map(setup.tasks.map((t) => [t.id, t as DatasetTask]));
      const limits = new Set([...recorded.values()].map((d) => selectionLimit(d, params.timeoutMs)));
      const shared = limits.size === 1 ? [...limits][0] : undefined;
      const shown = {
        preset: presetName({ params: o.params, model: setup.model }),
        ...params,
        ...(shared !== undefined ? { timeoutMs: shared } : {}),
      };
      const paramsOf = (id: string): typeof params => {
        const timeoutMs = selectionLimit(recorded.get(id), params.timeoutMs);
        return timeoutMs === undefined ? params : { ...params, timeoutMs };
      };
      if (setup.model === 'replay') {
        const replay = await createReplayLlm(setup.tasks as DatasetTask[], {
          config: { ...(o.llmTrace ? { tracePath: o.llmTrace } : {}), concurrency: 16, maxRetries: 0 },
        });
        return {
          params: shown,
          close: () => replay.close(),
          select: async (task, clock) => {
            const timed = timedDeps(clock, replay, setup.executor);
            const p = paramsOf(task.id);
            const facts = factsOf(await runCosplay({ task, params: p, ...timed }));
            const d = recorded.get(task.id);
            if (d) {
              const used = replay.server.model.consumed(replay.session, task.id);
              await addSameSamplesCodet(facts, timed.executor, d, used, p.timeoutMs);
            }
            return facts;
          },
        };
      }
      const config = resolveLlmConfig({
        flags: {
          model: setup.model,
          baseUrl: setup.baseUrl,
          ...(o.llmTrace ? { tracePath: o.llmTrace } : {}),
        },
        env: process.env,
      });
      const llm = createLlm(config);
      return {
        params: shown,
        close: () => llm.close(),
        select: async (task, clock) =>
          factsOf(
            await runCosplay({ task, params: paramsOf(task.id), ...timedDeps(clock, llm, setup.executor) }),
          ),
      };
    },
  };
}
