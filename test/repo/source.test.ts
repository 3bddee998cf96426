// Source helpers: test-path detection, targets with a spec, and the guard that keeps the PR's code away from the model.
import { describe, expect, it } from '@jest/globals';
import { isTestPath, languageOfPath } from '../../src/repo/source.js';
import { namedInBody, selectGateTargets } from '../../src/modes/gate/targets.js';
import { withholdCode } from '../../src/modes/gate/guard.js';
import type { LlmRequest } from '../../src/types.js';

describe('paths', () => {
  it('knows languages and test files', () => {
    expect(languageOfPath('a/b.py')).toBe('python');
    expect(languageOfPath('a/b.mjs')).toBe('javascript');
    expect(languageOfPath('a/b.ts')).toBe('typescript');
    expect(languageOfPath('a/b.cts')).toBe('typescript');
    expect(languageOfPath('a/b.d.ts')).toBeNull();
    for (const p of [
      'tests/test_a.py',
      'pkg/test_a.py',
      'a_test.py',
      'src/a.test.js',
      '__tests__/a.js',
      'test/x.js',
      'conftest.py',
    ])
      expect(isTestPath(p)).toBe(true);
    for (const p of ['src/a.py', 'lib/contest.py', 'src/testing_utils_impl.js', 'latest.js'])
      expect(isTestPath(p)).toBe(false);
  });
});

describe('selectGateTargets', () => {
  const before = 'def double(x):\n    """Double x."""\n    return 2 * x\n\n\ndef ident(x):\n    return x\n';
  const after =
    'def double(x):\n    """Double x."""\n    return x + x\n\n\ndef ident(x):\n    return x + 0\n\n\ndef other(x):\n    return x\n\n\ndef same(x):\n    """Same."""\n    return x\n';

  it('takes changed functions with a docstring or a mention in the PR body; skips the others and test files', async () => {
    const { targets, skipped } = await selectGateTargets(
      [
        { path: 'src/m.py', before, after },
        { path: 'tests/test_m.py', before: null, after: 'def test_x():\n    """T."""\n    assert True\n' },
      ],
      'This PR speeds up `ident`. <!-- also check other -->',
      { limit: 10 },
    );
    expect(targets.map((t) => [t.fn.name, t.specSource])).toEqual([
      ['double', 'doc'],
      ['ident', 'pr-body'],
      ['same', 'doc'],
    ]);
    expect(targets[1]!.description).toMatch(/This PR speeds up `ident`\./);
    expect(targets[1]!.description).not.toMatch(/also check other/); // hidden HTML never becomes a spec
    expect(skipped.map((s) => s.name)).toEqual(['other']);
  });

  it('applies the limit', async () => {
    const { targets, skipped } = await selectGateTargets([{ path: 'm.py', before: null, after }], '', {
      limit: 1,
    });
    expect(targets.map((t) => t.fn.name)).toEqual(['double']);
    expect(skipped.find((s) => s.name === 'same')!.reason).toMatch(/limit/);
  });

  it('takes methods of classes (a decorated class too) by their docstring or their name in the body', async () => {
    const base = [
      'from enum import Enum',
      'from functools import total_ordering',
      '',
      '',
      '@total_ordering',
      'class Unit(Enum):',
      '    """A unit."""',
      '    M = 1',
      '    KM = 1000',
      '',
      '    def __lt__(self, other):',
      '        """True when this unit is smaller."""',
      '        return self.value < other.value',
      '',
      '    def scale(self, n):',
      '        return n * self.value',
      '',
    ].join('\n');
    const changed = base
      .replace('return self.value < other.value', 'return self.value <= other.value')
      .replace('return n * self.value', 'return n * self.value + 0');
    const { targets, skipped } = await selectGateTargets(
      [{ path: 'units.py', before: base, after: changed }],
      'Makes `scale` faster.',
      { limit: 10 },
    );
    expect(targets.map((t) => [t.symbol.name, t.symbol.kind, t.specSource, t.symbol.change])).toEqual([
      ['Unit.__lt__', 'method', 'doc', 'modified'],
      ['Unit.scale', 'method', 'pr-body', 'modified'],
    ]);
    expect(targets[0]!.fn).toBe(targets[0]!.symbol);
    expect(targets[0]!.symbol.startLine).toBe(11);
    expect(skipped).toEqual([]);
  });

  it('reports a file that does not parse instead of failing', async () => {
    const { targets, skipped } = await selectGateTargets(
      [{ path: 'bad.py', before: null, after: 'def f(:\n    """Doc."""\n' }],
      '',
      { limit: 10 },
    );
    expect(targets).toEqual([]);
    expect(skipped[0]!.reason).toMatch(/does not parse: SyntaxError/);
  });

  it('matches names as words', () => {
    expect(namedInBody('fixes parse_date()', 'parse_date')).toBe(true);
    expect(namedInBody('fixes parse_dates', 'parse_date')).toBe(false);
    expect(namedInBody('see $pad', 'pad')).toBe(false);
    expect(namedInBody('Add a helper.', 'helper')).toBe(false);
    expect(namedInBody('Speeds up `helper` a lot', 'helper')).toBe(true);
    expect(namedInBody('Makes `utils.helper()` faster', 'helper')).toBe(true);
    expect(namedInBody('helper(x) is faster now', 'helper')).toBe(true);
    expect(namedInBody('isLeapYear handles centuries', 'isLeapYear')).toBe(true);
  });
});

describe('withholdCode', () => {
  it('answers requests that would show the withheld code locally and passes the others through', async () => {
    const sent: LlmRequest[] = [];
    const inner = {
      complete: async (r: LlmRequest) => {
        sent.push(r);
        return { texts: ['ok'], usage: { promptTokens: 1, completionTokens: 1 } };
      },
    };
    const seed = 'def f(x):\n    """Doc."""\n    return x * 2\n';
    const llm = withholdCode(inner, [seed]);
    const req = (stage: 'stage1' | 'stage2', purpose: 'code' | 'fix', content: string): LlmRequest => ({
      stage,
      purpose,
      task: 't',
      messages: [{ role: 'user', content }],
    });
    // The spec (signature and docstring) is fine; the body is not, even re-indented.
    expect((await llm.complete(req('stage1', 'code', 'def f(x):\n    """Doc."""\n'))).texts).toEqual(['ok']);
    const fix = await llm.complete(
      req(
        'stage2',
        'fix',
        'This program:\n```python\n  def f(x):\n      """Doc."""\n\n      return x * 2\n```',
      ),
    );
    expect(fix.texts).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(llm.withheld).toEqual({ 'stage2.fix': 1 });
  });
});
