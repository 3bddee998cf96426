// A flaky endpoint costs time, not correctness: CoSPlay through the replay server behind a proxy that fails a
// third of the requests (429 with retry-after, 500, a 502 after the server answered, a truncated JSON body, a
// reset connection), with a long run of faults on one stage1.ut-output request, picks exactly what it picks
// without the proxy.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPLAY_PARAMS, runCosplay, type CosplayResult } from '../../src/cosplay/index.js';
import { BUNDLED_DATASET, loadDataset, toTask, type DatasetTask } from '../../src/data/dataset.js';
import { checkSandbox, createExecutor } from '../../src/exec/index.js';
import { createLlm } from '../../src/llm/client.js';
import type { LlmConfig } from '../../src/llm/config.js';
import { startReplayServer, type ReplayServer } from '../../src/replay/index.js';
import type { Executor } from '../../src/types.js';
import { PROXY_FAULTS, startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy.js';

// Real work (four tasks, twice, in the sandbox) on a shared machine: only a hang should hit this.
const LONG_RUN = ['server-error', 'truncated', 'reset', 'server-error', 'bad-gateway', 'reset'] as const;

let tasks: DatasetTask[];
let server: ReplayServer;
let proxy: FaultyProxy;
let executor: Executor & { close(): Promise<void> };

beforeAll(async () => {
  const all = await loadDataset(BUNDLED_DATASET);
  tasks = ['HumanEval/0', 'HumanEval/2', 'HumanEval/12', 'HumanEval/72'].map((id) =>
    all.find((t) => t.id === id)!,
  );
  server = await startReplayServer({ tasks });
  proxy = await startFaultyProxy({
    upstream: server.url,
    seed: 16,
    longRun: { stage: 'stage1.ut-output', faults: [...LONG_RUN] },
  });
  executor = await createExecutor({ sandbox: (await checkSandbox()).ok ? 'bwrap' : 'none', workers: 2 });
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await executor?.close();
});

async function runAll(baseURL: string) {
  const config: LlmConfig = {
    baseURL,
    apiKey: 'replay',
    model: 'replay',
    maxCompletionTokens: 4000,
    requestTimeoutMs: 120_000,
    concurrency: 16,
    budget: {},
    // short waits between attempts; the budget per request is the default-sized one, never reached here
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 50,
  };
  const llm = createLlm(config);
  const params = { ...REPLAY_PARAMS, nCodes: 8, nTests: 8 };
  const results: CosplayResult[] = [];
  try {
    for (const d of tasks) results.push(await runCosplay({ task: toTask(d), llm, executor, params }));
  } finally {
    await llm.close();
  }
  return {
    usage: llm.usage(),
    picks: results.map((r) => ({
      selected: r.selected,
      tie: r.selectedTie,
      matrix: r.executionMatrix,
      stopReason: r.stopReason,
    })),
  };
}

describe('through a proxy that fails a third of the requests', () => {
  it('CoSPlay picks exactly what it picks without the proxy', async () => {
    const direct = await runAll(server.url);
    const flaky = await runAll(proxy.url);

    // the proxy did misbehave, in every way, and one ut-output request met the whole long run
    const faults = proxy.events.filter((e) => e.fault !== null);
    expect(new Set(faults.map((e) => e.fault))).toEqual(new Set(PROXY_FAULTS));
    expect(faults.length).toBeGreaterThan(proxy.events.length / 5);
    const perRequest = new Map<string, number>();
    for (const e of faults) perRequest.set(e.requestId, (perRequest.get(e.requestId) ?? 0) + 1);
    expect(Math.max(...perRequest.values())).toBeGreaterThanOrEqual(LONG_RUN.length);
    expect(flaky.usage.total.retries).toBeGreaterThan(0);

    expect(direct.picks.map((p) => p.stopReason)).not.toContain('llm-unavailable');
    expect(direct.picks.some((p) => p.selected !== null)).toBe(true);
    expect(flaky.picks).toEqual(direct.picks);
  });
});
