// The workflow event (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) and what it asks for: which mode runs, on which
// issue or pull request, started by whom, and whether that person's permission must be checked first.
import { readFileSync } from 'node:fs';
import { UserError } from '../types.js';
import type { ActionInputs, ModeName, SolveTarget } from '../modes/types.js';

export interface ActionEvent {
  name: string;
  /** The webhook payload; `{}` when GITHUB_EVENT_PATH is not set. */
  payload: Record<string, any>;
}

/** Reads the event the workflow runs for. */
export function readEvent(env: NodeJS.ProcessEnv = process.env): ActionEvent {
  const name = (env.GITHUB_EVENT_NAME ?? '').trim();
  if (name === '')
    throw new UserError(
      'GITHUB_EVENT_NAME is not set: the action runs inside a GitHub Actions workflow (for a local run use `cosplay solve TASK.md`).',
    );
  const file = (env.GITHUB_EVENT_PATH ?? '').trim();
  if (file === '') return { name, payload: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `The event file ${file} (GITHUB_EVENT_PATH) cannot be read: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  try {
    const payload = JSON.parse(text) as unknown;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload))
      throw new Error('it is not a JSON object');
    return { name, payload: payload as Record<string, any> };
  } catch (err) {
    throw new UserError(
      `The event file ${file} (GITHUB_EVENT_PATH) is not valid JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export type Trigger =
  | { run: false; reason: string }
  | {
      run: true;
      mode: ModeName;
      /** Who started the run (for `labeled` events: who applied the label). */
      actor: string;
      /** `sender.type` from the event (`Bot` marks a bot). */
      actorType?: string;
      /** The actor must have write, maintain or admin permission (bots: allow-listed). */
      checkActor: boolean;
      /** Solve: the issue or pull request (also where a refusal is explained). */
      target?: SolveTarget;
      /** workflow_dispatch: the issue number came from the event's inputs rather than the action input. */
      issueNumber?: number;
      /** Why this mode: one line for the log. */
      why: string;
    };

const GATE_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'ready_for_review']);
const PULL_EVENTS = new Set(['pull_request', 'pull_request_target']);

