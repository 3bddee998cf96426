// docs/action.md and the workflows stay in sync with action.yml: the inputs and outputs tables are generated
// from it (UPDATE_DOCS=1 rewrites them), the code's defaults equal its defaults, the preset sizes it states are
// the engine's, and the example workflow and the dogfood workflow use only real inputs, grant the permissions
// the action needs and keep the trace with `if: always()`.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  INPUTS_END,
  INPUTS_START,
  OUTPUTS_END,
  OUTPUTS_START,
  parseActionYml,
  renderInputsTable,
  renderOutputsTable,
  replaceBetween,
  textBetween,
} from '../../src/action/docs.js';
import { INPUT_DEFAULTS } from '../../src/action/inputs.js';
import { PAPER_PARAMS, SMALL_PARAMS } from '../../src/cosplay/index.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const actionYml = readFileSync(path.join(root, 'action.yml'), 'utf8');
const action = parseActionYml(actionYml);
const docPath = path.join(root, 'docs', 'action.md');

describe('docs/action.md', () => {
  it('has the inputs and outputs tables of action.yml', () => {
    let doc = readFileSync(docPath, 'utf8');
    const inputs = renderInputsTable(actionYml);
    const outputs = renderOutputsTable(actionYml);
    if (process.env.UPDATE_DOCS === '1') {
      doc = replaceBetween(doc, INPUTS_START, INPUTS_END, inputs);
      doc = replaceBetween(doc, OUTPUTS_START, OUTPUTS_END, outputs);
      writeFileSync(docPath, doc);
    }
    const hint =
      'docs/action.md is out of date with action.yml: run `UPDATE_DOCS=1 npm test -- test/action/docs.test.ts`';
    expect({ hint, table: textBetween(doc, INPUTS_START, INPUTS_END) }).toEqual({ hint, table: inputs });
    expect({ hint, table: textBetween(doc, OUTPUTS_START, OUTPUTS_END) }).toEqual({ hint, table: outputs });
    for (const name of Object.keys(action.inputs ?? {})) expect(inputs).toContain(`| \`${name}\` |`);
  });

  it('documents every output the action sets', () => {
    expect(Object.keys(action.outputs ?? {}).sort()).toEqual(
      ['pull-request-number', 'pull-request-url', 'selected-pass-count', 'trace', 'verdict'].sort(),
    );
  });
});

describe('action.yml and the code agree', () => {
  it('every input, with the same default', () => {
    const fromYml = Object.fromEntries(
      Object.entries(action.inputs ?? {}).map(([k, v]) => [k, String(v.default ?? '')]),
    );
    expect(fromYml).toEqual(INPUT_DEFAULTS);
    for (const v of Object.values(action.inputs ?? {})) expect(v.required).toBe(false);
  });

  it('the preset sizes it states are the engine presets', () => {
    const preset = action.inputs!.preset!.description!;
    const sizes = (p: typeof SMALL_PARAMS) => `${p.nCodes} codes, ${p.nTests} tests, ${p.maxRounds} rounds`;
    expect(preset).toContain(sizes(SMALL_PARAMS));
    expect(preset).toContain(sizes(PAPER_PARAMS));
  });

  it('runs on a Node version the code supports', () => {
    expect((parse(actionYml) as { runs: { using: string; main: string } }).runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
    });
  });
});

type Step = { id?: string; uses?: string; if?: string; with?: Record<string, unknown> };
type Workflow = {
  on: Record<string, { types?: string[] } | null>;
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
};

function checkWorkflow(text: string, uses: string) {
  const wf = parse(text) as Workflow;
  expect(wf.on.issues?.types).toContain('labeled');
  expect(wf.on.pull_request?.types).toContain('labeled');
  expect(wf.on).toHaveProperty('workflow_dispatch');
  const job = Object.values(wf.jobs)[0]!;
  expect(job.permissions).toMatchObject({
    contents: 'write',
    'pull-requests': 'write',
    issues: 'write',
    models: 'read',
  });
  const step = job.steps.find((s) => s.uses === uses);
  expect(step).toBeDefined();
  for (const k of Object.keys(step!.with ?? {})) expect(Object.keys(action.inputs ?? {})).toContain(k);
  const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  expect(upload?.if).toMatch(/always\(\)/);
  expect(upload?.with?.path).toBe(`\${{ steps.${step!.id}.outputs.trace }}`);
}

