// Live mode: `bench --model NAME --base-url URL` on a LiveCodeBench file, against a scripted
// OpenAI-compatible server (no real endpoint is reachable in tests).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runBenchCommand } from '../../src/bench/cli.js';
import { realDeps } from '../../src/bench/wiring.js';
import {
  codeReply,
  jsonReply,
  startScriptedServer,
  type ScriptedServer,
} from '../support/scripted-server.js';
import { tempDir } from '../support/temp-dir.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const good = 'a, b = map(int, input().split())\nprint(a + b)\n';
const bad = 'a, b = map(int, input().split())\nprint(a * b)\n';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({
    script: {
      code: (ctx) => Array.from({ length: ctx.n }, (_, k) => codeReply(k % 2 ? bad : good)),
      'ut-input': () => jsonReply({ inputs: ['1 2\n', '2 2\n', '3 5\n', '0 7\n'] }),
      inputs: () => jsonReply({ inputs: ['4 4\n', '9 1\n'] }),
      'ut-output': (ctx) => {
        const [a, b] = String(ctx.meta?.input ?? '0 0')
          .trim()
          .split(/\s+/)
          .map(Number);
        return jsonReply({ expected: `${a + b}\n` });
      },
    },
  });
});
afterAll(async () => {
  await server.close();
});

describe('bench against a live endpoint', () => {
  it('runs a LiveCodeBench stdio task through the client and grades it on public + private tests', async () => {
    const dir = tempDir('bench-live-');
    const file = join(dir, 'lcb.jsonl');
    writeFileSync(
      file,
      JSON.stringify({
        question_id: 'abc100_a',
        question_title: 'Sum',
        question_content: 'Read two integers a and b and print a + b.',
        platform: 'atcoder',
        public_test_cases: JSON.stringify([{ input: '1 1\n', output: '2\n', testtype: 'stdin' }]),
        private_test_cases: JSON.stringify([{ input: '10 -3\n', output: '7\n', testtype: 'stdin' }]),
        metadata: '{}',
      }) + '\n',
    );
    const opts = {
      dataset: file,
      model: 'scripted-model',
      baseUrl: server.url,
      codes: 4,
      tests: 4,
      rounds: 1,
      sandbox: 'none',
      params: 'small',
    };
    const report = await runBenchCommand(opts, realDeps(opts), { stdout: new Sink(), stderr: new Sink() });
    expect(report.tasks).toBe(1);
    expect(report.failedTasks).toBe(0);
    expect(report.model).toBe('scripted-model');
    expect(report.codeAccuracy).toBeCloseTo(0.5);
    expect(report.bon.cosplay).toBe(1);
    expect(report.bon.codet).toBe(1);
    expect(report.utAccuracyBefore).toBe(1);
    expect(report.requestsPerTask).toBeGreaterThan(0);
    const tasks = new Set(server.requests.map((r) => r.task));
    expect([...tasks]).toEqual(['abc100_a']);
    // the ground truth never reaches the model
    expect(server.requests.some((r) => JSON.stringify(r.messages).includes('10 -3'))).toBe(false);
  });
});
