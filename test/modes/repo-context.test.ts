// Repository context for the modes: candidates placed into the target file, the load preflight, and the
// line between an environment problem and a wrong answer.
import { describe, expect, it } from '@jest/globals';
import type { CellResult } from '../../src/types.js';
import {
  environmentProblem,
  errorHeadline,
  placeFunction,
  resolvesExpression,
  symbolRun,
} from '../../src/modes/repo-context.js';
import { listSymbols } from '../../src/repo/index.js';

describe('environment problems are never counterexamples', () => {
  const cell = (verdict: CellResult['verdict'], error?: string): CellResult =>
    error === undefined ? { verdict, output: '' } : { verdict, output: '', error };
  it('an import failure, or an error the base version shows too, is the environment', () => {
    expect(environmentProblem(cell('error', "ModuleNotFoundError: No module named 'yaml'"))).toBe(true);
    const nameErr = cell('error', "Traceback ...\nNameError: name 'registry' is not defined");
    expect(environmentProblem(nameErr, cell('error', "NameError: name 'registry' is not defined"))).toBe(
      true,
    );
    // The PR's own mistake: the base version did not fail that way (or there is none).
    expect(environmentProblem(nameErr, cell('pass'))).toBe(false);
    expect(environmentProblem(nameErr)).toBe(false);
    expect(environmentProblem(nameErr, cell('error', "NameError: name 'other' is not defined"))).toBe(false);
    expect(environmentProblem(cell('fail'))).toBe(false);
  });
});

describe('placing candidates', () => {
  const base = 'import os\n\n\ndef helper(x):\n    return x\n\n\ndef target(x):\n    return helper(x)\n';
  const place = placeFunction({ root: '/r', path: 'm.py', language: 'python', base, entryPoint: 'target' });
  it('keeps the file as it is for its own version and swaps in a candidate', () => {
    expect(place('def target(x):\n    return helper(x)')).toBe(base);
    const swapped = place('import math\n\ndef target(x):\n    return math.floor(helper(x))\n');
    expect(swapped).toContain('return math.floor(helper(x))');
    expect(swapped).toContain('import math');
    expect(swapped).toContain('def helper(x)');
    expect(swapped).not.toContain('return helper(x)\n\n\ndef');
  });
  it("a candidate that is only a prefix of the file's definition is placed, not taken for it", () => {
    const longer = 'def target(x):\n    return helper(x) + 1\n';
    const p = placeFunction({
      root: '/r',
      path: 'm.py',
      language: 'python',
      base: longer,
      entryPoint: 'target',
    });
    expect(p('def target(x):\n    return helper(x)')).toBe('def target(x):\n    return helper(x)\n');
    expect(p(longer)).toBe(longer);
  });
  it('refuses a candidate that does not define the target', () => {
    expect(() => place('def other():\n    pass\n')).toThrow(/does not define target/);
  });
});

describe('resolving and reporting', () => {
  it('checks functions and methods in each language', () => {
    expect(resolvesExpression('f', 'python')).toBe('callable(f)');
    expect(resolvesExpression('A.m', 'python')).toBe('callable(A.m)');
    expect(resolvesExpression('A.m', 'javascript')).toMatch(/A\.prototype\.m/);
  });
  it('names the error, not the traceback', () => {
    expect(
      errorHeadline(
        'Traceback (most recent call last):\n  File "x.py", line 1\nModuleNotFoundError: No module named \'yaml\'',
      ),
    ).toBe("ModuleNotFoundError: No module named 'yaml'");
    expect(
      errorHeadline("Error: Cannot find module 'left-pad'\n    at Module._resolve (node:internal)"),
    ).toBe("Error: Cannot find module 'left-pad'");
  });
});

describe('symbolRun on a TypeScript function with overloads', () => {
  it('places a candidate in place of the implementation and keeps the overload signatures', async () => {
    const base = [
      '/** Twice. */',
      'export function twice(v: string): string;',
      'export function twice(v: number): number;',
      'export function twice(v: any): any {',
      '  return v + v;',
      '}',
      '',
    ].join('\n');
    const [symbol] = await listSymbols(base, 'typescript', { path: 'src/t.ts' });
    const run = symbolRun({ root: '/r', path: 'src/t.ts', language: 'typescript', base }, symbol!);
    expect(run.place(symbol!.text)).toBe(base);
    expect(
      run.place('export function twice(v: any): any {\n  return typeof v === "number" ? v * 2 : v + v;\n}\n'),
    ).toBe(base.replace('  return v + v;', '  return typeof v === "number" ? v * 2 : v + v;'));
  });
});
