import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/commands/exec-bench.js';

describe('cosplay exec-bench', () => {
  it('runs on a tiny matrix and writes the contract JSON fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosplay-bench-test-'));
    try {
      const program = new Command().exitOverride();
      register(program);
      const lines: string[] = [];
      const out = join(dir, 'bench.json');
      const log = process.stdout.write;
      process.stdout.write = ((s: string) => (lines.push(s), true)) as typeof process.stdout.write;
      try {
        await program.parseAsync(
          ['exec-bench', '--codes', '2', '--tests', '3', '--repeat', '1', '--workers', '2', '--json', out],
          { from: 'user' },
        );
      } finally {
        process.stdout.write = log;
      }
      const r = JSON.parse(readFileSync(out, 'utf8'));
      for (const k of ['engineMsPerCell', 'perPairMsPerCell', 'floorMsPerCell', 'speedupVsPerPair']) {
        expect(typeof r[k]).toBe('number');
        expect(r[k]).toBeGreaterThan(0);
      }
      expect(r.speedupVsPerPair).toBeCloseTo(r.perPairMsPerCell / r.engineMsPerCell, 6);
      expect(r.mismatches).toBe(0);
      expect(r.isolationFloorMsPerCell).toBeGreaterThan(0);
      expect(r.engineToIsolationFloor).toBeCloseTo(r.engineMsPerCell / r.isolationFloorMsPerCell, 6);
      // repository context: a module importing a sibling, Python and CommonJS, every value right
      expect(r.repo).toMatchObject({ codes: 1, tests: 2, mismatches: 0 });
      for (const k of ['engineMsPerCell', 'jsEngineMsPerCell', 'perPairMsPerCell', 'speedupVsPerPair'])
        expect(r.repo[k]).toBeGreaterThan(0);
      expect(lines.join('')).toMatch(/engine .* ms\/cell/);
      expect(lines.join('')).toMatch(/isolation .* ms\/cell/);
      expect(lines.join('')).toMatch(/repository context/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
