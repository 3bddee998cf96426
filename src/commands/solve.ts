// `cosplay solve TASK.md [--repo DIR] [--json FILE] [--model M] [--base-url URL] ...`: the solve pipeline on
// this machine, without GitHub. TASK.md holds a spec in the issue-form or ```yaml format (a .yml/.yaml file
// may hold the bare YAML); the selected code goes into its target inside DIR and the kept unit tests into a
// test file of DIR's framework; the verdict is printed. Exit status 0 with a pick, 1 without.
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { localRun, localRunOptions, type LocalRunFlags, type LocalRunIo } from './local-run.js';
import { paramsFromInputs } from '../modes/params.js';
import { passCountOutput } from '../modes/solve/report.js';
import { appendTrace, resultTraceEvent } from '../modes/solve/trace.js';
import { noPickFailure, produceSolution, type Solution } from '../modes/solve/mode.js';
import { formatCount, formatDuration, renderMatrixGrid } from '../render/index.js';
import { exampleSpecYaml, parseTaskSpec } from '../taskspec/index.js';
import { UserError } from '../types.js';

export interface SolveCommandOptions extends LocalRunFlags {
  json?: string;
  testFramework?: string;
  allowedPaths?: string[];
  /** The task id sent to the endpoint (wins over the spec's `id:`; default `local:<file name>`). */
  taskId?: string;
}

export type SolveIo = LocalRunIo;

export interface SolveCommandResult {
  solution: Solution;
  verdict: string;
  json: Record<string, unknown>;
}

async function readTaskFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the task file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function readSpec(file: string, text: string, allowedPaths: string[]) {
  let parsed = parseTaskSpec(text, { allowedPaths });
  if (!parsed.ok && /\.ya?ml$/i.test(file) && !/^\s*(```|~~~)/m.test(text))
    parsed = parseTaskSpec('```yaml\n' + text.replace(/\s+$/, '') + '\n```\n', { allowedPaths });
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => `  - ${p.field === 'body' ? 'spec' : p.field}: ${p.message}`);
    throw new UserError(
      `the task spec in ${file} is incomplete:\n${problems.join('\n')}\nA complete spec looks like this:\n` +
        '```yaml\n' +
        exampleSpecYaml(parsed.partial.language, parsed.partial.kind, parsed.partial.target) +
        '\n```',
    );
  }
  return parsed;
}

