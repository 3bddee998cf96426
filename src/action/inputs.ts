// The action's inputs (action.yml), read strictly: every value is checked and a bad one stops the run with a
// message that names the input, what it got and what it accepts (in the style of actions/checkout). An input
// left empty takes the default that action.yml declares (GitHub fills those in; running the entry outside
// Actions, e.g. in tests, the same defaults apply from INPUT_DEFAULTS below, which a test keeps equal to
// action.yml).
import * as core from '@actions/core';
import { UserError } from '../types.js';
import { isGithubModels } from '../llm/index.js';
import type { ActionInputs } from '../modes/types.js';
import { BON_RULES } from '../cosplay/params.js';

/** A bad input value: names the input, the value and what would be accepted. */
export class InputError extends UserError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Input \`${input}\`: ${message}`);
    this.name = 'InputError';
  }
}

/**
 * Every input of action.yml with the default it declares there ('' = none). `github-token` defaults to
 * `${{ github.token }}` in action.yml; outside Actions the entry falls back to the GITHUB_TOKEN variable.
 */
export const INPUT_DEFAULTS = {
  mode: 'auto',
  'github-token': '${{ github.token }}',
  'base-url': 'https://models.github.ai/inference',
  'api-key': '',
  model: 'openai/gpt-4.1-mini',
  'trigger-label': 'cosplay',
  'issue-number': '',
  preset: 'small',
  'bon-rule': 'pass-count',
  codes: '',
  tests: '',
  rounds: '',
  'max-tokens': '400000',
  'max-requests': '150',
  'max-minutes': '20',
  concurrency: '2',
  sandbox: 'bwrap',
  draft: 'true',
  'test-framework': 'auto',
  'allowed-paths': '**',
  'allowed-bots': '',
  'gate-min-support': '0.75',
  'test-command': '',
  'group-repairs': 'false',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** Inputs whose values are secrets: masked in the log as soon as they are read. */
export const SECRET_INPUTS: readonly InputName[] = ['github-token', 'api-key'];

export const MODES = ['auto', 'solve', 'gate', 'repair'] as const;
export const PRESETS = ['small', 'paper'] as const;
export const SANDBOXES = ['bwrap', 'none'] as const;
export const TEST_FRAMEWORK_INPUTS = ['auto', 'pytest', 'node:test', 'jest', 'vitest'] as const;

/** Limits of the numeric inputs (inclusive). */
export const LIMITS = {
  'issue-number': { min: 1, max: 2 ** 31 - 1, integer: true },
  codes: { min: 1, max: 64, integer: true },
  tests: { min: 1, max: 64, integer: true },
  rounds: { min: 0, max: 10, integer: true },
  'max-tokens': { min: 1000, max: 100_000_000, integer: true },
  'max-requests': { min: 1, max: 100_000, integer: true },
  'max-minutes': { min: 0.1, max: 360, integer: false },
  concurrency: { min: 1, max: 32, integer: true },
  'gate-min-support': { min: 0.01, max: 1, integer: false },
} as const satisfies Partial<Record<InputName, { min: number; max: number; integer: boolean }>>;

/** How an input's raw text is obtained; default: @actions/core (the INPUT_<NAME> variables). */
export type InputGetter = (name: InputName) => string;

export interface ReadInputsOptions {
  getInput?: InputGetter;
  /** For the github-token fallback outside Actions (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Mask secrets in the log (default true; @actions/core's setSecret). */
  mask?: boolean;
}

const coreGetter: InputGetter = (name) => core.getInput(name);

function oneOf<T extends string>(name: InputName, value: string, allowed: readonly T[]): T {
  const v = value.trim();
  const hit = allowed.find((a) => a === v) ?? allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (hit === undefined)
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not one of the accepted values: ${allowed.map((a) => `\`${a}\``).join(', ')}.`,
    );
  return hit;
}

function numberInput(name: keyof typeof LIMITS, value: string): number {
  const lim = LIMITS[name];
  const v = value.trim().replace(/_/g, '');
  const n = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+]?\d+)?$/.test(v) ? Number(v) : NaN;
  const what = lim.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (lim.integer && !Number.isInteger(n)) || n < lim.min || n > lim.max) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not ${what} from ${lim.min} to ${lim.max}.${name === 'issue-number' ? ' Give the issue number without #.' : ''}`,
    );
  }
  return n;
}

function booleanInput(name: InputName, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(name, `${JSON.stringify(value)} is not a boolean: use \`true\` or \`false\`.`);
}

