// `cosplay demo [--json FILE]`: offline, no key needed. The whole CoSPlay pipeline on a bundled HumanEval task,
// with the replay model (recorded real CodeGen-16B samples) served over HTTP and reached through the regular
// LLM client, and the sandboxed executor. Prints each round's matrix, the decisions and the pick; grades the
// pick against the task's ground truth only AFTER the pick is made.
import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { renderRun } from '../cosplay/report.js';
import { REPLAY_PARAMS, runCosplay, type CosplayParams, type CosplayResult } from '../cosplay/index.js';
import { BUNDLED_DATASET, loadDataset, toTask, type DatasetTask } from '../data/dataset.js';
import { createExecutor, resolveCacheDir, type SandboxMode } from '../exec/index.js';
import { createReplayLlm } from '../replay/index.js';
import type { Executor } from '../types.js';
import { UserError } from '../types.js';

/**
 * The default task: HumanEval/72 (will_it_fly), chosen to show the method at work (the aggregate figures
 * are in docs/benchmark.md, where CoSPlay also loses tasks). Of the first 16 recorded programs one is correct,
 * and the model's own tests favour wrong ones: first, pass-count, CodeT and MBR-exec on the stage-1 matrix
 * all pick a wrong program. Code cleaning replaces the programs that pass no test with fresh recorded ones
 * over five rounds, UT replacement swaps tests nobody passes, and the archive rule's tie (everything the run
 * executed, src/cosplay/select.ts) plus output clustering picks a correct program.
 */
export const DEMO_TASK = 'HumanEval/72';
/** Default simulated latency per LLM request (a live model takes 1-10 s; 250 ms is a conservative stand-in). */
export const DEMO_LATENCY_MS = 250;

export interface DemoOptions {
  json?: string;
  task?: string;
  dataset?: string;
  sandbox?: SandboxMode;
  /**
   * Simulated latency added to every LLM request (ms; default DEMO_LATENCY_MS), so that wall time against the
   * critical path means what it means with a live endpoint (the local replay server answers in ~1 ms).
   */
  latencyMs?: number;
  /** The persistent execution cache's folder (default $COSPLAY_EXEC_CACHE). */
  execCache?: string;
  /** Parameters over the replay preset. */
  params?: Partial<CosplayParams>;
  log?: (line: string) => void;
}

type Graded = { index: number; code: string; score?: number; pCode?: number; tied?: number[] } | null;

export interface DemoJson {
  task: string;
  selected: { index: number; code: string; pCode: number } | null;
  baselines: { first: Graded; passCount: Graded; codet: Graded; mbr: Graded };
  /** The pick passes the task's ground-truth tests (read only after the pick). */
  correct: boolean;
  /** The same grading for each baseline's pick (after every pick is made). */
  baselinesCorrect: { first: boolean; passCount: boolean; codet: boolean; mbr: boolean };
  tokens: number;
  requests: number;
  wallMs: number;
  criticalPathMs: number;
  /** wallMs / criticalPathMs. */
  wallToCriticalPath: number;
  stopReason: string;
  rounds: number;
  decisions: number;
  cellsExecuted: number;
  latencyMs: number;
}

/** Whether `code` passes the recorded ground truth (HumanEval `check`, or hidden stdio tests). */
export async function gradeAgainstGroundTruth(
  executor: Executor,
  d: DatasetTask,
  code: string | undefined,
): Promise<boolean> {
  if (code === undefined) return false;
  const gt = d.ground_truth;
  if (gt?.test && (gt.entry_point ?? d.entry_point)) {
    const entry = gt.entry_point ?? d.entry_point!;
    const [[cell]] = await executor.run({
      language: d.language,
      kind: 'function',
      entryPoint: entry,
      codes: [`${code}\n${gt.test}\n`],
      tests: [{ call: `check(${entry})`, expected: d.language === 'python' ? 'None' : 'undefined' }],
      timeoutMs: 20_000,
    });
    return cell.verdict === 'pass';
  }
  if (gt?.tests?.length) {
    const [row] = await executor.run({
      language: d.language,
      kind: 'stdio',
      codes: [code],
      tests: gt.tests.map((t) => ({ input: t.input, expected: t.expected })),
      timeoutMs: 20_000,
    });
    return row.every((c) => c.verdict === 'pass');
  }
  throw new UserError(`task ${d.id} has no ground truth to grade the pick against`);
}

function delayedFetch(latencyMs: number): typeof fetch {
  return async (input, init) => {
    await new Promise((r) => setTimeout(r, latencyMs));
    return fetch(input, init);
  };
}

