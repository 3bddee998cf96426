// The event and what it asks for: mode auto's mapping, explicit modes, labels, workflow_dispatch, and events
// the action cannot serve.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEvent, resolveTrigger, type ActionEvent } from '../../src/action/event.js';
import { readInputs } from '../../src/action/inputs.js';
import type { ActionInputs } from '../../src/modes/types.js';
import { UserError } from '../../src/types.js';

const inputs = (over: Partial<ActionInputs> = {}): ActionInputs => ({
  ...readInputs({ getInput: () => '', env: { GITHUB_TOKEN: 't' }, mask: false }),
  ...over,
});
const sender = { login: 'alice', type: 'User' };
const ev = (name: string, payload: Record<string, unknown> = {}): ActionEvent => ({
  name,
  payload: { sender, ...payload },
});

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cosplay-event-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readEvent', () => {
  it('reads the name and the payload file', () => {
    const file = path.join(tmp, 'e.json');
    writeFileSync(file, JSON.stringify({ action: 'labeled', issue: { number: 3 } }));
    expect(readEvent({ GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: file })).toEqual({
      name: 'issues',
      payload: { action: 'labeled', issue: { number: 3 } },
    });
  });
  it('explains a missing name, a missing file and broken JSON', () => {
    expect(() => readEvent({})).toThrow(/GITHUB_EVENT_NAME is not set/);
    expect(() =>
      readEvent({ GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: path.join(tmp, 'none.json') }),
    ).toThrow(/cannot be read/);
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"action": ');
    expect(() => readEvent({ GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: bad })).toThrow(
      /not valid JSON/,
    );
  });
});

describe('resolveTrigger in mode auto', () => {
  it('issues labeled with the trigger label (any case) -> solve that issue, checking who applied it', () => {
    const t = resolveTrigger(
      inputs(),
      ev('issues', { action: 'labeled', label: { name: 'CoSPlay' }, issue: { number: 7 } }),
      {},
    );
    expect(t).toMatchObject({
      run: true,
      mode: 'solve',
      actor: 'alice',
      actorType: 'User',
      checkActor: true,
      target: { kind: 'issue', number: 7 },
    });
  });
  it('another label, or another issues action, starts nothing', () => {
    expect(
      resolveTrigger(
        inputs(),
        ev('issues', { action: 'labeled', label: { name: 'bug' }, issue: { number: 7 } }),
        {},
      ),
    ).toMatchObject({
      run: false,
      reason: expect.stringContaining('not the trigger label'),
    });
    expect(resolveTrigger(inputs(), ev('issues', { action: 'opened', issue: { number: 7 } }), {}).run).toBe(
      false,
    );
    expect(
      resolveTrigger(
        inputs(),
        ev('pull_request', { action: 'labeled', label: { name: 'bug' }, number: 4 }),
        {},
      ).run,
    ).toBe(false);
  });
  it('a custom trigger label', () => {
    const t = resolveTrigger(
      inputs({ triggerLabel: 'ai' }),
      ev('issues', { action: 'labeled', label: { name: 'ai' }, issue: { number: 1 } }),
      {},
    );
    expect(t.run).toBe(true);
  });
  it('pull_request labeled -> solve from the PR body; code changes -> gate; other PR actions -> nothing', () => {
    expect(
      resolveTrigger(
        inputs(),
        ev('pull_request', {
          action: 'labeled',
          label: { name: 'cosplay' },
          number: 4,
          pull_request: { number: 4 },
        }),
        {},
      ),
    ).toMatchObject({
      mode: 'solve',
      target: { kind: 'pull', number: 4 },
    });
    for (const action of ['opened', 'synchronize', 'reopened', 'ready_for_review'])
      expect(resolveTrigger(inputs(), ev('pull_request', { action, number: 4 }), {})).toMatchObject({
        mode: 'gate',
        checkActor: true,
      });
    expect(
      resolveTrigger(inputs(), ev('pull_request_target', { action: 'synchronize', number: 4 }), {}),
    ).toMatchObject({ mode: 'gate' });
    expect(resolveTrigger(inputs(), ev('pull_request', { action: 'closed', number: 4 }), {}).run).toBe(false);
  });
  it('schedule -> repair without an actor check; workflow_dispatch -> solve with an issue number, else repair', () => {
    expect(
      resolveTrigger(
        inputs(),
        { name: 'schedule', payload: { schedule: '0 3 * * *' } },
        { GITHUB_ACTOR: 'alice' },
      ),
    ).toMatchObject({
      mode: 'repair',
      checkActor: false,
    });
    expect(
      resolveTrigger(inputs(), ev('workflow_dispatch', { inputs: { 'issue-number': '12' } }), {}),
    ).toMatchObject({
      mode: 'solve',
      target: { kind: 'issue', number: 12 },
      issueNumber: 12,
      checkActor: true,
    });
    expect(
      resolveTrigger(inputs({ issueNumber: 5 }), ev('workflow_dispatch', { inputs: {} }), {}),
    ).toMatchObject({
      mode: 'solve',
      target: { kind: 'issue', number: 5 },
    });
    expect(resolveTrigger(inputs(), ev('workflow_dispatch', { inputs: {} }), {})).toMatchObject({
      mode: 'repair',
      checkActor: true,
    });
  });
  it('an event the action cannot serve is an error that says which events work', () => {
    expect(() => resolveTrigger(inputs(), ev('push'), {})).toThrow(UserError);
    expect(() => resolveTrigger(inputs(), ev('push'), {})).toThrow(/does not handle the push event/);
  });
  it('a re-run is started by whoever re-ran it (GITHUB_TRIGGERING_ACTOR), not by the original sender', () => {
    const t = resolveTrigger(
      inputs(),
      {
        name: 'pull_request',
        payload: { action: 'synchronize', number: 4, sender: { login: 'outsider', type: 'User' } },
      },
      { GITHUB_TRIGGERING_ACTOR: 'maintainer', GITHUB_ACTOR: 'outsider' },
    );
    expect(t).toMatchObject({ run: true, mode: 'gate', actor: 'maintainer', checkActor: true });
    expect((t as { actorType?: string }).actorType).toBeUndefined();
    const first = resolveTrigger(
      inputs(),
      {
        name: 'pull_request',
        payload: { action: 'opened', number: 4, sender: { login: 'dependabot[bot]', type: 'Bot' } },
      },
      { GITHUB_TRIGGERING_ACTOR: 'dependabot[bot]' },
    );
    expect(first).toMatchObject({ actor: 'dependabot[bot]', actorType: 'Bot' });
  });
  it('the actor falls back to GITHUB_TRIGGERING_ACTOR when the payload has no sender', () => {
    const t = resolveTrigger(
      inputs(),
      { name: 'issues', payload: { action: 'labeled', label: { name: 'cosplay' }, issue: { number: 2 } } },
      { GITHUB_TRIGGERING_ACTOR: 'carol' },
    );
    expect(t).toMatchObject({ run: true, actor: 'carol' });
  });
});