describe('workflows', () => {
  it('the example in docs/action.md', () => {
    const doc = readFileSync(docPath, 'utf8');
    const block = /```yaml\n(name: cosplay\n[\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    checkWorkflow(block![1]!, 'cosplay-action/cosplay-action@v1');
  });

  it('the dogfood workflow runs this checkout of the action the same way', () => {
    const text = readFileSync(path.join(root, '.github', 'workflows', 'cosplay.yml'), 'utf8');
    checkWorkflow(text, './');
    const doc = readFileSync(docPath, 'utf8');
    const block = /```yaml\n(name: cosplay\n[\s\S]*?)```/.exec(doc)![1]!;
    // Same jobs and steps as the documented example, apart from where the action comes from.
    const strip = (t: string) => parse(t.replace('cosplay-action/cosplay-action@v1', './')) as unknown;
    expect(strip(text)).toEqual(strip(block));
  });
});

describe('every workflow in the README and docs/', () => {
  const docs = ['README.md', 'docs/action.md', 'docs/gate-and-repair.md'].map((f) => ({
    f,
    text: readFileSync(path.join(root, f), 'utf8'),
  }));
  const workflows = docs.flatMap(({ f, text }) =>
    [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((t) => /^jobs:/m.test(t))
      .map((t) => ({ f, wf: parse(t) as Workflow })),
  );
  const steps = workflows.flatMap(({ f, wf }) =>
    Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => ({ f, s, job: j }))),
  );

  it('name the action and the actions they use the same way', () => {
    expect(workflows.map((w) => w.f)).toEqual(
      expect.arrayContaining(['README.md', 'docs/action.md', 'docs/gate-and-repair.md']),
    );
    const cosplay = steps.filter(({ s }) => /cosplay-action/.test(s.uses ?? ''));
    expect(cosplay.length).toBeGreaterThanOrEqual(4);
    for (const { f, s } of cosplay) expect(`${f}: ${s.uses}`).toBe(`${f}: cosplay-action/cosplay-action@v1`);
    const versions = new Map<string, Set<string>>();
    for (const { s } of steps) {
      const [name, version] = (s.uses ?? '').split('@');
      if (!version) continue;
      versions.set(name!, (versions.get(name!) ?? new Set()).add(version));
    }
    expect(versions.get('actions/checkout')).toEqual(new Set(['v5']));
    for (const [name, v] of versions) expect(`${name}@${[...v].join(',')}`).not.toMatch(/,/);
  });

  it('open pull requests with a token that starts workflows, separate from the job token', () => {
    // every workflow that can open a pull request (solve, repair) passes a GitHub App token as github-token
    // and keeps the job's token as the GitHub Models key
    const opening = steps.filter(({ s }) => /cosplay-action/.test(s.uses ?? '') && s.with?.mode !== 'gate');
    expect(opening.length).toBeGreaterThanOrEqual(3);
    for (const { f, s, job } of opening) {
      const app = job.steps.find((x) => x.uses?.startsWith('actions/create-github-app-token@'));
      expect(`${f}: ${app?.id}`).toBe(`${f}: app-token`);
      expect(s.with?.['github-token']).toBe('${{ steps.app-token.outputs.token }}');
      expect(s.with?.['api-key']).toBe('${{ github.token }}');
    }
  });

  it('say which self-hosted runner runs the node24 action', () => {
    expect((parse(actionYml) as { runs: { using: string } }).runs.using).toBe('node24');
    const action = readFileSync(docPath, 'utf8');
    expect(action).toMatch(/node24[\s\S]{0,300}v2\.327\.1 or later/);
  });
});
