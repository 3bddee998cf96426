// The action's entry: read the event and dispatch to a mode. Kept tiny; the modes live in src/modes/.
import * as core from '@actions/core';

export async function run(): Promise<void> {
  try {
    core.info('cosplay-action: no mode is wired yet');
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