function positiveInt(v: unknown): number | undefined {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^#?\d+$/.test(v.trim())
        ? Number(v.trim().replace('#', ''))
        : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The issue number a workflow_dispatch carries: the action input, else the dispatch form's own input. */
export function dispatchIssueNumber(
  inputs: Pick<ActionInputs, 'issueNumber'>,
  payload: Record<string, any>,
): number | undefined {
  if (inputs.issueNumber !== undefined) return inputs.issueNumber;
  const form = (payload.inputs ?? {}) as Record<string, unknown>;
  for (const key of ['issue-number', 'issue_number', 'issue']) {
    const n = positiveInt(form[key]);
    if (n !== undefined) return n;
  }
  return undefined;
}

function sameLabel(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The run this event asks for. Returns `run: false` for events that are not meant for the action (another
 * label, an issue edit); throws a UserError for a workflow that wires the action to an event it cannot serve.
 */
export function resolveTrigger(
  inputs: ActionInputs,
  event: ActionEvent,
  env: NodeJS.ProcessEnv = process.env,
): Trigger {
  const p = event.payload;
  // Who started this run attempt. On a re-run GitHub sets GITHUB_TRIGGERING_ACTOR to whoever re-ran it while
  // the payload's sender stays the original one: a maintainer approves a run (a gate on an outsider's pull
  // request, say) by re-running it. The sender's type only describes the sender.
  const sender =
    typeof p.sender?.login === 'string' && p.sender.login !== '' ? (p.sender.login as string) : undefined;
  const actor = String(env.GITHUB_TRIGGERING_ACTOR || sender || env.GITHUB_ACTOR || '');
  const actorType =
    actor === sender && typeof p.sender?.type === 'string' ? (p.sender.type as string) : undefined;
  const base = { run: true as const, actor, ...(actorType ? { actorType } : {}) };
  const action = typeof p.action === 'string' ? p.action : '';
  const labeled = action === 'labeled';
  const isIssues = event.name === 'issues';
  const isPull = PULL_EVENTS.has(event.name);

  // A label other than the trigger label, on an issue or pull request: not for a solve run.
  const labelTarget = (): SolveTarget | undefined => {
    if (isIssues && positiveInt(p.issue?.number))
      return { kind: 'issue', number: positiveInt(p.issue.number)! };
    if (isPull) {
      const n = positiveInt(p.pull_request?.number ?? p.number);
      if (n) return { kind: 'pull', number: n };
    }
    return undefined;
  };

  const solveFromLabel = (): Trigger => {
    if (!sameLabel(p.label?.name, inputs.triggerLabel))
      return {
        run: false,
        reason: `The label ${JSON.stringify(p.label?.name ?? '')} is not the trigger label ${JSON.stringify(inputs.triggerLabel)}; nothing to do.`,
      };
    const target = labelTarget();
    if (!target) throw new UserError(`The ${event.name} event names no issue or pull request number.`);
    return {
      ...base,
      mode: 'solve',
      checkActor: true,
      target,
      why: `${event.name} labeled ${JSON.stringify(inputs.triggerLabel)} on #${target.number} by ${actor || 'an unknown actor'}`,
    };
  };

  const solveFromDispatch = (): Extract<Trigger, { run: true }> | null => {
    const n = dispatchIssueNumber(inputs, p);
    if (n === undefined) return null;
    return {
      ...base,
      mode: 'solve',
      checkActor: true,
      target: { kind: 'issue', number: n },
      issueNumber: n,
      why: `${event.name} for issue #${n} by ${actor || 'an unknown actor'}`,
    };
  };

  const mode = inputs.mode;
  // Only people with write access start runs: the gate checks whoever opened, pushed to or re-ran the pull
  // request (an outsider's pull request waits for a maintainer to re-run the job, and the gate fails until
  // then rather than passing unchecked); repair is started by a schedule or a dispatcher.
  if (mode === 'gate' || mode === 'repair') {
    return {
      ...base,
      mode,
      checkActor: mode === 'gate' || (event.name !== 'schedule' && actor !== ''),
      why: `mode ${mode} set by the workflow (${event.name})`,
    };
  }

  if (mode === 'solve') {
    if ((isIssues || isPull) && labeled) return solveFromLabel();
    const fromDispatch = solveFromDispatch();
    if (fromDispatch) return fromDispatch;
    if (isIssues || isPull)
      return {
        run: false,
        reason: `mode solve runs when the ${JSON.stringify(inputs.triggerLabel)} label is applied; this ${event.name} event is \`${action || 'unknown'}\`.`,
      };
    throw new UserError(
      `mode solve cannot run on the ${event.name} event without an issue: trigger it with \`issues: types: [labeled]\`, ` +
        '`pull_request: types: [labeled]`, or workflow_dispatch with the `issue-number` input.',
    );
  }

  // mode: auto
  // A pull request labeled with another label is not a gate run either: labels change no code.
  if ((isIssues || isPull) && labeled) return solveFromLabel();
  if (isIssues)
    return {
      run: false,
      reason: `issues \`${action || 'unknown'}\` events start nothing; apply the ${JSON.stringify(inputs.triggerLabel)} label.`,
    };
  if (isPull) {
    if (GATE_ACTIONS.has(action) || action === '')
      return {
        ...base,
        mode: 'gate',
        checkActor: true,
        why: `${event.name} ${action || 'event'} (auto: gate)`,
      };
    return { run: false, reason: `${event.name} \`${action}\` events start nothing in mode auto.` };
  }
  if (event.name === 'schedule')
    return { ...base, mode: 'repair', checkActor: false, why: 'schedule (auto: repair)' };
  if (event.name === 'workflow_dispatch') {
    const fromDispatch = solveFromDispatch();
    if (fromDispatch) return { ...fromDispatch, why: `${fromDispatch.why} (auto: solve)` };
    return {
      ...base,
      mode: 'repair',
      checkActor: actor !== '',
      why: 'workflow_dispatch without issue-number (auto: repair)',
    };
  }
  throw new UserError(
    `In mode auto the action does not handle the ${event.name} event. Run it on \`issues\` or \`pull_request\` ` +
      '(types: [labeled]) for solve, `pull_request` for gate, `schedule` for repair, or `workflow_dispatch`; or set `mode`.',
  );
}
