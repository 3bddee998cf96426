// Reading failures: JUnit XML (pytest, node --test, jest-junit), Jest JSON, pytest-json-report; stack frames of
// Python, pytest and JavaScript; assertions as unit tests; and the mapping of a failing test to a function.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failingCases, parseReport } from '../../../src/modes/repair/report.js';
import { parseFrames } from '../../../src/modes/repair/traceback.js';
import {
  assertionToTest,
  calledNames,
  isLiteral,
  statementAt,
} from '../../../src/modes/repair/assertions.js';
import { importBindings, locateFailure, SourceIndex } from '../../../src/modes/repair/locate.js';

const PYTEST_XML = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="4"><testcase classname="tests.test_stats" name="test_ok" time="0.000" /><testcase classname="tests.test_stats" name="test_skip"><skipped message="no"/></testcase><testcase classname="tests.test_stats" name="test_digit_sum_negative" time="0.000"><failure message="ValueError: invalid literal for int() with base 10: '-'">def test_digit_sum_negative():
&gt;       assert digit_sum(-45) == 9
               ^^^^^^^^^^^^^^

tests/test_stats.py:21: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
stats.py:19: in digit_sum
    return sum(int(c) for c in str(n))
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _

&gt;   return sum(int(c) for c in str(n))
E   ValueError: invalid literal for int() with base 10: '-'

stats.py:19: ValueError</failure></testcase><testcase classname="tests.test_stats" name="test_mean"><error message="fixture 'db' not found">file /x/tests/test_stats.py, line 30</error></testcase></testsuite></testsuites>`;

const NODE_XML = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
\t<testcase name="common years" time="0.000097" classname="test"/>
\t<testcase name="every 400 years is a leap year" time="0.003539" classname="test" failure="Expected values to be strictly equal:false !== true">
\t\t<failure type="testCodeFailure" message="Expected values to be strictly equal:false !== true">
[Error [ERR_TEST_FAILURE]: Expected values to be strictly equal:
  cause: AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
      at TestContext.&lt;anonymous> (/REPO/test/dates.test.js:18:10)
      at Test.runInAsyncScope (node:async_hooks:206:9)
      at Test.run (node:internal/test_runner/test:796:25)
\t\t</failure>
\t</testcase>
</testsuites>`;

describe('reports', () => {
  it('reads pytest JUnit XML: statuses, messages and the traceback text', () => {
    const r = parseReport(PYTEST_XML)!;
    expect(r.format).toBe('junit');
    expect(r.cases.map((c) => [c.id, c.status])).toEqual([
      ['tests.test_stats::test_ok', 'passed'],
      ['tests.test_stats::test_skip', 'skipped'],
      ['tests.test_stats::test_digit_sum_negative', 'failed'],
      ['tests.test_stats::test_mean', 'error'],
    ]);
    const f = r.cases[2]!;
    expect(f.message).toBe("ValueError: invalid literal for int() with base 10: '-'");
    expect(f.details).toContain('>       assert digit_sum(-45) == 9');
    expect(failingCases(r.cases)).toHaveLength(2);
  });

  it("reads node's JUnit reporter (the failure attribute and element do not clash)", () => {
    const r = parseReport(NODE_XML)!;
    expect(r.cases[1]).toMatchObject({
      status: 'failed',
      name: 'every 400 years is a leap year',
      message: 'Expected values to be strictly equal:false !== true',
    });
    expect(r.cases[1]!.details).toContain('(/REPO/test/dates.test.js:18:10)');
  });

  it('reads Jest JSON and pytest-json-report', () => {
    const jest = parseReport(
      JSON.stringify({
        numFailedTests: 1,
        testResults: [
          {
            name: '/r/test/a.test.js',
            status: 'failed',
            assertionResults: [
              {
                ancestorTitles: ['add'],
                title: 'adds',
                fullName: 'add adds',
                status: 'failed',
                failureMessages: [
                  'Error: expect(received).toBe(expected)\n    at Object.<anonymous> (/r/test/a.test.js:4:23)',
                ],
                location: null,
              },
              { ancestorTitles: [], title: 'ok', fullName: 'ok', status: 'passed', failureMessages: [] },
            ],
          },
          {
            name: '/r/test/b.test.js',
            status: 'failed',
            message: 'SyntaxError: Unexpected token',
            assertionResults: [],
          },
        ],
      }),
    )!;
    expect(jest.format).toBe('jest-json');
    expect(jest.cases.map((c) => [c.id, c.status])).toEqual([
      ['/r/test/a.test.js::add adds', 'failed'],
      ['/r/test/a.test.js::ok', 'passed'],
      ['/r/test/b.test.js::(file)', 'error'],
    ]);
    const py = parseReport(
      JSON.stringify({
        exitcode: 1,
        summary: { failed: 1 },
        tests: [
          {
            nodeid: 'tests/test_a.py::test_x',
            lineno: 3,
            outcome: 'failed',
            call: {
              outcome: 'failed',
              crash: { message: 'AssertionError: assert 1 == 2' },
              longrepr:
                'def test_x():\n>       assert f(1) == 2\nE       assert 1 == 2\n\ntests/test_a.py:5: AssertionError',
            },
          },
        ],
      }),
    )!;
    expect(py.format).toBe('pytest-json');
    expect(py.cases[0]).toMatchObject({
      id: 'tests/test_a.py::test_x',
      file: 'tests/test_a.py',
      status: 'failed',
      message: 'AssertionError: assert 1 == 2',
    });
    expect(parseReport('{"a": 1}')).toBeNull();
    expect(parseReport('<html></html>')).toBeNull();
  });
});

