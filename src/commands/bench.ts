// `cosplay bench`: CoSPlay beside the baselines on a dataset (replay model or a live endpoint), or with
// --static the selection check on the recordings alone. See docs/benchmark.md.
import type { Command } from 'commander';
import { BUNDLED_DATASET } from '../data/dataset.js';
import { runBenchCommand, type BenchCliOptions } from '../bench/cli.js';
import { realDeps, type WiringOptions } from '../bench/wiring.js';

export type BenchCommandOptions = BenchCliOptions & WiringOptions;

export async function runBench(opts: BenchCommandOptions) {
  return runBenchCommand(opts, realDeps(opts));
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('measure CoSPlay beside the baselines (first, pass-count, CodeT, MBR-exec) on a dataset')
    .option(
      '--dataset <file>',
      'dataset (the format of data/humaneval-codegen16b/README.md, or LiveCodeBench JSON/JSONL for live runs)',
      BUNDLED_DATASET,
    )
    .option(
      '--model <name>',
      '"replay" (the recorded samples answer) or the model of a live endpoint',
      'replay',
    )
    .option('--base-url <url>', 'OpenAI-compatible endpoint for live runs (default OPENAI_BASE_URL)')
    .option('--codes <n>', 'code pool size N_c (static check: first N recorded codes, or "all")', '16')
    .option('--tests <n>', 'UT pool size N_t (static check: first M recorded tests, or "all")', '16')
    .option('--rounds <n>', "self-play rounds T_max (default: the preset's, 5 for paper)")
    .option('--limit <n>', 'first N tasks of the dataset only')
    .option('--shard <I/N>', 'run shard I of N: every task whose index modulo N is I-1')
    .option('--json <file>', 'write the report as JSON')
    .option('--trace <file>', 'write per-task details as JSON Lines')
    .option('--llm-trace <file>', 'write every LLM request as JSON Lines (secrets redacted)')
    .option(
      '--sandbox <mode>',
      'bwrap (default) or none (only where generated code may run unsandboxed)',
      'bwrap',
    )
    .option('--static', 'selection check on the recordings only (no LLM): first N codes x first M tests')
    .option(
      '--params <preset>',
      'method parameters: paper, replay (self-consistency k = 1, BoN by dual agreement), small ' +
        '(default: replay with --model replay, paper with a live model)',
    )
    .option(
      '--bon-rule <rule>',
      'BoN tie before stage 3: pass-count (the paper), dual-agreement (on the final pool) or archive (behaviour groups of everything the run executed; the replay preset)',
    )
    .option('--sc-samples <k>', 'self-consistency samples per attempt (overrides the preset)')
    .option('--sc-min-agree <n>', 'votes the majority answer needs (overrides the preset)')
    .option('--sc-attempts <n>', 'self-consistency attempts before a UT is invalid (overrides the preset)')
    .option('--concurrency <n>', 'tasks in flight at once (default 4; --static 2)')
    .option('--workers <n>', 'sandboxed workers (default: one per core)')
    .option(
      '--timeout-ms <n>',
      "time limit per executed cell of the selection (Python: time not spent waiting for a CPU; default: the dataset's time_limit_ms, else 4000)",
    )
    .option(
      '--exec-cache <dir>',
      'persistent execution cache shared across runs (default $COSPLAY_EXEC_CACHE; docs/benchmark.md)',
    )
    .action(async (opts: BenchCommandOptions) => {
      await runBench(opts);
    });
}
