// `cosplay exec REQUEST.json [--json FILE]` (product.md contract).
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, runExec } from '../../src/commands/exec.js';

function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cosplay-exec-cli-'));
  return f(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('cosplay exec', () => {
  it('writes {"verdicts","outputs"} with row i = code i', () =>
    withDir(async (dir) => {
      const request = join(dir, 'REQUEST.json');
      writeFileSync(
        request,
        JSON.stringify({
          language: 'python',
          kind: 'function',
          entryPoint: 'f',
          codes: ['def f(a, b):\n    return a + b', 'def f(a, b):\n    return a - b'],
          tests: [
            { call: 'f([1], [2])', expected: '[1, 2]' },
            { call: 'f(3, 2)', expected: '5' },
          ],
          timeoutMs: 2000,
        }),
      );
      const out = join(dir, 'out.json');
      const program = new Command().exitOverride();
      register(program);
      const lines: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((s: string) => (lines.push(s), true)) as typeof process.stdout.write;
      try {
        await program.parseAsync(['exec', request, '--json', out, '--workers', '2'], { from: 'user' });
      } finally {
        process.stdout.write = write;
      }
      const r = JSON.parse(readFileSync(out, 'utf8'));
      expect(r.verdicts).toEqual([
        ['pass', 'pass'],
        ['error', 'fail'],
      ]);
      expect(JSON.parse(r.outputs[0][1])).toEqual(['i', '5']);
      expect(r.outputs[1][0]).toBe('');
      expect(r.errors[1][0]).toMatch(/TypeError/);
      expect(lines.join('')).toMatch(/code  0 {2}PP {2}pCode=2/);
    }));

  it('prints the JSON on stdout without --json, and accepts --sandbox none for stdio in JavaScript', () =>
    withDir(async (dir) => {
      const request = join(dir, 'r.json');
      writeFileSync(
        request,
        JSON.stringify({
          language: 'javascript',
          kind: 'stdio',
          codes: ["console.log(require('fs').readFileSync(0, 'utf8').split('').reverse().join(''))"],
          tests: [
            { input: 'abc', expected: 'cba' },
            { input: 'xy', expected: 'xy' },
          ],
        }),
      );
      const lines: string[] = [];
      const r = await runExec(request, { sandbox: 'none', log: (s) => lines.push(s) });
      expect(r.verdicts).toEqual([['pass', 'fail']]);
      expect(JSON.parse(lines[0])).toEqual(r);
    }));

  it('reports a bad request as a UserError naming the problem', () =>
    withDir(async (dir) => {
      const request = join(dir, 'bad.json');
      writeFileSync(
        request,
        '{"language": "python", "kind": "function", "codes": ["x"], "tests": [{"input": "1"}]}',
      );
      await expect(runExec(request, { sandbox: 'none', log: () => undefined })).rejects.toThrow(/call/);
      writeFileSync(request, '{nope');
      await expect(runExec(request, { sandbox: 'none', log: () => undefined })).rejects.toThrow(
        /not valid JSON/,
      );
    }));
});