export async function runDemo(opts: DemoOptions = {}): Promise<{ json: DemoJson; result: CosplayResult }> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const file = opts.dataset ?? BUNDLED_DATASET;
  const id = opts.task ?? DEMO_TASK;
  const tasks = await loadDataset(file);
  const d = tasks.find((t) => t.id === id);
  if (!d)
    throw new UserError(
      `no task "${id}" in ${file}; pick one of ${tasks
        .slice(0, 5)
        .map((t) => t.id)
        .join(', ')}, ... with --task`,
    );
  const latencyMs = opts.latencyMs ?? DEMO_LATENCY_MS;
  const executor = await createExecutor({
    sandbox: opts.sandbox ?? 'bwrap',
    memo: true,
    cacheDir: resolveCacheDir(opts.execCache),
  });
  const llm = await createReplayLlm([d], {
    config: { concurrency: 16 },
    client: latencyMs > 0 ? { fetch: delayedFetch(latencyMs) } : {},
  });
  let result: CosplayResult;
  try {
    log(`cosplay demo: ${d.id} with the replay model (recorded CodeGen-16B samples) at ${llm.url}`);
    log(
      `sandbox: ${opts.sandbox ?? 'bwrap'}${latencyMs ? `; simulated latency ${latencyMs} ms per request` : ''}`,
    );
    log('');
    result = await runCosplay({
      task: toTask(d),
      llm,
      executor,
      params: { ...REPLAY_PARAMS, itemsPerRequest: 16, ...opts.params },
    });
  } finally {
    await llm.close();
  }
  try {
    log(renderRun(result, { showCode: true }));
    // Grading: only now, after every pick is made.
    const b = result.baselines;
    const [correct, first, passCount, codet, mbr] = await Promise.all(
      [result.selected?.code, b.first?.code, b.passCount?.code, b.codet?.code, b.mbr?.code].map((c) =>
        gradeAgainstGroundTruth(executor, d, c),
      ),
    );
    const yes = (x: boolean) => (x ? 'correct' : 'wrong');
    log('');
    log(
      `Ground truth (read after the pick): CoSPlay ${yes(correct)}; first ${yes(first)}, pass-count ${yes(passCount)}, ` +
        `CodeT ${yes(codet)}, MBR-exec ${yes(mbr)}`,
    );
    // (wall time and critical path are on the run's Cost line above)
    const ratio = result.criticalPathMs > 0 ? result.wallMs / result.criticalPathMs : 0;
    const strip = (x: CosplayResult['baselines']['first']): Graded =>
      x ? { index: x.index, code: x.code, score: x.score, tied: x.tied } : null;
    const json: DemoJson = {
      task: d.id,
      selected: result.selected,
      baselines: {
        first: strip(b.first),
        passCount: strip(b.passCount),
        codet: strip(b.codet),
        mbr: strip(b.mbr),
      },
      correct,
      baselinesCorrect: { first, passCount, codet, mbr },
      tokens: result.tokens,
      requests: result.requests,
      wallMs: Math.round(result.wallMs),
      criticalPathMs: Math.round(result.criticalPathMs),
      wallToCriticalPath: Number(ratio.toFixed(3)),
      stopReason: result.stopReason,
      rounds: result.rounds.length,
      decisions: result.decisions.length,
      cellsExecuted: result.cellsExecuted,
      latencyMs,
    };
    if (opts.json) {
      await writeFile(opts.json, JSON.stringify(json, null, 2) + '\n');
      log(`wrote ${opts.json}`);
    }
    return { json, result };
  } finally {
    await executor.close();
  }
}

function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new UserError(`${name} must be a non-negative integer, not "${v}"`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'offline, no key: the whole CoSPlay pipeline on a bundled task with the replay model (recorded real LLM ' +
        'samples) and the sandbox; prints each round, the decisions, the pick and whether it is correct',
    )
    .option('--json <file>', 'write the result as JSON to FILE')
    .option('--task <id>', `bundled task to run (default ${DEMO_TASK})`)
    .option(
      '--dataset <file>',
      'dataset in the format of data/humaneval-codegen16b/README.md (default: the bundled HumanEval set)',
    )
    .addOption(
      new Option('--sandbox <mode>', 'bwrap (default), or none to run WITHOUT isolation').choices([
        'bwrap',
        'none',
      ]),
    )
    .option(
      '--latency-ms <ms>',
      `simulated latency per LLM request, to compare wall time with the critical path (default ${DEMO_LATENCY_MS}; 0 for none)`,
      nonNegativeInt('--latency-ms'),
    )
    .option(
      '--exec-cache <dir>',
      'persistent execution cache shared across runs (default $COSPLAY_EXEC_CACHE)',
    )
    .action(async (o: DemoOptions) => {
      await runDemo(o);
    });
}
