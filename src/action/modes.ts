// The modes this build of the action can run. The entry dispatches through a registry so that tests (and
// builds) can supply their own; a mode missing from the registry ends the run with a clear error instead of
// doing nothing.
import { UserError } from '../types.js';
import type { Mode, ModeName } from '../modes/types.js';
import { runGate } from '../modes/gate/mode.js';
import { runRepair } from '../modes/repair/mode.js';
import { runSolve } from '../modes/solve/mode.js';

export type ModeRegistry = Partial<Record<ModeName, Mode>>;

export class ModeNotAvailableError extends UserError {
  constructor(
    readonly mode: ModeName,
    available: ModeName[],
  ) {
    super(
      `mode ${mode} is not available in this build (available: ${available.length > 0 ? available.join(', ') : 'none'}). ` +
        'Use a release of the action that includes it, or set `mode` to one of the available modes.',
    );
    this.name = 'ModeNotAvailableError';
  }
}

/** The modes shipped in this build. */
export function defaultModes(): ModeRegistry {
  return { solve: runSolve, gate: runGate, repair: runRepair };
}

export function pickMode(registry: ModeRegistry, mode: ModeName): Mode {
  const m = registry[mode];
  if (!m)
    throw new ModeNotAvailableError(
      mode,
      Object.keys(registry).filter((k) => registry[k as ModeName]) as ModeName[],
    );
  return m;
}
