import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { annotate, writeJobSummary } from '../../src/github/summary.js';

describe('job summary and annotations', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    jest.restoreAllMocks();
  });

  it('appends Markdown to the step summary file, and writes nothing outside Actions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosplay-summary-'));
    const file = path.join(dir, 'summary.md');
    writeFileSync(file, 'before\n');
    process.env.GITHUB_STEP_SUMMARY = file;
    expect(await writeJobSummary('### CoSPlay\n\nall good')).toBe(true);
    expect(await writeJobSummary('second')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('before\n### CoSPlay\n\nall good\nsecond\n');
    delete process.env.GITHUB_STEP_SUMMARY;
    expect(await writeJobSummary('lost')).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits workflow commands for annotations on files and lines', () => {
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(((s: string) => {
      lines.push(String(s));
      return true;
    }) as never);
    annotate({
      level: 'error',
      message: 'f(2) returns 5; consensus 4',
      title: 'CoSPlay gate',
      file: 'src/a.py',
      startLine: 3,
      endLine: 7,
    });
    annotate({ level: 'notice', message: 'ok' });
    expect(lines.join('')).toContain(
      '::error title=CoSPlay gate,file=src/a.py,line=3,endLine=7::f(2) returns 5; consensus 4',
    );
    expect(lines.join('')).toContain('::notice::ok');
  });
});
