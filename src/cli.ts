// The `cosplay` command line. Each command lives in src/commands/<name>.ts and registers itself here.
import { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { UserError } from './types.js';
import * as bench from './commands/bench.js';
import * as benchMerge from './commands/bench-merge.js';
import * as demo from './commands/demo.js';
import * as exec from './commands/exec.js';
import * as gate from './commands/gate.js';
import * as execBench from './commands/exec-bench.js';
import * as repair from './commands/repair.js';
import * as replayServer from './commands/replay-server.js';
import * as solve from './commands/solve.js';

export type CommandModule = { register(program: Command): void };

const commands: CommandModule[] = [
  demo,
  solve,
  gate,
  repair,
  bench,
  benchMerge,
  exec,
  execBench,
  replayServer,
];

export function buildProgram(): Command {
  const program = new Command('cosplay')
    .description('CoSPlay: cooperative self-play of candidate programs and self-generated unit tests')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of commands) c.register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`cosplay: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`cosplay: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
