// `cosplay replay-server --dataset FILE [--port P] [--host H]`: the replay model as an OpenAI-compatible
// HTTP endpoint. Prints the base URL on stdout (one line, for scripts), then serves until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { BUNDLED_DATASET } from '../data/dataset.js';
import { startReplayServer, type ReplayServer } from '../replay/server.js';
import { UserError } from '../types.js';
import { parsePort } from './options.js';

export interface ReplayServerCommandOptions {
  dataset?: string;
  port?: string | number;
  host?: string;
}

export interface ReplayServerIo {
  /** Stops the server when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Receives the URL line (default: stdout). */
  out?: (line: string) => void;
  /** Receives human-readable notes (default: stderr). */
  err?: (line: string) => void;
  /** Listen to SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  /** Called once the server listens. */
  onListening?: (server: ReplayServer) => void;
}

export { parsePort };

/** Runs the server until a signal (or `io.signal`) stops it. */
export async function runReplayServer(
  opts: ReplayServerCommandOptions,
  io: ReplayServerIo = {},
): Promise<void> {
  const out = io.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const err = io.err ?? ((line: string) => process.stderr.write(line + '\n'));
  const dataset = opts.dataset ?? BUNDLED_DATASET;
  const port = parsePort(opts.port);
  let server: ReplayServer;
  try {
    server = await startReplayServer({
      datasetPath: dataset,
      port,
      host: opts.host ?? '127.0.0.1',
      log: err,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UserError(`port ${port} is in use; pick another with --port (or --port 0 for a free one)`);
    throw e;
  }
  out(server.url);
  err(
    `replay model serving ${server.model.taskIds().length} tasks of ${dataset} at ${server.url}\n` +
      `use it with: --base-url ${server.url} --model replay   (or OPENAI_BASE_URL=${server.url} OPENAI_MODEL=replay)\n` +
      `and name the recorded task: cosplay solve TASK.md --task-id ${server.model.taskIds()[0] ?? 'ID'} (or \`id:\` in the spec)\n` +
      `stop with Ctrl-C`,
  );
  io.onListening?.(server);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (io.handleSignals !== false) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  err(`replay server stopped after ${server.requestCount()} requests`);
}

export function register(program: Command): void {
  program
    .command('replay-server')
    .description("serve a dataset's recorded LLM samples as an OpenAI-compatible endpoint (the replay model)")
    .option(
      '--dataset <file>',
      'dataset in the format of data/humaneval-codegen16b/README.md (.jsonl or .jsonl.gz)',
      BUNDLED_DATASET,
    )
    .option('--port <port>', 'port to listen on (0: a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts: ReplayServerCommandOptions) => {
      await runReplayServer(opts);
    });
}
