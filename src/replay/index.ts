// The replay model and its server, plus createReplayLlm: the replay server on 127.0.0.1 with the regular
// LLM gateway client pointed at it, so `demo` and `bench --model replay` take exactly the client path of a
// live endpoint.
import type { DatasetTask } from '../data/dataset.js';
import { createLlm, type CreateLlmOptions, type GatewayLlm } from '../llm/client.js';
import { LLM_DEFAULTS, type LlmConfig } from '../llm/config.js';
import { REPLAY_MODEL_NAME, startReplayServer, type ReplayServer } from './server.js';

export {
  ReplayModel,
  normalizeInput,
  type ReplayAnswer,
  type ReplayChoice,
  type ReplayModelOptions,
  type ReplayRequest,
} from './model.js';
export {
  REPLAY_MODEL_NAME,
  startReplayServer,
  type ReplayServer,
  type ReplayServerOptions,
} from './server.js';

export interface ReplayLlm extends GatewayLlm {
  /** The replay server's base URL (what a live run would pass as --base-url). */
  readonly url: string;
  readonly server: ReplayServer;
  /** Closes the client (flushing its trace) and stops the server. */
  close(): Promise<void>;
}

export interface ReplayLlmOptions {
  /** Client settings over the defaults (budgets, concurrency, trace, ...); baseURL, apiKey and model are set here. */
  config?: Partial<Omit<LlmConfig, 'baseURL' | 'apiKey'>>;
  /** Options of the client (clock, session, ...). */
  client?: CreateLlmOptions;
  port?: number;
}

/** Starts a replay server for a dataset file or recorded tasks and returns a gateway client pointed at it. */
export async function createReplayLlm(
  source: string | DatasetTask[],
  opts: ReplayLlmOptions = {},
): Promise<ReplayLlm> {
  const server = await startReplayServer({
    ...(typeof source === 'string' ? { datasetPath: source } : { tasks: source }),
    host: '127.0.0.1',
    port: opts.port,
  });
  const config: LlmConfig = {
    model: REPLAY_MODEL_NAME,
    maxCompletionTokens: LLM_DEFAULTS.maxCompletionTokens,
    requestTimeoutMs: LLM_DEFAULTS.requestTimeoutMs,
    concurrency: LLM_DEFAULTS.concurrency,
    budget: {},
    nMode: 'auto',
    ...opts.config,
    baseURL: server.url,
    apiKey: 'replay',
  };
  const llm = createLlm(config, opts.client);
  return {
    complete: (request) => llm.complete(request),
    usage: () => llm.usage(),
    budgetStatus: () => llm.budgetStatus(),
    session: llm.session,
    model: llm.model,
    baseURL: llm.baseURL,
    url: server.url,
    server,
    async close() {
      try {
        await llm.close();
      } finally {
        await server.close();
      }
    },
  };
}
