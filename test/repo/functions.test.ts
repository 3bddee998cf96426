import { describe, expect, it } from '@jest/globals';
import { changedFunctions, listFunctions } from '../../src/repo/functions.js';
import { cosplayBranch } from '../../src/github/pulls.js';

describe('listFunctions', () => {
  it('lists Python functions with lines, signature and docstring', () => {
    const src = [
      'import re',
      '',
      '',
      '@cache',
      'def parse(text: str,',
      '          strict: bool = False) -> list[int]:',
      '    """Parse numbers.',
      '',
      '    >>> parse("1 2")',
      '    [1, 2]',
      '    """',
      '    return [int(x) for x in re.findall(r"\\d+", text)]',
      '',
      '',
      'def _private(x):',
      "    'One line.'",
      '    return x',
      '',
      'class K:',
      '    def method(self):',
      '        pass',
    ].join('\n');
    const fns = listFunctions(src, 'python');
    expect(fns.map((f) => [f.name, f.startLine, f.endLine, f.exported])).toEqual([
      ['parse', 4, 12, true],
      ['_private', 15, 17, false],
    ]);
    expect(fns[0]!.signature).toBe('def parse(text: str, strict: bool = False) -> list[int]:');
    expect(fns[0]!.doc).toBe('Parse numbers.\n\n>>> parse("1 2")\n[1, 2]');
    expect(fns[1]!.doc).toBe('One line.');
  });

  it('lists JavaScript functions with JSDoc and exports', () => {
    const src = [
      '/**',
      ' * Clamp x into [lo, hi].',
      ' * @param {number} x',
      ' */',
      'export function clamp(x, lo, hi) {',
      '  return Math.min(hi, Math.max(lo, x));',
      '}',
      '',
      'const twice = (x) => 2 * x;',
      'function hidden() {}',
      'module.exports.twice = twice;',
    ].join('\n');
    const fns = listFunctions(src, 'javascript');
    expect(fns.map((f) => [f.name, f.startLine, f.endLine, f.exported, f.signature])).toEqual([
      ['clamp', 5, 7, true, 'export function clamp(x, lo, hi)'],
      ['twice', 9, 9, true, 'const twice = (x) =>'],
      ['hidden', 10, 10, false, 'function hidden()'],
    ]);
    expect(fns[0]!.doc).toBe('Clamp x into [lo, hi].\n@param {number} x');
  });
});

describe('changedFunctions', () => {
  it('finds added and modified functions, ignoring trailing white space', () => {
    const before = 'def a():\n    return 1\n\n\ndef b():\n    return 2\n';
    const after = 'def a():\n    return 1   \n\n\ndef b():\n    return 3\n\n\ndef c():\n    return 4\n';
    expect(changedFunctions(before, after, 'python').map((f) => [f.name, f.change])).toEqual([
      ['b', 'modified'],
      ['c', 'added'],
    ]);
    expect(changedFunctions(null, after, 'python').map((f) => f.change)).toEqual(['added', 'added', 'added']);
  });
});

describe('cosplayBranch', () => {
  it('makes safe branch names', () => {
    expect(cosplayBranch('repair', 'src/util.py', 'parse')).toBe('cosplay/repair-src-util.py-parse');
    expect(cosplayBranch('gate', '../..//x y')).toBe('cosplay/gate-x-y');
    expect(() => cosplayBranch('///')).toThrow();
  });
});