export async function runSolveCommand(
  taskFile: string,
  opts: SolveCommandOptions,
  io: SolveIo = {},
): Promise<SolveCommandResult> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const env = io.env ?? process.env;
  // The task file first: a missing file is the first thing to fix, whatever the endpoint settings say.
  const specText = await readTaskFile(taskFile);
  if (opts.taskId !== undefined && opts.taskId.trim() === '')
    throw new UserError('--task-id is empty: name the task, e.g. --task-id HumanEval/0');
  const run = await localRun(
    'solve',
    opts,
    { 'test-framework': opts.testFramework ?? '', 'allowed-paths': (opts.allowedPaths ?? []).join('\n') },
    { ...io, out, err },
  );
  const { root, inputs } = run;
  const parsed = readSpec(taskFile, specText, inputs.allowedPaths);
  const taskId = opts.taskId?.trim() ?? parsed.spec.id ?? `local:${path.basename(taskFile)}`;
  for (const w of parsed.warnings) err(`cosplay solve: note: ${w}`);
  const executor = await run.createExecutor();
  const llm = run.createLlm();
  let solution: Solution;
  try {
    solution = await produceSolution({
      spec: parsed.spec,
      root,
      taskId,
      llm,
      executor,
      params: paramsFromInputs(inputs),
      testFramework: inputs.testFramework,
      allowedPaths: inputs.allowedPaths,
      log: { info: (m) => err(m), warning: (m) => err(`warning: ${m}`), error: (m) => err(`error: ${m}`) },
    });
  } finally {
    await llm.close();
    await executor.close();
  }
  if (opts.trace) appendTrace(path.resolve(opts.trace), resultTraceEvent(solution.result), env);

  const { report } = solution.solve;
  const codes = report.executionMatrix.length;
  const tests = report.executionMatrix[0]?.length ?? 0;
  const lines: string[] = [];
  if (report.selected) {
    lines.push(
      `verdict: ${report.verdict}: candidate C${report.selected.index} of ${codes} passes ${report.selected.pCode} of ${tests} self-generated unit tests`,
    );
  } else {
    lines.push(`verdict: ${report.verdict}: no code was selected (${report.stopReason})`);
    for (const l of whyNoPick(solution, llm.usage().total, taskId, inputs.baseUrl)) err(l);
  }
  lines.push('', renderMatrixGrid(report.executionMatrix, { selected: report.selected?.index }), '');
  for (const f of solution.files)
    lines.push(
      `wrote ${path.join(opts.repo ?? '.', f)}${f === solution.testPath ? ` (${solution.framework.framework}, ${report.keptTests.length} tests)` : ''}`,
    );
  for (const n of solution.notes) lines.push(`note: ${n}`);
  lines.push(
    `${report.rounds} round${report.rounds === 1 ? '' : 's'} (stopped: ${report.stopReason}); ${formatCount(report.tokens)} tokens, ${formatCount(report.requests)} requests, ${formatDuration(report.wallMs)}`,
  );
  for (const l of lines) out(l);

  const json = {
    task: solution.task.id,
    verdict: report.verdict,
    selected: report.selected,
    passCount: passCountOutput(report),
    targetPath: solution.targetPath,
    testPath: solution.testPath ?? null,
    testFramework: solution.framework.framework,
    files: solution.files,
    keptTests: report.keptTests.map((k) => ({
      ...k.test,
      pUT: k.pUT,
      ...(k.archive ? { archivePass: k.archive.pass, archiveRan: k.archive.ran } : {}),
    })),
    executionMatrix: report.executionMatrix,
    rounds: report.rounds,
    stopReason: report.stopReason,
    notes: solution.notes,
    tokens: report.tokens,
    requests: report.requests,
    wallMs: report.wallMs,
    criticalPathMs: solution.result.criticalPathMs,
  };
  if (opts.json) await writeFile(opts.json, JSON.stringify(json, null, 2) + '\n');
  return { solution, verdict: report.verdict, json };
}

/** Why nothing was picked, in the terms of the command line: the endpoint's failure, or its declines. */
function whyNoPick(
  solution: Solution,
  total: { texts: number; declined: number; logicalRequests: number },
  taskId: string,
  baseUrl: string,
): string[] {
  const result = solution.result;
  if (result.stopReason === 'llm-unavailable') {
    const f = noPickFailure(result, null);
    return [
      `cosplay solve: ${f.title}: ${f.what}`,
      'cosplay solve: check --base-url (OPENAI_BASE_URL), OPENAI_API_KEY and --model (OPENAI_MODEL).',
    ];
  }
  if (total.texts === 0 && total.declined > 0)
    return [
      `cosplay solve: the endpoint ${baseUrl} declined every request for task ${JSON.stringify(taskId)} ` +
        `(${total.declined} choices, empty content with finish_reason content_filter): it will not answer for this task. ` +
        'A replay server answers only the tasks it has recordings for: name one with --task-id or `id:` in the spec.',
    ];
  return [];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  localRunOptions(
    program
      .command('solve')
      .description(
        'run CoSPlay on a task spec and write the selected code and the kept unit tests into a repository (no GitHub)',
      )
      .argument(
        '<task>',
        'the task spec: issue-form sections or a ```yaml block (a .yml file may hold bare YAML)',
      )
      .option('--repo <dir>', 'repository to write into', '.')
      .option('--json <file>', 'write the result as JSON'),
  )
    .option('--test-framework <name>', 'auto, pytest, node:test, jest or vitest')
    .option('--allowed-paths <glob>', 'a path pattern the run may write (repeatable)', collect)
    .option(
      '--task-id <id>',
      "the task's id sent to the endpoint, e.g. a recorded task of a replay server (HumanEval/0); wins over the spec's `id:`",
    )
    .action(async (task: string, opts: SolveCommandOptions) => {
      const r = await runSolveCommand(task, opts);
      if (!r.solution.result.selected) process.exitCode = 1;
    });
}
