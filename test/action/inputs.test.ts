// Input validation: every input of action.yml is checked, and a bad value stops the run with a message that
// names the input, the value and what is accepted.
import { describe, expect, it } from '@jest/globals';
import { InputError, INPUT_DEFAULTS, readInputs, type InputName } from '../../src/action/inputs.js';

function read(values: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv = {}) {
  return readInputs({ getInput: (n) => values[n] ?? '', env, mask: false });
}

function error(values: Partial<Record<InputName, string>>): InputError {
  try {
    read(values);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('no error');
}

describe('readInputs', () => {
  it('applies the defaults of action.yml', () => {
    const i = read({}, { GITHUB_TOKEN: 'ghs_fromenvironment' });
    expect(i).toEqual({
      mode: 'auto',
      githubToken: 'ghs_fromenvironment',
      baseUrl: 'https://models.github.ai/inference',
      apiKey: 'ghs_fromenvironment', // GitHub Models takes the job's token
      model: 'openai/gpt-4.1-mini',
      triggerLabel: 'cosplay',
      preset: 'small',
      bonRule: 'pass-count',
      maxTokens: 400000,
      maxRequests: 150,
      maxMinutes: 20,
      concurrency: 2,
      sandbox: 'bwrap',
      draft: true,
      testFramework: 'auto',
      allowedPaths: ['**'],
      allowedBots: [],
      gateMinSupport: 0.75,
      testCommand: '',
      groupRepairs: false,
    });
  });

  it('parses every kind of value', () => {
    const i = read({
      mode: 'Solve',
      'github-token': 'tok',
      'base-url': 'http://localhost:11434/v1/',
      model: 'qwen2.5-coder:7b',
      'issue-number': '#12',
      preset: 'paper',
      'bon-rule': 'Dual-Agreement',
      codes: '8',
      tests: '6',
      rounds: '0',
      'max-tokens': '1_000_000',
      'max-minutes': '2.5',
      sandbox: 'none',
      draft: 'False',
      'test-framework': 'node:test',
      'allowed-paths': 'src/**\n# tests too\ntests/**\n\n',
      'allowed-bots': 'renovate[bot], dependabot[bot]\nmy-app[bot]',
      'gate-min-support': '1',
      'group-repairs': 'TRUE',
    });
    expect(i).toMatchObject({
      mode: 'solve',
      baseUrl: 'http://localhost:11434/v1',
      apiKey: '', // not GitHub Models: no key unless given (local endpoints need none)
      issueNumber: 12,
      preset: 'paper',
      bonRule: 'dual-agreement',
      codes: 8,
      tests: 6,
      rounds: 0,
      maxTokens: 1_000_000,
      maxMinutes: 2.5,
      sandbox: 'none',
      draft: false,
      testFramework: 'node:test',
      allowedPaths: ['src/**', 'tests/**'],
      allowedBots: ['renovate[bot]', 'dependabot[bot]', 'my-app[bot]'],
      gateMinSupport: 1,
      groupRepairs: true,
    });
  });

  it.each<[Partial<Record<InputName, string>>, InputName, RegExp]>([
    [{ mode: 'fix' }, 'mode', /"fix" is not one of the accepted values: `auto`, `solve`, `gate`, `repair`/],
    [{ sandbox: 'docker' }, 'sandbox', /`bwrap`, `none`/],
    [{ preset: 'huge' }, 'preset', /`small`, `paper`/],
    [{ 'bon-rule': 'votes' }, 'bon-rule', /`pass-count`, `dual-agreement`, `archive`/],
    [{ 'test-framework': 'mocha' }, 'test-framework', /`pytest`, `node:test`, `jest`, `vitest`/],
    [{ draft: 'yes' }, 'draft', /use `true` or `false`/],
    [{ 'group-repairs': '1' }, 'group-repairs', /use `true` or `false`/],
    [{ codes: '0' }, 'codes', /from 1 to 64/],
    [{ codes: '2.5' }, 'codes', /not a whole number/],
    [{ tests: 'many' }, 'tests', /from 1 to 64/],
    [{ rounds: '11' }, 'rounds', /from 0 to 10/],
    [{ 'max-tokens': '-5' }, 'max-tokens', /from 1000/],
    [{ 'max-requests': '1e9' }, 'max-requests', /to 100000/],
    [{ 'max-minutes': 'abc' }, 'max-minutes', /not a number/],
    [{ concurrency: '0' }, 'concurrency', /from 1 to 32/],
    [{ 'gate-min-support': '1.5' }, 'gate-min-support', /from 0.01 to 1/],
    [{ 'issue-number': 'twelve' }, 'issue-number', /without #/],
    [{ 'base-url': 'ftp://example.com' }, 'base-url', /https:\/\//],
    [{ 'base-url': 'not a url' }, 'base-url', /is not a URL/],
    [{ 'base-url': 'https://api.openai.com/v1/chat/completions' }, 'base-url', /without it/],
    [{ 'base-url': 'https://user:pw@example.com/v1' }, 'base-url', /credentials/],
    [{ model: 'gpt 4' }, 'model', /white space/],
    [{ 'trigger-label': 'x'.repeat(51) }, 'trigger-label', /50 characters/],
    [{ 'allowed-paths': 'src/**\n.github/workflows/*' }, 'allowed-paths', /never writes/],
    [{ 'allowed-paths': '../elsewhere/**' }, 'allowed-paths', /`\.\.`/],
    [{ 'allowed-paths': '# nothing\n' }, 'allowed-paths', /at least one glob/],
    [{ 'allowed-bots': 'not a login!' }, 'allowed-bots', /not a GitHub login/],
  ])('%j is refused with a message naming %s', (values, input, message) => {
    const err = error(values);
    expect(err.input).toBe(input);
    expect(err.message.startsWith(`Input \`${input}\`: `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('reads the INPUT_* variables through @actions/core', () => {
    const saved = { ...process.env };
    try {
      process.env['INPUT_MODE'] = 'repair';
      process.env['INPUT_GITHUB-TOKEN'] = 'ghs_abcdefghijklmnop';
      process.env['INPUT_TRIGGER-LABEL'] = '  ai please  ';
      process.env['INPUT_MAX-REQUESTS'] = '40';
      const i = readInputs({ mask: false });
      expect(i).toMatchObject({
        mode: 'repair',
        githubToken: 'ghs_abcdefghijklmnop',
        triggerLabel: 'ai please',
        maxRequests: 40,
      });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('lists every input with its default', () => {
    expect(Object.keys(INPUT_DEFAULTS)).toHaveLength(24);
  });
});
