import { describe, expect, it } from '@jest/globals';
import {
  normaliseStdout,
  outputsAgree,
  renderValue,
  stdoutAgree,
  valuesAgree,
} from '../../src/exec/compare.js';

const t = (x: unknown) => JSON.stringify(x);

describe('stdio comparison', () => {
  it('normalises CRLF, trailing spaces and trailing blank lines', () => {
    expect(normaliseStdout('1 2  \r\n3\t\r\n\r\n\n')).toBe('1 2\n3');
    expect(stdoutAgree('1 2\r\n3\r\n', '1 2\n3')).toBe(true);
    expect(stdoutAgree('YES\n\n\n', 'YES')).toBe(true);
  });

  it('compares integers exactly, also beyond double precision', () => {
    expect(stdoutAgree('12345678901234567890', '12345678901234567891')).toBe(false);
    expect(stdoutAgree('12345678901234567890', '12345678901234567890\n')).toBe(true);
    expect(stdoutAgree('3', '4')).toBe(false);
    expect(stdoutAgree('007', '7')).toBe(true);
  });

  it('compares floats within the tolerance, absolute or relative', () => {
    expect(stdoutAgree('0.3333333', '0.33333333333')).toBe(true);
    expect(stdoutAgree('0.333', '0.334')).toBe(false);
    expect(stdoutAgree('1000000.5', '1000000.5000001')).toBe(true);
    expect(stdoutAgree('2.5', '2.5000001', 1e-9)).toBe(false);
    expect(stdoutAgree('1e3', '1000.0')).toBe(true);
  });

  it('compares other tokens as text, token by token', () => {
    expect(stdoutAgree('yes', 'YES')).toBe(false);
    expect(stdoutAgree('a  b\nc', 'a b c')).toBe(true);
    expect(stdoutAgree('a b', 'a b c')).toBe(false);
    expect(stdoutAgree('', '')).toBe(true);
    expect(stdoutAgree('', '0')).toBe(false);
  });
});

describe('function value comparison', () => {
  it('compares numbers across int and float within tolerance, ints exactly', () => {
    expect(valuesAgree(t(['i', '3']), t(['f', 3.0000000001]))).toBe(true);
    expect(valuesAgree(t(['i', '3']), t(['i', '4']))).toBe(false);
    expect(valuesAgree(t(['i', '123456789012345678901']), t(['i', '123456789012345678902']))).toBe(false);
    expect(valuesAgree(t(['f', 'nan']), t(['f', 'nan']))).toBe(true);
    expect(valuesAgree(t(['f', 'inf']), t(['f', '-inf']))).toBe(false);
    expect(valuesAgree(t(['f', 0.1 + 0.2]), t(['f', 0.3]))).toBe(true);
  });

  it('follows Python equality for bools against numbers', () => {
    expect(valuesAgree(t(['b', true]), t(['i', '1']))).toBe(true);
    expect(valuesAgree(t(['b', false]), t(['b', true]))).toBe(false);
  });

  it('compares nested structures, with unordered sets and dicts', () => {
    const a = [
      'd',
      [
        [
          ['s', 'x'],
          [
            'l',
            [
              ['i', '1'],
              ['f', 2.0000000001],
            ],
          ],
        ],
        [
          ['s', 'y'],
          [
            'S',
            [
              ['i', '1'],
              ['i', '2'],
            ],
          ],
        ],
      ],
    ];
    const b = [
      'd',
      [
        [
          ['s', 'y'],
          [
            'S',
            [
              ['i', '2'],
              ['i', '1'],
            ],
          ],
        ],
        [
          ['s', 'x'],
          [
            'l',
            [
              ['i', '1'],
              ['i', '2'],
            ],
          ],
        ],
      ],
    ];
    expect(valuesAgree(t(a), t(b))).toBe(true);
    const c = [
      'd',
      [
        [
          ['s', 'x'],
          [
            'l',
            [
              ['i', '1'],
              ['i', '3'],
            ],
          ],
        ],
        [
          ['s', 'y'],
          [
            'S',
            [
              ['i', '1'],
              ['i', '2'],
            ],
          ],
        ],
      ],
    ];
    expect(valuesAgree(t(a), t(c))).toBe(false);
    expect(
      valuesAgree(
        t([
          'S',
          [
            ['f', 1.0000000001],
            ['i', '2'],
          ],
        ]),
        t([
          'S',
          [
            ['i', '2'],
            ['i', '1'],
          ],
        ]),
      ),
    ).toBe(true);
  });

  it('keeps lists, tuples, strings and None apart', () => {
    expect(valuesAgree(t(['l', [['i', '1']]]), t(['t', [['i', '1']]]))).toBe(false);
    expect(valuesAgree(t(['s', '1']), t(['i', '1']))).toBe(false);
    expect(valuesAgree(t(['n']), t(['u']))).toBe(false);
    expect(valuesAgree(t(['l', []]), t(['l', [['n']]]))).toBe(false);
  });

  it('never equates an arbitrary object with a value (no __eq__ forging)', () => {
    expect(valuesAgree(t(['o', 'AlwaysEqual', ['d', []]]), t(['i', '42']))).toBe(false);
    expect(
      valuesAgree(
        t([
          'o',
          'P',
          [
            'd',
            [
              [
                ['s', 'x'],
                ['i', '1'],
              ],
            ],
          ],
        ]),
        t([
          'o',
          'P',
          [
            'd',
            [
              [
                ['s', 'x'],
                ['i', '1'],
              ],
            ],
          ],
        ]),
      ),
    ).toBe(true);
  });

  it('treats unparseable outputs as different unless identical', () => {
    expect(valuesAgree('', '')).toBe(true);
    expect(valuesAgree('garbage', t(['i', '1']))).toBe(false);
  });

  it('outputsAgree dispatches on the task kind', () => {
    expect(outputsAgree('1.0\n', '1', 'stdio')).toBe(true);
    expect(outputsAgree(t(['f', 1]), t(['i', '1']), 'function')).toBe(true);
    expect(outputsAgree(t(['f', 1]), t(['f', 1.1]), 'function', 0.2)).toBe(true);
    expect(outputsAgree(t(['f', 1]), t(['f', 1.1]), 'function')).toBe(false);
  });
});

describe('renderValue', () => {
  it('renders Python and JavaScript literals', () => {
    const v = t([
      'l',
      [
        ['i', '1'],
        ['f', 2],
        ['s', "it's"],
        ['b', true],
        ['n'],
        ['t', [['i', '3']]],
        [
          'd',
          [
            [
              ['s', 'k'],
              ['S', []],
            ],
          ],
        ],
      ],
    ]);
    expect(renderValue(v, 'python')).toBe(`[1, 2.0, "it's", True, None, (3,), {'k': set()}]`);
    expect(renderValue(v, 'javascript')).toBe(`[1, 2, "it's", true, null, [3], {k: new Set([])}]`);
    expect(renderValue(t(['f', 'inf']), 'python')).toBe("float('inf')");
    expect(renderValue('not json', 'python')).toBe('not json');
  });
});