describe('parseFrames', () => {
  it('puts the innermost frame first for pytest, Python and JavaScript', () => {
    expect(
      parseFrames(parseReport(PYTEST_XML)!.cases[2]!.details!).map((f) => `${f.file}:${f.line}`),
    ).toEqual(['stats.py:19', 'tests/test_stats.py:21']);
    const native =
      'Traceback (most recent call last):\n  File "/r/tests/t.py", line 5, in test_a\n    f(1)\n  File "/r/m.py", line 2, in f\n    1/0\nZeroDivisionError: division by zero';
    expect(parseFrames(native).map((f) => [f.file, f.line, f.func])).toEqual([
      ['/r/m.py', 2, 'f'],
      ['/r/tests/t.py', 5, 'test_a'],
    ]);
    const js =
      'TypeError: x is not a function\n    at isLeap (file:///r/src/d%20x.mjs:3:9)\n    at /r/test/a.test.js:4:23\n    at node:internal/x:1:1';
    expect(parseFrames(js).map((f) => [f.file, f.line, f.func])).toEqual([
      ['/r/src/d x.mjs', 3, 'isLeap'],
      ['/r/test/a.test.js', 4, undefined],
    ]);
  });
});

describe('assertions', () => {
  it('turns literal equality assertions on one call into unit tests', () => {
    expect(assertionToTest('assert digit_sum(-45) == 9', 'python', 'digit_sum')).toEqual({
      call: 'digit_sum(-45)',
      expected: '9',
    });
    expect(
      assertionToTest("assert 'a,b' == stats.join(['a', 'b'], sep=','), 'msg'", 'python', 'join'),
    ).toEqual({ call: "join(['a', 'b'], sep=',')", expected: "'a,b'" });
    expect(assertionToTest('assert is_prime(7) is True', 'python', 'is_prime')).toEqual({
      call: 'is_prime(7)',
      expected: 'True',
    });
    expect(
      assertionToTest('assert.strictEqual(isLeapYear(2000), true);', 'javascript', 'isLeapYear'),
    ).toEqual({ call: 'isLeapYear(2000)', expected: 'true' });
    expect(assertionToTest("expect(pad(-5, 3)).toBe('-005');", 'javascript', 'pad')).toEqual({
      call: 'pad(-5, 3)',
      expected: "'-005'",
    });
    expect(assertionToTest('assert.deepStrictEqual(range(3), [0, 1, 2]);', 'javascript', 'range')).toEqual({
      call: 'range(3)',
      expected: '[0, 1, 2]',
    });
    // Not literal, not an equality, or not a call of the function: no unit test.
    expect(assertionToTest('assert digit_sum(n) == 9', 'python', 'digit_sum')).toBeNull();
    expect(assertionToTest('assert digit_sum(4) == expected', 'python', 'digit_sum')).toBeNull();
    expect(assertionToTest('assert digit_sum(4) > 3', 'python', 'digit_sum')).toBeNull();
    expect(assertionToTest('assert digit_sum(4) + 1 == 5', 'python', 'digit_sum')).toBeNull();
    expect(assertionToTest('assert other(4) == 5', 'python', 'digit_sum')).toBeNull();
    expect(isLiteral("{'a': [1, 2.5e3, None], 'b': (True,)}", 'python')).toBe(true);
    expect(isLiteral('[x, 1]', 'python')).toBe(false);
  });

  it('reads a multi-line statement and the names it calls, ignoring strings', () => {
    expect(statementAt('a\nassert f(1,\n  2) == 3\nb', 2)).toBe('assert f(1,\n  2) == 3');
    expect(calledNames("assert.strictEqual(mod.f(g(1)), 'h(2)')")).toEqual([
      { name: 'strictEqual', receiver: 'assert' },
      { name: 'f', receiver: 'mod' },
      { name: 'g' },
    ]);
  });

  it('reads import bindings', () => {
    const py = importBindings(
      'from stats import clamp, digit_sum as ds\nimport pkg.util as u\nfrom . import helpers\n',
      'python',
    );
    expect(py.get('ds')).toEqual({ module: 'stats', imported: 'digit_sum' });
    expect(py.get('u')).toEqual({ module: 'pkg.util', imported: null });
    expect(py.get('helpers')).toEqual({ module: '.', imported: 'helpers' });
    const js = importBindings(
      "const { isLeapYear, pad: p } = require('../src/dates.js');\nimport * as m from './m.mjs';\nconst x = require('./x');",
      'javascript',
    );
    expect(js.get('p')).toEqual({ module: '../src/dates.js', imported: 'pad' });
    expect(js.get('m')).toEqual({ module: './m.mjs', imported: null });
    expect(js.get('x')).toEqual({ module: './x', imported: null });
  });
});

