// `cosplay demo`: the replay model over HTTP, the sandboxed executor, grading after the pick.
import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_TASK, register, runDemo } from '../../src/commands/demo.js';
import { checkSandbox } from '../../src/exec/index.js';
import { tempDir } from '../support/temp-dir.js';

describe('cosplay demo', () => {
  test('runs the bundled task offline and writes the JSON contract', async () => {
    const dir = tempDir('cosplay-demo-');
    const file = join(dir, 'demo.json');
    const lines: string[] = [];
    const sandbox = (await checkSandbox()).ok ? 'bwrap' : 'none';
    const { json, result } = await runDemo({ json: file, sandbox, latencyMs: 0, log: (s) => lines.push(s) });
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual(json);
    for (const k of [
      'task',
      'selected',
      'baselines',
      'correct',
      'tokens',
      'requests',
      'wallMs',
      'criticalPathMs',
    ])
      expect(written).toHaveProperty(k);
    expect(Object.keys(written.baselines)).toEqual(['first', 'passCount', 'codet', 'mbr']);
    expect(written.task).toBe(DEMO_TASK);
    expect(written.selected).toEqual({
      index: result.selected!.index,
      code: result.selected!.code,
      pCode: result.selected!.pCode,
    });
    expect(written.requests).toBeGreaterThan(16);
    const text = lines.join('\n');
    expect(text).toContain('Stage 2, round 1');
    expect(text).toMatch(/code cleaning \[code \d+\]: replaced/);
    expect(text).toMatch(/break spurious coupling \[UT \d+\]: regenerated/);
    expect(text).toMatch(/^Pick: code \d+/m);
    expect(text).toMatch(/Ground truth \(read after the pick\): CoSPlay (correct|wrong)/);
    // a legend for the matrices, pUT in digits, and the wall / critical-path figures once
    expect(text).toContain('1 = the code passes the test, . = it fails');
    expect(text).not.toMatch(/^pUT.*[a-z]/m);
    expect(text.match(/critical path/g)).toHaveLength(1);
    // The demo task is one where the method's decisions matter: the pick is right, the baselines' are not.
    expect(written.correct).toBe(true);
    expect(written.baselinesCorrect).toMatchObject({ passCount: false, codet: false, mbr: false });
    expect(written.latencyMs).toBe(0);
    expect(written.wallToCriticalPath).toBeCloseTo(written.wallMs / written.criticalPathMs, 1);
  });

  test('registers `demo` with --json, --task, --sandbox, --latency-ms and --exec-cache', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'demo')!;
    expect(cmd.options.map((o) => o.long)).toEqual([
      '--json',
      '--task',
      '--dataset',
      '--sandbox',
      '--latency-ms',
      '--exec-cache',
    ]);
  });

  test('an unknown task is a user error naming the option', async () => {
    await expect(runDemo({ task: 'nope/1', sandbox: 'none', log: () => undefined })).rejects.toThrow(
      /--task/,
    );
  });
});
