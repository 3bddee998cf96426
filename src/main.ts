// The action's entry (dist/index.js calls it): reads the inputs and the event, picks the mode, checks who
// asked, and runs the mode; everything else lives in src/action/ and src/modes/.
import { runAction, type ActionResult, type RunDeps } from './action/entry.js';
import { defaultModes } from './action/modes.js';

export type { ActionResult, RunDeps } from './action/entry.js';

/** Runs the action. `deps` replaces parts for tests (the mode registry, fast retries, a fake sandbox probe). */
export async function run(deps: Partial<RunDeps> = {}): Promise<ActionResult> {
  return runAction({ ...deps, modes: deps.modes ?? defaultModes() });
}