describe('locateFailure', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'locate-'));
    write(
      'stats.py',
      'def clamp(x, lo, hi):\n    return x\n\n\ndef digit_sum(n):\n    """Doc."""\n    return sum(int(c) for c in str(n))\n',
    );
    write('other.py', 'def digit_sum(n):\n    return 0\n');
    write(
      'tests/test_stats.py',
      'from stats import clamp, digit_sum as ds\n\n\ndef test_a():\n    assert ds(-45) == 9\n\n\ndef test_b():\n    assert clamp(5, 0, 3) == 3\n',
    );
    write(
      'src/dates.js',
      'function isLeapYear(y) {\n  return y % 4 === 0;\n}\nmodule.exports = { isLeapYear };\n',
    );
    write(
      'test/dates.test.js',
      "const assert = require('node:assert');\nconst { isLeapYear } = require('../src/dates.js');\ntest('x', () => {\n  assert.strictEqual(isLeapYear(1900), false);\n});\n",
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const index = () =>
    new SourceIndex(root, [
      'stats.py',
      'other.py',
      'tests/test_stats.py',
      'src/dates.js',
      'test/dates.test.js',
    ]);

  it('maps through the innermost repository frame, and converts the aliased assertion', async () => {
    const details = `def test_a():\n>       assert ds(-45) == 9\n\n${root}/tests/test_stats.py:5: \n_ _ _\nstats.py:7: in digit_sum\n    return ...\nstats.py:7: ValueError`;
    const loc = await locateFailure(index(), { id: 'x', name: 'test_a', status: 'failed', details });
    expect(loc.target).toEqual({ path: 'stats.py', language: 'python', name: 'digit_sum' });
    expect(loc.via).toBe('traceback');
    expect(loc.testFrame).toEqual({ path: 'tests/test_stats.py', line: 5 });
    expect(loc.trusted).toEqual({ call: 'digit_sum(-45)', expected: '9' });
  });

  it('maps a plain assertion failure through the imports of the test file', async () => {
    const loc = await locateFailure(index(), {
      id: 'y',
      name: 'test_b',
      status: 'failed',
      details:
        '>       assert clamp(5, 0, 3) == 3\nE       assert 5 == 3\n\ntests/test_stats.py:9: AssertionError',
    });
    expect(loc.target).toEqual({ path: 'stats.py', language: 'python', name: 'clamp' });
    expect(loc.via).toBe('assertion');
    expect(loc.trusted).toEqual({ call: 'clamp(5, 0, 3)', expected: '3' });
    const js = await locateFailure(index(), {
      id: 'z',
      name: 'x',
      status: 'failed',
      details: `AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n    at TestContext.<anonymous> (${root}/test/dates.test.js:4:10)\n    at Test.run (node:internal/test_runner/test:796:25)`,
    });
    expect(js.target).toEqual({ path: 'src/dates.js', language: 'javascript', name: 'isLeapYear' });
    expect(js.trusted).toEqual({ call: 'isLeapYear(1900)', expected: 'false' });
  });

  it('says why when nothing leads to a function', async () => {
    const loc = await locateFailure(index(), {
      id: 'w',
      name: 'w',
      status: 'error',
      message: "fixture 'db' not found",
    });
    expect(loc.target).toBeNull();
    expect(loc.reason).toMatch(/no traceback/);
  });
});

describe('keepDocstring', () => {
  it('puts the original docstring into a candidate that has none, re-indented, and leaves others alone', async () => {
    const { keepDocstring, docstringOf } = await import('../../../src/modes/repair/docstring.js');
    const original =
      'def f(n):\n    """Sum of digits.\n\n    Negative n: digits of |n|.\n    """\n    return 0\n';
    expect(docstringOf(original)!.literal).toBe(
      '"""Sum of digits.\n\n    Negative n: digits of |n|.\n    """',
    );
    const cand = 'import math\n\n\ndef f(n) -> int:\n  n = abs(n)\n  return n\n';
    expect(keepDocstring(cand, original, 'f')).toBe(
      'import math\n\n\ndef f(n) -> int:\n  """Sum of digits.\n\n  Negative n: digits of |n|.\n  """\n  n = abs(n)\n  return n\n',
    );
    const documented = "def f(n):\n    'Own doc.'\n    return n\n";
    expect(keepDocstring(documented, original, 'f')).toBe(documented);
    expect(keepDocstring(cand, 'def f(n):\n    return 1\n', 'f')).toBe(cand);
    expect(keepDocstring(cand, original, 'g')).toBe(cand);
  });
});
