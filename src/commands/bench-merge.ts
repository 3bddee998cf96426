// `cosplay bench-merge FILES... [--json FILE]`: combines the JSON reports of `cosplay bench --shard I/N`
// runs into the totals of the whole benchmark. Figures are recomputed from the shards' raw sums (tasks,
// per-task accuracy sums, UT counts, tokens), so the result equals an unsharded run, never an average of
// averages. `wallMs` of the merge is the sum of the shards' wall times (the time one machine would take).
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { mergeSums } from '../bench/metrics.js';
import { formatTable, mergeReports, missingShards, type BenchReport } from '../bench/report.js';
import { UserError } from '../types.js';

export interface BenchMergeOptions {
  json?: string;
}

export async function runBenchMerge(
  files: readonly string[],
  opts: BenchMergeOptions = {},
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<BenchReport> {
  if (files.length === 0) throw new UserError('bench-merge needs the JSON reports of the shards');
  const reports: BenchReport[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${f}: ${(err as Error).message}`);
    }
    try {
      reports.push(JSON.parse(text) as BenchReport);
    } catch {
      throw new UserError(`${f} is not JSON; pass the files written by \`cosplay bench --json\``);
    }
  }
  const merged = mergeReports(reports, mergeSums);
  const missing = missingShards(merged.shards);
  if (missing.length)
    io.stderr.write(`cosplay bench-merge: warning: shards ${missing.join(', ')} are missing\n`);
  io.stdout.write(formatTable(merged));
  if (opts.json) await writeFile(opts.json, JSON.stringify(merged, null, 2) + '\n');
  return merged;
}

export function register(program: Command): void {
  program
    .command('bench-merge')
    .description('combine the JSON reports of `cosplay bench --shard I/N` runs into one')
    .argument('<files...>', 'shard reports (written by `cosplay bench --json`)')
    .option('--json <file>', 'write the merged report as JSON')
    .action(async (files: string[], opts: BenchMergeOptions) => {
      await runBenchMerge(files, opts);
    });
}
