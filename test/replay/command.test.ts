import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePort, register, runReplayServer } from '../../src/commands/replay-server.js';
import { createLlm } from '../../src/llm/client.js';
import { resolveLlmConfig } from '../../src/llm/config.js';
import { extractCodeBlock } from '../../src/llm/parse.js';
import { UserError } from '../../src/types.js';
import { recordedTasks } from './fixtures.js';

describe('cosplay replay-server', () => {
  it('registers with --dataset, --port and --host', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'replay-server')!;
    expect(cmd).toBeDefined();
    expect(cmd.options.map((o) => o.long)).toEqual(['--dataset', '--port', '--host']);
  });

  it('prints the URL, serves the dataset until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosplay-replay-'));
    const file = join(dir, 'set.jsonl');
    writeFileSync(
      file,
      recordedTasks()
        .map((t) => JSON.stringify(t))
        .join('\n'),
    );
    const out: string[] = [];
    const notes: string[] = [];
    const stop = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    const done = runReplayServer(
      { dataset: file, port: '0' },
      {
        signal: stop.signal,
        out: (l) => out.push(l),
        err: (l) => notes.push(l),
        handleSignals: false,
        onListening: () => listening(),
      },
    );
    await ready;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(notes.join('\n')).toMatch(/2 tasks/);

    const llm = createLlm(resolveLlmConfig({ flags: { baseUrl: out[0], model: 'replay' }, env: {} }));
    const r = await llm.complete({
      stage: 'stage1',
      purpose: 'code',
      task: 'S/1',
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(extractCodeBlock(r.texts[0], 'python')).toBe(recordedTasks()[1].codes[0]);
    await llm.close();

    stop.abort();
    await done;
    expect(notes.at(-1)).toMatch(/stopped after 1 requests/);
    await expect(fetch(`${out[0]}/models`)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with a user error for a bad port or a missing dataset', async () => {
    expect(() => parsePort('70000')).toThrow(UserError);
    expect(() => parsePort('abc')).toThrow(/--port/);
    expect(parsePort(undefined)).toBe(0);
    await expect(
      runReplayServer({ dataset: '/nonexistent/set.jsonl' }, { handleSignals: false }),
    ).rejects.toBeInstanceOf(UserError);
  });
});
