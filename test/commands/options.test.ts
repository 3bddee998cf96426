// The commands' shared flag parsers (src/commands/options.ts): values, and user errors naming the flag.
import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { parsePort, positiveInt } from '../../src/commands/options.js';
import { UserError } from '../../src/types.js';

describe('positiveInt', () => {
  it('parses positive integers and names the flag in its user error', () => {
    expect(positiveInt('--workers')('4')).toBe(4);
    for (const bad of ['0', '-1', '1.5', 'abc', ''])
      expect(() => positiveInt('--workers')(bad)).toThrow(UserError);
    expect(() => positiveInt('--codes')('x')).toThrow('--codes must be a positive integer, not "x"');
  });

  it('works as a commander argument parser', () => {
    const program = new Command().exitOverride().option('--n <n>', 'n', positiveInt('--n'));
    program.parse(['--n', '7'], { from: 'user' });
    expect(program.opts().n).toBe(7);
    expect(() =>
      new Command().option('--n <n>', 'n', positiveInt('--n')).parse(['--n', '0'], { from: 'user' }),
    ).toThrow(/--n must be a positive integer/);
  });
});

describe('parsePort', () => {
  it('accepts 0..65535, defaults to 0 and names the flag in its user error', () => {
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(0)).toBe(0);
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('')).toBe(0);
    expect(() => parsePort('65536')).toThrow('--port must be an integer from 0 to 65535, got "65536"');
    expect(() => parsePort('-1', '--listen')).toThrow(/^--listen /);
  });
});
