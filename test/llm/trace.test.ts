import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlm } from '../../src/llm/client.js';
import { LlmUnavailableError } from '../../src/types.js';
import {
  codeReply,
  startScriptedServer,
  testLlmConfig,
  type ScriptedServer,
} from '../support/scripted-server.js';

let dir: string;
let server: ScriptedServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cosplay-trace-'));
  server = await startScriptedServer({ script: { '*': codeReply('x = 1') } });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('trace', () => {
  it('records every attempt with request, reply, status, latency, tokens and retry number; secrets redacted', async () => {
    const tracePath = join(dir, 'sub', 'trace.jsonl');
    const env = { GITHUB_TOKEN: 'plain-looking-secret-value' };
    const llm = createLlm(testLlmConfig(server, { tracePath, apiKey: 'sk-live-supersecret-000111' }), {
      sleep: async () => {},
      env,
    });
    server.setFaults([{ type: 'rate-limit', retryAfterMs: 3 }]);
    await llm.complete({
      stage: 'stage1',
      purpose: 'code',
      task: 'T1',
      meta: { note: 'ghp_ABCDEFGHIJKLMNOPQRSTUVWX' },
      messages: [
        {
          role: 'user',
          content:
            'token ghp_ABCDEFGHIJKLMNOPQRSTUVWX and plain-looking-secret-value, key sk-live-supersecret-000111',
        },
      ],
    });
    await llm.close();
    const raw = readFileSync(tracePath, 'utf8');
    for (const secret of [
      'ghp_ABCDEFGHIJKLMNOPQRSTUVWX',
      'plain-looking-secret-value',
      'sk-live-supersecret-000111',
      'sk-test',
    ])
      expect(raw).not.toContain(secret);
    const events = lines(tracePath);
    expect(events.map((e) => e.event)).toEqual(['start', 'attempt', 'attempt', 'end']);
    const [start, a0, a1, end] = events;
    expect(start.config.apiKey).toBeUndefined();
    expect(start.config.model).toBe('scripted');
    expect(a0).toMatchObject({
      retry: 0,
      status: 429,
      outcome: 'rate-limited',
      retryAfterMs: 3,
      nextDelayMs: 3,
      stage: 'stage1',
      purpose: 'code',
      task: 'T1',
    });
    expect(a1).toMatchObject({
      retry: 1,
      status: 200,
      outcome: 'ok',
      requestId: a0.requestId,
      texts: [codeReply('x = 1')],
      finishReasons: ['stop'],
    });
    expect(a1.request.messages[0].content).toContain('[REDACTED]');
    expect(a1.tokens.prompt).toBeGreaterThan(0);
    expect(typeof a1.latencyMs).toBe('number');
    expect(end.usage.total.requests).toBe(2);
  });

  it('is written as the run goes, so it exists when the run fails', async () => {
    const tracePath = join(dir, 'trace.jsonl');
    const llm = createLlm(testLlmConfig(server, { tracePath, maxRetries: 1 }), { sleep: async () => {} });
    server.setFaults([{ fault: 'server-error', times: Infinity }]);
    await expect(
      llm.complete({
        stage: 'stage2',
        purpose: 'fix',
        task: 'T',
        messages: [{ role: 'user', content: 'fix it' }],
      }),
    ).rejects.toBeInstanceOf(LlmUnavailableError);
    // no close(): a crashed run never gets there
    const events = lines(tracePath);
    expect(events.map((e) => e.event)).toEqual(['start', 'attempt', 'attempt', 'unavailable']);
    expect(events[3].message).toMatch(/Check/);
  });

  it('records budget stops once', async () => {
    const tracePath = join(dir, 'trace.jsonl');
    const llm = createLlm(testLlmConfig(server, { tracePath, budget: { maxRequests: 1 } }));
    const r = {
      stage: 'stage1' as const,
      purpose: 'code' as const,
      task: 'T',
      messages: [{ role: 'user' as const, content: 'x' }],
    };
    await llm.complete(r);
    await expect(llm.complete(r)).rejects.toThrow(/request budget/);
    await expect(llm.complete(r)).rejects.toThrow(/request budget/);
    await llm.close();
    expect(lines(tracePath).map((e) => e.event)).toEqual(['start', 'attempt', 'budget', 'end']);
  });
});
