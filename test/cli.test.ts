import { describe, expect, it } from '@jest/globals';
import { buildProgram } from '../src/cli.js';

describe('cli', () => {
  it('names itself cosplay', () => {
    expect(buildProgram().name()).toBe('cosplay');
  });
});
