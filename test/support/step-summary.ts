// A job summary file (GITHUB_STEP_SUMMARY) for one test file: created before its tests, emptied before each,
// removed after them, with the variable's previous value restored.
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Registers the hooks; returns a reader of what the current test wrote to the summary. */
export function useStepSummary(prefix: string): () => string {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  let dir = '';
  let file = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    file = path.join(dir, 'summary.md');
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
  });
  beforeEach(() => writeFileSync(file, ''));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  });
  return () => readFileSync(file, 'utf8');
}