/** Non-empty lines (also comma-separated on one line for logins), without `#` comments. */
function listInput(value: string, splitCommas: boolean): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .flatMap((l) => (splitCommas ? l.split(/[,\s]+/) : [l]))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function urlInput(name: InputName, value: string): string {
  const v = value.trim().replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not a URL: give an OpenAI-compatible endpoint such as https://models.github.ai/inference or http://localhost:11434/v1.`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InputError(name, `${JSON.stringify(value)} must start with https:// (or http://).`);
  if (u.username || u.password)
    throw new InputError(name, 'must not carry credentials in the URL; pass the key as `api-key`.');
  if (/\/chat\/completions$/.test(u.pathname))
    throw new InputError(
      name,
      `${JSON.stringify(value)} ends with /chat/completions; give the base URL without it (e.g. https://api.openai.com/v1).`,
    );
  return v;
}

/** Reads and validates every input. Throws InputError (a UserError) naming the first bad input. */
export function readInputs(options: ReadInputsOptions = {}): ActionInputs {
  const get = options.getInput ?? coreGetter;
  const env = options.env ?? process.env;
  const raw = (name: InputName): string => {
    const v = (get(name) ?? '').trim();
    if (v !== '') return v;
    const d: string = INPUT_DEFAULTS[name];
    return d.startsWith('${{') ? '' : d;
  };

  let githubToken = raw('github-token');
  if (githubToken === '') githubToken = (env.GITHUB_TOKEN ?? '').trim();
  const baseUrl = urlInput('base-url', raw('base-url'));
  let apiKey = raw('api-key');
  // GitHub Models takes the job's token as its key (with `permissions: models: read`).
  if (apiKey === '' && isGithubModels(baseUrl)) apiKey = githubToken;
  if (options.mask !== false) {
    for (const s of new Set([githubToken, apiKey])) if (s !== '') core.setSecret(s);
  }

  const model = raw('model');
  if (model === '') throw new InputError('model', 'is empty: name the model the endpoint should use.');
  if (/\s/.test(model)) throw new InputError('model', `${JSON.stringify(model)} contains white space.`);

  const triggerLabel = raw('trigger-label');
  if (triggerLabel === '')
    throw new InputError('trigger-label', 'is empty: name the label that starts a run.');
  if (triggerLabel.length > 50)
    throw new InputError('trigger-label', 'is longer than 50 characters, the longest label GitHub allows.');

  const optionalNumber = (name: 'codes' | 'tests' | 'rounds' | 'issue-number') => {
    const text = raw(name);
    const v = name === 'issue-number' ? text.replace(/^#/, '') : text;
    return v === '' ? undefined : numberInput(name, v);
  };

  const allowedPaths = listInput(raw('allowed-paths'), false);
  if (allowedPaths.length === 0)
    throw new InputError(
      'allowed-paths',
      'is empty: give at least one glob pattern (`**` allows every path).',
    );
  for (const p of allowedPaths) {
    const bare = p.replace(/^\.?\//, '');
    if (/^\.github(\/|$)/i.test(bare))
      throw new InputError(
        'allowed-paths',
        `${JSON.stringify(p)} points under .github/, which the action never writes (workflows stay human-owned). Remove it.`,
      );
    if (bare.split('/').includes('..'))
      throw new InputError(
        'allowed-paths',
        `${JSON.stringify(p)} contains \`..\`; patterns are relative to the repository root.`,
      );
  }

  const allowedBots = listInput(raw('allowed-bots'), true);
  for (const b of allowedBots)
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$/.test(b))
      throw new InputError(
        'allowed-bots',
        `${JSON.stringify(b)} is not a GitHub login (e.g. \`renovate[bot]\`).`,
      );

  const inputs: ActionInputs = {
    mode: oneOf('mode', raw('mode'), MODES),
    githubToken,
    baseUrl,
    apiKey,
    model,
    triggerLabel,
    preset: oneOf('preset', raw('preset'), PRESETS),
    bonRule: oneOf('bon-rule', raw('bon-rule'), BON_RULES),
    maxTokens: numberInput('max-tokens', raw('max-tokens')),
    maxRequests: numberInput('max-requests', raw('max-requests')),
    maxMinutes: numberInput('max-minutes', raw('max-minutes')),
    concurrency: numberInput('concurrency', raw('concurrency')),
    sandbox: oneOf('sandbox', raw('sandbox'), SANDBOXES),
    draft: booleanInput('draft', raw('draft')),
    testFramework: oneOf('test-framework', raw('test-framework'), TEST_FRAMEWORK_INPUTS),
    allowedPaths,
    allowedBots,
    gateMinSupport: numberInput('gate-min-support', raw('gate-min-support')),
    testCommand: raw('test-command'),
    groupRepairs: booleanInput('group-repairs', raw('group-repairs')),
  };
  const issueNumber = optionalNumber('issue-number');
  if (issueNumber !== undefined) inputs.issueNumber = issueNumber;
  const codes = optionalNumber('codes');
  if (codes !== undefined) inputs.codes = codes;
  const tests = optionalNumber('tests');
  if (tests !== undefined) inputs.tests = tests;
  const rounds = optionalNumber('rounds');
  if (rounds !== undefined) inputs.rounds = rounds;
  return inputs;
}