describe('resolveTrigger with an explicit mode', () => {
  it('mode solve needs a labeled event or an issue number', () => {
    expect(
      resolveTrigger(inputs({ mode: 'solve' }), ev('workflow_dispatch', { inputs: { issue_number: 3 } }), {}),
    ).toMatchObject({
      mode: 'solve',
      target: { kind: 'issue', number: 3 },
    });
    expect(
      resolveTrigger(inputs({ mode: 'solve' }), ev('issues', { action: 'edited', issue: { number: 3 } }), {})
        .run,
    ).toBe(false);
    expect(() => resolveTrigger(inputs({ mode: 'solve' }), ev('schedule'), {})).toThrow(
      /mode solve cannot run on the schedule event/,
    );
  });
  it('gate and repair run on whatever event the workflow chose; the gate and a dispatched repair check their actor', () => {
    expect(resolveTrigger(inputs({ mode: 'gate' }), ev('push'), {})).toMatchObject({
      mode: 'gate',
      checkActor: true,
    });
    expect(resolveTrigger(inputs({ mode: 'gate' }), { name: 'pull_request', payload: {} }, {})).toMatchObject(
      {
        mode: 'gate',
        actor: '',
        checkActor: true,
      },
    );
    expect(resolveTrigger(inputs({ mode: 'repair' }), ev('workflow_dispatch'), {})).toMatchObject({
      mode: 'repair',
      checkActor: true,
    });
    expect(resolveTrigger(inputs({ mode: 'repair' }), { name: 'schedule', payload: {} }, {})).toMatchObject({
      mode: 'repair',
      checkActor: false,
    });
  });
});

describe('the solve target', () => {
  it('is the issue or pull request of the event, or the dispatched issue (the mode gets it as ctx.target)', () => {
    const label = { name: inputs().triggerLabel };
    const target = (t: ReturnType<typeof resolveTrigger>) => (t.run ? t.target : undefined);
    expect(
      target(resolveTrigger(inputs(), ev('issues', { action: 'labeled', label, issue: { number: 9 } }), {})),
    ).toEqual({
      kind: 'issue',
      number: 9,
    });
    expect(
      target(
        resolveTrigger(
          inputs(),
          ev('pull_request', { action: 'labeled', label, number: 8, pull_request: { number: 8 } }),
          {},
        ),
      ),
    ).toEqual({ kind: 'pull', number: 8 });
    expect(target(resolveTrigger(inputs({ issueNumber: 4 }), ev('workflow_dispatch'), {}))).toEqual({
      kind: 'issue',
      number: 4,
    });
    expect(() => resolveTrigger(inputs({ mode: 'solve' }), ev('schedule'), {})).toThrow(UserError);
  });
});
